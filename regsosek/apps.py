from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class RegsosekConfig(AppConfig):
    name = "regsosek"
    verbose_name = "Regsosek"


class RegsosekAdminConfig(AdminConfig):
    default_site = "enumeration.admin_site.RegsosekAdminSite"
