"""Reads of the review desk: the queue of families to check and one family with its history.

Every read starts from `households.selectors.family_qs_for_user`, which narrows by
`enumeration.scoping`; the desk itself is for PML, Koseka and BPS admins only (`can_review`).
Each page costs a fixed number of queries whatever the number of families
(tests/review/test_views_queue.py pins them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Func, IntegerField, Q, QuerySet, When
from django.db.models.functions import Coalesce

from enumeration import scoping
from enumeration.models import SLS, Role, User
from households import selectors as household_selectors
from households.models import Family, FamilyStatus

REVIEW_ROLES = frozenset({Role.PML, Role.KOSEKA, Role.BPS_ADMIN})
QUEUE_STATUSES = (FamilyStatus.SUBMITTED, FamilyStatus.RETURNED, FamilyStatus.APPROVED)
PAGE_SIZE = 50
# Filter lists longer than this (a BPS admin's whole city) are not offered as a select; the
# table's SLS and PPL links still filter by one of them.
MAX_OPTIONS = 400

# sort key -> ORDER BY; every order ends on the id so that pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "since": ("since", "id"),
    "-since": ("-since", "-id"),
    "sls": ("sls__kelurahan_id", "sls__code", "sls__sub_code", "building_no", "family_no", "id"),
    "ppl": ("created_by__username", "since", "id"),
    "head": ("head_name", "id"),
    "-warnings": ("-warning_count", "since", "id"),
}
DEFAULT_SORT = "since"


def can_review(user: User) -> bool:
    """Whether the user works at the review desk at all (scope decides which families)."""
    return bool(user.is_authenticated and user.is_active and user.role in REVIEW_ROLES)


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    sls_id: int | None = None
    ppl_id: int | None = None
    has_warnings: bool = False
    search: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        """Filters from a GET query dict; unknown or malformed values are ignored, not refused."""

        def number(key: str) -> int | None:
            value = str(query.get(key) or "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None

        status = str(query.get("status") or "")
        sort = str(query.get("sort") or DEFAULT_SORT)
        return cls(
            status=status if status in QUEUE_STATUSES else "",
            sls_id=number("sls"),
            ppl_id=number("ppl"),
            has_warnings=query.get("warnings") == "1",
            search=str(query.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )


def _warning_count() -> Func:
    return Func(F("warnings"), function="jsonb_array_length", output_field=IntegerField())


def _queue_base(*, user: User, filters: QueueFilters) -> QuerySet[Family]:
    """The families of the user's scope in the queue, filtered by everything but the status."""
    if not can_review(user):
        return Family.objects.none()
    qs = household_selectors.family_qs_for_user(user=user).filter(status__in=QUEUE_STATUSES)
    if filters.sls_id is not None:
        qs = qs.filter(sls_id=filters.sls_id)
    if filters.ppl_id is not None:
        qs = qs.filter(created_by_id=filters.ppl_id)
    if filters.has_warnings:
        qs = qs.exclude(warnings=[])
    if filters.search:
        match = Q(head_name__icontains=filters.search)
        if filters.search.isascii() and filters.search.isdigit():
            match |= Q(building_no=filters.search) | Q(building_no=filters.search.zfill(3))
        qs = qs.filter(match)
    return qs


def review_queue_qs(*, user: User, filters: QueueFilters) -> QuerySet[Family]:
    """The queue's rows: SLS, kelurahan and PPL joined, the warning count and `since` (when the
    family entered its current status: submitted, or last reviewed) annotated; answers deferred."""
    qs = _queue_base(user=user, filters=filters)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return (
        qs.select_related("sls__kelurahan", "created_by")
        .defer("data", "warnings", "kk_ciphertext")
        .annotate(
            warning_count=_warning_count(),
            since=Case(
                When(status=FamilyStatus.SUBMITTED, then=F("submitted_at")),
                default=Coalesce(F("reviewed_at"), F("submitted_at")),
            ),
        )
        .order_by(*SORTS[filters.sort])
    )


def review_queue_page(*, user: User, filters: QueueFilters, page: Any) -> Page[Family]:
    """One page of the queue (PAGE_SIZE rows): a count and a rows query."""
    return Paginator(review_queue_qs(user=user, filters=filters), PAGE_SIZE).get_page(page)


def review_queue_counts(*, user: User, filters: QueueFilters) -> dict[str, int]:
    """Families per queue status under the current filters other than the status: one query."""
    totals = _queue_base(user=user, filters=filters).aggregate(
        **{str(status): Count("id", filter=Q(status=status)) for status in QUEUE_STATUSES}
    )
    return {str(status): int(totals[str(status)] or 0) for status in QUEUE_STATUSES}


def review_sls_options(*, user: User) -> list[SLS] | None:
    """The SLS the user may filter by, or None when there are more than MAX_OPTIONS."""
    if not can_review(user):
        return []
    rows = list(
        scoping.visible_sls(user)
        .select_related("kelurahan")
        .order_by("kelurahan_id", "code", "sub_code")[: MAX_OPTIONS + 1]
    )
    return rows if len(rows) <= MAX_OPTIONS else None


def review_ppl_options(*, user: User) -> list[User] | None:
    """The PPL the user may filter by, or None when there are more than MAX_OPTIONS."""
    if not can_review(user):
        return []
    rows = list(scoping.visible_staff(user).filter(role=Role.PPL).order_by("username")[: MAX_OPTIONS + 1])
    return rows if len(rows) <= MAX_OPTIONS else None


def review_family_get(*, user: User, family_id: int) -> Family | None:
    """A family of the user's scope with SLS, area, authors and members, or None (also for a
    user who does not review)."""
    if not can_review(user):
        return None
    return household_selectors.family_get_for_user(user=user, family_id=family_id)


def review_family_history(*, family: Family) -> dict[str, Any]:
    """Revisions (with authors) and review events (with actors) of a family the caller may see."""
    return household_selectors.family_history(family=family)
