from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeotagConfig(AppConfig):
    name = "geotag"
    verbose_name = _("Geotag")
