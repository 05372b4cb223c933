"""Field staff health: each PPL's devices as their last sync reported them (time, app version,
how much waited to be sent) and whether their sign-in is locked out, for supervisors in scope;
revocation goes through `enumeration.devices.device_revoke` (BPS admins only), unlocking through
`enumeration.signin_guard.signin_unlock` (PML, Koseka, BPS admins)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from enumeration import scoping, signin_guard
from enumeration.models import Device, Role, User
from monitoring.quality import can_monitor


@dataclass
class StaffHealth:
    ppl: User
    devices: list[Device] = field(default_factory=list)
    locked_out: bool = False

    @property
    def last_seen(self) -> object:
        seen = [d.last_seen_at for d in self.devices if d.last_seen_at is not None]
        return max(seen) if seen else None

    @property
    def stale(self) -> bool:
        """No active device, or none seen within QUALITY_STALE_SYNC_DAYS."""
        active = [d for d in self.devices if d.revoked_at is None and d.last_seen_at is not None]
        if not active:
            return True
        latest = max(d.last_seen_at for d in active if d.last_seen_at is not None)
        return (timezone.now() - latest).days > settings.QUALITY_STALE_SYNC_DAYS

    @property
    def unsent(self) -> int:
        return sum(d.unsent_count or 0 for d in self.devices if d.revoked_at is None)


def staff_health_for_user(*, user: User) -> list[StaffHealth]:
    """Every PPL the user sees, with their devices (newest first), by username."""
    if not can_monitor(user):
        return []
    devices = Device.objects.order_by("-created_at")
    ppl: QuerySet[User] = (
        scoping.visible_staff(user)
        .filter(role=Role.PPL)
        .select_related("supervisor")
        .prefetch_related(Prefetch("devices", queryset=devices))
        .order_by("username")
    )
    people = list(ppl)
    locked = signin_guard.locked_out_usernames(usernames=[person.username for person in people])
    return [
        StaffHealth(ppl=person, devices=list(person.devices.all()), locked_out=person.username in locked)
        for person in people
    ]


def device_get_for_user(*, user: User, device_id: uuid.UUID) -> Device | None:
    """A device of a PPL the user sees, or None."""
    if not can_monitor(user):
        return None
    staff = scoping.visible_staff(user).filter(role=Role.PPL).values("pk")
    return Device.objects.select_related("user").filter(pk=device_id, user__in=staff).first()


def ppl_get_for_user(*, user: User, ppl_id: int) -> User | None:
    """A PPL the user sees, or None."""
    if not can_monitor(user):
        return None
    return scoping.visible_staff(user).filter(pk=ppl_id, role=Role.PPL).first()


def can_revoke(user: User) -> bool:
    return bool(user.is_active and (user.role == Role.BPS_ADMIN or user.is_superuser))
