"""Delete export files past their expiry (also done whenever an export is asked for)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from monitoring.exports import export_purge_expired


class Command(BaseCommand):
    help = "Delete analysts' export files older than EXPORT_TTL_HOURS."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = export_purge_expired()
        self.stdout.write(f"expired={expired}")
