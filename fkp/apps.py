from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FkpConfig(AppConfig):
    name = "fkp"
    verbose_name = _("Forum Konsultasi Publik")
