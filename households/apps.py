from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "households"
    verbose_name = _("Keluarga dan pemeriksaan")

    def ready(self) -> None:
        from enumeration.imports import register_importer
        from households.imports import prelist_import

        register_importer("prelist", "prelist VK1", prelist_import)
