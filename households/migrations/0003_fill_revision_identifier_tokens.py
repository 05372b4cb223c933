"""Backfill: revisions record NIK / No. KK without any digit of the number.

Revisions kept a changed identifier as "••••••••••••1234 [a1b2c3d4]": the last four digits (with the
region and birth date, the whole NIK) and the first 8 hex digits of its keyed hash. They become
"••••••••••••••••-KQTZ [KQTZBCDF]" (households.identifiers.history_value), computed from those 8
hex digits alone: no key and no decryption needed. The digits are dropped and cannot be put back,
so the reverse is a no-op. Batched, each batch in its own transaction (atomic=False).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

# A copy of households.identifiers (TAG_ALPHABET, change_token, mask): migrations never import app code.
ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
OLD_VALUE = re.compile(r"^•{12}\d{0,4} \[([0-9a-f]{8})\]$")
BATCH = 2000


def _token(hash8: str) -> str:
    value = int(hash8, 16)
    letters = []
    for _ in range(8):
        value, index = divmod(value, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def new_value(value: Any) -> Any:
    """The new form of an old identifier value; anything else as it is."""
    if not isinstance(value, str):
        return value
    found = OLD_VALUE.match(value)
    if found is None:
        return value
    token = _token(found.group(1))
    return f"{'•' * 16}-{token[:4]} [{token}]"


def fill_revision_identifier_tokens(apps: Any, schema_editor: Any) -> None:
    FamilyRevision = apps.get_model("households", "FamilyRevision")
    candidates = (
        FamilyRevision.objects.annotate(text=Cast("changes", TextField()))
        .filter(text__contains="•")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    last = 0
    while True:
        ids = list(candidates.filter(pk__gt=last)[:BATCH])
        if not ids:
            return
        with transaction.atomic():
            for revision in FamilyRevision.objects.select_for_update().filter(pk__in=ids):
                changes = [
                    {**change, "old": new_value(change.get("old")), "new": new_value(change.get("new"))}
                    if isinstance(change, dict)
                    else change
                    for change in revision.changes
                ]
                if changes != revision.changes:
                    revision.changes = changes
                    revision.save(update_fields=["changes"])
        last = ids[-1]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("households", "0002_family_geotag"),
    ]

    operations = [
        migrations.RunPython(fill_revision_identifier_tokens, migrations.RunPython.noop, elidable=True),
    ]
