from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from households import identifiers
from households.models import Family, Member


class Command(BaseCommand):
    help = (
        "Re-encrypt every NIK and No. KK with the newest key of FIELD_ENCRYPTION_KEYS. Put the new key "
        "first, keep the old ones, run this, then remove the old keys. Safe to re-run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        batch: int = options["batch"]
        families = self._rotate(Family, "kk_ciphertext", batch)
        members = self._rotate(Member, "nik_ciphertext", batch)
        self.stdout.write(f"re-encrypted {families} No. KK and {members} NIK with the newest key")

    def _rotate(self, model: type[Family] | type[Member], field: str, batch: int) -> int:
        done = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                rows = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk, **{f"{field}__isnull": False})
                    .order_by("pk")
                    .only("pk", field)[:batch]
                )
                if not rows:
                    return done
                for row in rows:
                    setattr(row, field, identifiers.rotate(getattr(row, field)))
                model.objects.bulk_update(rows, [field])  # type: ignore[arg-type]  # union of two models
            done += len(rows)
            last_pk = rows[-1].pk
