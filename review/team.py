"""Reads of the team page (`/review/tim/`): one PML's team, a row per PPL with their SLS and VK1
targets, their families by status, their phones' last sync, interviews per day and the median
minutes per interview (docs/review.md, "Team").

A PML sees their own team; a Koseka the teams of the PML they supervise (their kecamatan); a BPS
admin every team. Who may be looked at comes from `enumeration.scoping.visible_staff`, the families
from `households.selectors.family_qs_for_user`, so both follow the same scope as the queue. Four
queries whatever the size of the team (the PML, the PPL with their last sync, their active
assignments with the VK1 count, their families' figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate

from enumeration import scoping
from enumeration import selectors as enumeration_selectors
from enumeration.models import Assignment, Role, User
from households import selectors as household_selectors
from households.models import FamilyStatus
from review.selectors import can_review

# Interviews longer than this are not interviews (a phone left open overnight): left out of the median.
MAX_INTERVIEW = dt.timedelta(hours=8)


class Median(Aggregate):
    """PostgreSQL's exact median of a numeric expression."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass
class PPLRow:
    """One PPL of the team as the page shows them."""

    ppl: User
    sls: list[Any] = field(default_factory=list)
    vk1_target: int = 0
    done: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    interviews: int = 0
    interview_days: int = 0
    median_minutes: float | None = None

    @property
    def last_sync(self) -> dt.datetime | None:
        return getattr(self.ppl, "last_sync", None)

    @property
    def per_day(self) -> float | None:
        """Interviews per day the PPL interviewed (days with at least one finished interview)."""
        return self.interviews / self.interview_days if self.interview_days else None


def team_leads_for_user(*, user: User) -> QuerySet[User]:
    """The PML whose team the user may open: themselves for a PML, those of the Koseka's kecamatan,
    every PML for a BPS admin; none for anyone else."""
    if not can_review(user):
        return User.objects.none()
    return scoping.visible_staff(user).filter(role=Role.PML).order_by("username")


def team_lead_get(*, user: User, pml_id: int) -> User | None:
    """A PML the user may open, or None (outside the scope, not a PML)."""
    return team_leads_for_user(user=user).filter(pk=pml_id).first()


def team_rows(*, user: User, pml: User) -> list[PPLRow]:
    """A row per PPL of `pml`'s team (active or not, by username): three queries. The caller has
    checked `pml` with `team_lead_get`; the families counted are those of the user's scope."""
    ppl_list = list(
        enumeration_selectors.staff_list_for_user(user=user)
        .filter(role=Role.PPL, supervisor=pml)
        .annotate(last_sync=Max("devices__last_seen_at"))
        .order_by("username")
    )
    rows = {person.pk: PPLRow(ppl=person) for person in ppl_list}
    assignments = (
        Assignment.objects.filter(
            ppl_id__in=rows, ended_at__isnull=True, sls__in=scoping.visible_sls(user).values("pk")
        )
        .select_related("sls")
        .defer("sls__boundary")
        .annotate(vk1=Count("sls__prelist"))
        .order_by("sls__kelurahan_id", "sls__code", "sls__sub_code")
    )
    for assignment in assignments:
        row = rows[assignment.ppl_id]
        row.sls.append(assignment.sls)
        row.vk1_target += assignment.vk1
    duration = ExpressionWrapper(F("interview_finished_at") - F("interview_started_at"), output_field=DurationField())
    seconds = Func(duration, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField())
    timed = Q(interview_started_at__isnull=False, interview_finished_at__gte=F("interview_started_at"))
    sane = timed & Q(interview_finished_at__lte=F("interview_started_at") + MAX_INTERVIEW)
    figures = (
        household_selectors.family_qs_for_user(user=user)
        .filter(created_by_id__in=rows)
        .exclude(status=FamilyStatus.DRAFT)
        .values("created_by_id")
        .annotate(
            done=Count("id"),
            submitted=Count("id", filter=Q(status=FamilyStatus.SUBMITTED)),
            approved=Count("id", filter=Q(status=FamilyStatus.APPROVED)),
            returned=Count("id", filter=Q(status=FamilyStatus.RETURNED)),
            interviews=Count("id", filter=timed),
            # Days in the project's time zone (Asia/Jakarta), as the PPL lived them.
            interview_days=Count(TruncDate("interview_finished_at"), filter=timed, distinct=True),
            median_seconds=Median(seconds, filter=sane),
        )
        .order_by()
    )
    for values in figures:
        row = rows[values["created_by_id"]]
        for name in ("done", "submitted", "approved", "returned", "interviews", "interview_days"):
            setattr(row, name, values[name])
        seconds = values["median_seconds"]
        row.median_minutes = None if seconds is None else seconds / 60
    return list(rows.values())
