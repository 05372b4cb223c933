from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnumerationConfig(AppConfig):
    name = "enumeration"
    verbose_name = _("Wilayah, petugas dan penugasan")

    def ready(self) -> None:
        # Connects the receivers that stamp a new web session with its first activity (sessions),
        # count failed sign-ins and remember known addresses (signin_guard).
        from enumeration import sessions, signin_guard  # noqa: F401
