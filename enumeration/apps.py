from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnumerationConfig(AppConfig):
    name = "enumeration"
    verbose_name = _("Wilayah, petugas dan penugasan")
