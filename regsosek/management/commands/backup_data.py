"""`manage.py backup_data --output DIR`: the database and the media files, with a checksum manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from regsosek.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump custom format) and the media files with a SHA-256 manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="folder that receives regsosek-<UTC time>/")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(
                destination=Path(options["output"]),
                media_root=Path(settings.MEDIA_ROOT),
                db=connection.settings_dict,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written: {summary.path}\n"
            f"  {summary.tables} tables, {summary.rows} rows; {summary.media_files} media files, "
            f"{summary.media_bytes / 1e6:.1f} MB; {summary.seconds:.1f} s"
        )
