from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnumerationConfig(AppConfig):
    name = "enumeration"
    verbose_name = _("Wilayah, petugas dan penugasan")

    def ready(self) -> None:
        # Connects the receiver that stamps a new web session with its first activity.
        from enumeration import sessions  # noqa: F401
