from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Log audit")

    def ready(self) -> None:
        # Sign-ins, sign-outs, failed sign-ins and lockouts arrive as Django's and django-axes's signals.
        from audit import signals  # noqa: F401
