from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from enumeration.wilayah import wilayah_folder, wilayah_load
from regsosek.errors import ApplicationError


class Command(BaseCommand):
    help = "Load (or update) the kecamatan and kelurahan of a kab/kota from its data folder. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kabkota", default=settings.REGSOSEK_KABKOTA_CODE, help="BPS code, e.g. 3674")
        parser.add_argument("--folder", type=Path, help="Data folder (default: REGSOSEK_WILAYAH_DIR/<kabkota>)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            folder = options["folder"] or wilayah_folder(settings.REGSOSEK_WILAYAH_DIR, options["kabkota"])
            summary = wilayah_load(folder=folder)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"kab/kota {summary.kabkota}: created {summary.created}, updated {summary.updated}, "
            f"unchanged {summary.unchanged}"
        )
