"""`manage.py restore_data DIR`: check a backup's checksums, then restore its database and media."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from regsosek.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_data into this DATABASE_URL and MEDIA_ROOT. Stop the web "
        "server and the workers first. Every checksum is checked before anything is touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="a regsosek-<UTC time>/ folder written by backup_data")
        parser.add_argument("--check-only", action="store_true", help="verify the checksums and stop")
        parser.add_argument("--yes", action="store_true", help="do not ask before replacing the data")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["backup"])
        try:
            meta = backup_verify(path)
            self.stdout.write(
                f"backup {path.name} is whole: made {meta['created_at']}, {sum(meta['tables'].values())} rows, "
                f"{meta['media_files']} media files"
            )
            if options["check_only"]:
                return
            if not options["yes"]:
                answer = input(f"Replace database {connection.settings_dict['NAME']} and the media files? [y/N] ")
                if answer.strip().lower() not in {"y", "yes"}:
                    raise CommandError("Nothing restored.")
            connection.close()  # pg_restore drops and recreates tables: hold no connection of ours
            summary = backup_restore(path=path, media_root=Path(settings.MEDIA_ROOT), db=connection.settings_dict)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored: {summary.tables} tables, {summary.rows} rows (counts equal the backup's); "
            f"{summary.media_files} media files; {summary.seconds:.1f} s"
        )
        for kept in summary.previous_media:
            self.stdout.write(f"  the media folder it replaced is kept as {kept}")
