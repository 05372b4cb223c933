"""Sync conflicts kept for the review desk (docs/review.md, "Conflicts").

The push (fieldapp/sync.py) answers `conflict` when a phone sends an edit of an older revision; it
records that here in its own transaction, and resolves it when the family is next stored from the
phone. A supervisor's approve or return resolves it too (`households.services._transition`). One
open record per family; a phone retrying the same edit only moves its `last_at`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from enumeration.models import Device, User
from geotag.models import Geotag
from households.models import Family, FamilyConflict


def family_conflict_record(
    *,
    family: Family,
    user: User,
    device: Device | None,
    reason: str,
    base_revision: int | None,
    geotag: Geotag | None = None,
) -> FamilyConflict:
    """Open a conflict for `family` or, if one is open, update it (who, device, reason, when; the
    stored geotag of another SLS for reason `geotag`)."""
    now = timezone.now()
    reason = reason if reason in FamilyConflict.Reason.values else FamilyConflict.Reason.CHANGED
    fields = {
        "user": user,
        "device": device,
        "reason": reason,
        "base_revision": base_revision,
        "server_revision": family.revision,
        "last_at": now,
        "geotag": geotag,
    }
    current = FamilyConflict.objects.select_for_update().filter(family=family, resolved_at__isnull=True).first()
    return _open_or_update(current, fields, family=family)


def family_conflict_record_pending(
    *, family_uuid: uuid.UUID, user: User, device: Device | None, geotag: Geotag
) -> FamilyConflict:
    """Keep the conflict of a new family refused because its geotag is stored for another SLS (there
    is no family yet): open one under the family's UUID or, if one is open, update it. Joined to the
    family when it is stored (`family_conflicts_join`)."""
    fields = {"user": user, "device": device, "geotag": geotag, "last_at": timezone.now()}
    current = (
        FamilyConflict.objects.select_for_update()
        .filter(family_uuid=family_uuid, family__isnull=True, resolved_at__isnull=True)
        .first()
    )
    return _open_or_update(
        current, fields, family_uuid=family_uuid, reason=FamilyConflict.Reason.GEOTAG, server_revision=0
    )


def _open_or_update(current: FamilyConflict | None, fields: dict[str, Any], **identity: Any) -> FamilyConflict:
    """Update the open conflict `current` with `fields`, or open one with `identity` and `fields`."""
    if current is None:
        conflict = FamilyConflict(**identity, **fields)
        conflict.full_clean()
        conflict.save()
        return conflict
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=[*fields])
    return current


def family_conflicts_join(*, client_uuids: Iterable[uuid.UUID | str]) -> int:
    """Join the conflicts kept before their family existed to the families just created with these
    UUIDs; they stay open, so the review desk flags the family until the phone stores it again or a
    supervisor acts on it. One UPDATE; returns how many were joined."""
    keys = list(client_uuids)
    if not keys:
        return 0
    family = Family.objects.filter(client_uuid=OuterRef("family_uuid")).values("pk")[:1]
    return FamilyConflict.objects.filter(family_uuid__in=keys, family__isnull=True, resolved_at__isnull=True).update(
        family_id=Subquery(family)
    )


def family_conflicts_resolve(*, family_ids: Iterable[int], resolution: str) -> int:
    """Close the open conflicts of these families; returns how many were closed."""
    ids = list(family_ids)
    if not ids:
        return 0
    return FamilyConflict.objects.filter(family_id__in=ids, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=resolution
    )


def family_conflicts_resolve_stored(*, client_uuids: Iterable[uuid.UUID | str]) -> int:
    """Close the open conflicts of the families a push just stored again (updated or unchanged)."""
    keys = list(client_uuids)
    if not keys:
        return 0
    return FamilyConflict.objects.filter(family__client_uuid__in=keys, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolution=FamilyConflict.Resolution.STORED
    )


def has_open_conflict() -> Exists:
    """For a Family queryset: whether the row has an open conflict (the partial unique index)."""
    return Exists(FamilyConflict.objects.filter(family_id=OuterRef("pk"), resolved_at__isnull=True))


def open_conflict_field(name: str) -> Subquery:
    """For a Family queryset: a column of the row's open conflict (`reason`, `last_at`), or NULL."""
    rows = FamilyConflict.objects.filter(family_id=OuterRef("pk"), resolved_at__isnull=True)
    return Subquery(rows.values(name)[:1])
