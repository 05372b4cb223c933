"""Delete audit entries older than AUDIT_RETENTION_DAYS: the only way entries are ever deleted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audit.services import audit_purge


class Command(BaseCommand):
    help = "Delete audit log entries older than AUDIT_RETENTION_DAYS (docs/privacy.md, 'Audit log')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count the entries it would delete, delete none")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_purge(dry_run=options["dry_run"])
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(
            f"{verb} {result.deleted} audit entries older than {result.cutoff.isoformat(timespec='seconds')} "
            f"(AUDIT_RETENTION_DAYS={settings.AUDIT_RETENTION_DAYS})"
        )
