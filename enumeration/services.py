"""All writes to areas, staff and assignments."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import SLS, SUPERVISOR_ROLE, Assignment, Role, User
from regsosek.errors import ApplicationError, NotAllowedError

logger = logging.getLogger(__name__)


def staff_problems(
    *, role: str, supervisor: User | None, kecamatan_id: str | None, supervisor_role: str | None = None
) -> list[tuple[str, str]]:
    """Check the team rules for one staff member; returns (field, Indonesian reason) pairs.

    `supervisor_role` lets the CSV import check a supervisor that is itself still in the file.
    """
    problems: list[tuple[str, str]] = []
    if role not in Role.values:
        problems.append(("role", _("peran tidak dikenal")))
        return problems
    expected = SUPERVISOR_ROLE.get(role)
    actual_role = supervisor_role if supervisor_role is not None else (supervisor.role if supervisor else None)
    if expected is None:
        if actual_role is not None:
            problems.append(("supervisor", _("peran ini tidak memiliki atasan")))
    elif actual_role is None:
        problems.append(
            (
                "supervisor",
                _("wajib diisi: %(role)s harus memiliki atasan %(sup)s")
                % {"role": Role(role).label, "sup": Role(expected).label},
            )
        )
    elif actual_role != expected:
        problems.append(("supervisor", _("atasan harus ber-peran %(sup)s") % {"sup": Role(expected).label}))
    if role == Role.KOSEKA and not kecamatan_id:
        problems.append(("kecamatan", _("wajib diisi untuk Koseka")))
    return problems


@transaction.atomic
def assignment_assign(*, sls: SLS, ppl: User, by: User | None) -> Assignment:
    """Give `sls` to `ppl`, ending the SLS's current assignment if another PPL holds it.

    Idempotent: assigning an SLS to the PPL who already holds it returns that assignment.
    Locks the SLS row so two concurrent reassignments cannot both succeed.
    Records already collected stay attached to the SLS, so nothing is orphaned.
    Raises NotAllowedError if `by` may not manage this SLS, ApplicationError if `ppl` is not
    an active PPL.
    """
    if by is not None and not scoping.can_manage_assignments(by, sls):
        raise NotAllowedError(_("Anda tidak berwenang mengatur penugasan SLS ini."))
    if ppl.role != Role.PPL or not ppl.is_active:
        raise ApplicationError(_("Penugasan hanya untuk PPL yang aktif."), extra={"field": "ppl"})
    SLS.objects.select_for_update().get(pk=sls.pk)
    now = timezone.now()
    current = Assignment.objects.filter(sls=sls, ended_at__isnull=True).first()
    if current is not None:
        if current.ppl_id == ppl.pk:
            return current
        current.ended_at = now
        current.ended_by = by
        current.end_reason = _("dialihkan ke PPL lain")
        current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    assignment = Assignment(sls=sls, ppl=ppl, started_at=now, assigned_by=by)
    assignment.full_clean()
    assignment.save()
    logger.info("assignment.assigned", extra={"sls_id": sls.pk, "ppl_id": ppl.pk, "assignment_id": assignment.pk})
    return assignment


@transaction.atomic
def assignment_end(*, sls: SLS, by: User | None, reason: str) -> Assignment | None:
    """End the SLS's active assignment (if any); the row stays as history."""
    if by is not None and not scoping.can_manage_assignments(by, sls):
        raise NotAllowedError(_("Anda tidak berwenang mengatur penugasan SLS ini."))
    SLS.objects.select_for_update().get(pk=sls.pk)
    current = Assignment.objects.filter(sls=sls, ended_at__isnull=True).first()
    if current is None:
        return None
    current.ended_at = timezone.now()
    current.ended_by = by
    current.end_reason = reason[:255]
    current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return current
