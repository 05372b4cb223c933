"""Reads of the audit log for BPS admins: filtered entries for the page and its CSV export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from enumeration import scoping
from enumeration.models import Kecamatan, Kelurahan, User


@dataclass(frozen=True)
class AuditFilter:
    """What the page filters by; empty values filter nothing."""

    person: str = ""
    action: str = ""
    kecamatan: str = ""
    kelurahan: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def describe(self) -> str:
        """The filters as codes for the export's audit entry (a staff username at most, no data of respondents)."""
        parts = [
            f"{name}={value}"
            for name, value in [
                ("person", self.person),
                ("action", self.action),
                ("kecamatan", self.kecamatan),
                ("kelurahan", self.kelurahan),
                ("object", f"{self.object_type}:{self.object_id}" if self.object_type or self.object_id else ""),
                ("from", self.date_from.isoformat() if self.date_from else ""),
                ("to", self.date_to.isoformat() if self.date_to else ""),
            ]
            if value
        ]
        return " ".join(parts)


def can_read_audit_log(user: User) -> bool:
    """BPS Kota admins (and the technical superuser): the same people as the admin's."""
    return scoping.can_use_admin(user)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def audit_entry_list(*, user: User, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching `filters`, newest first; none for anyone who may not read the log.

    A person matches as the actor (by username) and as the object of an entry about their account
    (a failed sign-in, their sessions ended). Dates are whole days in the server's time zone, both ends
    included. The area filter narrows to entries recorded with that area; entries without one
    (a BPS admin's change of a setting) appear only when no area is chosen."""
    if not can_read_audit_log(user):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.all()
    if filters.person:
        account_ids = [str(pk) for pk in User.objects.filter(username=filters.person).values_list("pk", flat=True)]
        qs = qs.filter(Q(actor_username=filters.person) | Q(object_type="user", object_id__in=account_ids))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.kecamatan:
        qs = qs.filter(kecamatan_code=filters.kecamatan)
    if filters.kelurahan:
        qs = qs.filter(kelurahan_code=filters.kelurahan)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


def audit_area_choices(*, user: User) -> tuple[QuerySet[Kecamatan], QuerySet[Kelurahan]]:
    """The kecamatan and kelurahan the user may filter by (their scope: everything for a BPS admin)."""
    # Codes and names only: the boundaries are large and the form needs none.
    return (
        scoping.visible_kecamatan(user).only("bps_code", "name").order_by("bps_code"),
        scoping.visible_kelurahan(user)
        .select_related("kecamatan")
        .only("bps_code", "name", "kecamatan__name")
        .order_by("bps_code"),
    )
