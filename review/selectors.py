"""Reads of the review desk: the queue of families to check and one family with its history.

Every read starts from `households.selectors.family_qs_for_user`, which narrows by
`enumeration.scoping`; the desk itself is for PML, Koseka and BPS admins only (`can_review`).
Each page costs a fixed number of queries whatever the number of families
(tests/review/test_views_queue.py pins them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
)

from enumeration import scoping
from enumeration.models import SLS, Role, User
from households import conflicts
from households import selectors as household_selectors
from households.models import FINAL_PRELIST, Family, FamilyStatus, Member, queue_since
from households.models import QUEUE_STATUSES as QUEUE_STATUSES
from photos.models import Photo
from review import flags
from review.flags import Flag as Flag

REVIEW_ROLES = frozenset({Role.PML, Role.KOSEKA, Role.BPS_ADMIN})
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
    has_flags: bool = False
    has_conflict: bool = False
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
            has_flags=query.get("flags") == "1",
            has_conflict=query.get("conflict") == "1",
            search=str(query.get("q") or "").strip()[:100],
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def as_query(self) -> str:
        """The filters as a query string (without the page), for links that keep them: the queue's
        rows to the family page, and its previous / next links and back link."""
        values = {
            "status": self.status,
            "sls": "" if self.sls_id is None else str(self.sls_id),
            "ppl": "" if self.ppl_id is None else str(self.ppl_id),
            "warnings": "1" if self.has_warnings else "",
            "flags": "1" if self.has_flags else "",
            "conflict": "1" if self.has_conflict else "",
            "q": self.search,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return urlencode({key: value for key, value in values.items() if value})


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
    if filters.has_flags:
        qs = qs.filter(flags.has_flags_for(user))
    if filters.has_conflict:
        qs = qs.filter(conflicts.has_open_conflict())
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
        .defer("data", "warnings", "kk_ciphertext", "sls__boundary", "sls__kelurahan__boundary")
        .annotate(
            warning_count=_warning_count(),
            since=queue_since(),
            geotag_flag_kinds=flags.geotag_flag_kinds(),
            duplicate_nik=flags.duplicate_nik(),
            duplicate_kk=flags.duplicate_kk(),
            photo_missing=ExpressionWrapper(flags.photo_missing(), output_field=BooleanField()),
            short_interview=ExpressionWrapper(flags.short_interview(), output_field=BooleanField()),
            conflict_reason=conflicts.open_conflict_field("reason"),
        )
        .order_by(*SORTS[filters.sort])
    )


class CountedPaginator(Paginator):  # type: ignore[type-arg]  # not generic at run time
    """A paginator told its count: the queue's counts per status hold it already, so the page does
    not count the families a second time (a full scan of the scope at 500,000 families)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def review_queue_page(*, user: User, filters: QueueFilters, page: Any, counts: dict[str, int]) -> Page[Family]:
    """One page of the queue (PAGE_SIZE rows): one rows query; the number of rows comes from
    `counts` (`review_queue_counts` under the same filters)."""
    total = counts[filters.status] if filters.status else sum(counts[str(status)] for status in QUEUE_STATUSES)
    return CountedPaginator(review_queue_qs(user=user, filters=filters), PAGE_SIZE, count=total).get_page(page)


def review_queue_counts(*, user: User, filters: QueueFilters) -> dict[str, int]:
    """Families per queue status under the current filters other than the status, and under
    `CONFLICT` those of them with an open sync conflict, whatever their status: one query."""
    # The open conflict joined (at most one per family, a partial unique constraint), so the count
    # stays one pass over the families instead of a subquery probed for each of them.
    base = _queue_base(user=user, filters=filters).annotate(
        open_conflict=FilteredRelation("conflicts", condition=Q(conflicts__resolved_at__isnull=True))
    )
    totals = base.aggregate(
        **{str(status): Count("id", filter=Q(status=status)) for status in QUEUE_STATUSES},
        **{Flag.CONFLICT: Count("open_conflict__id")},
    )
    return {key: int(totals[key] or 0) for key in [*map(str, QUEUE_STATUSES), Flag.CONFLICT]}


def review_sls_options(*, user: User) -> list[SLS] | None:
    """The SLS the user may filter by, or None when there are more than MAX_OPTIONS."""
    if not can_review(user):
        return []
    rows = list(
        scoping.visible_sls(user)
        .select_related("kelurahan")
        .defer("boundary", "kelurahan__boundary")
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
    """A family of the user's scope, or None (also for a user who does not review), with what its
    page shows: SLS and area (with boundaries), authors, the geotag and the VK1 row joined, the
    geotag's flag kinds as an array; members and the processed photos prefetched (two more queries)."""
    if not can_review(user):
        return None
    return (
        household_selectors.family_qs_for_user(user=user)
        .select_related("sls__kelurahan__kecamatan", "created_by", "reviewed_by", "geotag", "prelist")
        .prefetch_related(
            Prefetch("members", queryset=Member.objects.order_by("line_no")),
            Prefetch(
                "photos",
                queryset=Photo.objects.filter(status=Photo.Status.READY).order_by("created_at", "id"),
                to_attr="ready_photos",
            ),
        )
        .annotate(
            geotag_flag_kinds=flags.geotag_flag_kinds(),
            duplicate_nik=flags.duplicate_nik(),
            duplicate_kk=flags.duplicate_kk(),
            short_interview=ExpressionWrapper(flags.short_interview(), output_field=BooleanField()),
            conflict_reason=conflicts.open_conflict_field("reason"),
            conflict_at=conflicts.open_conflict_field("last_at"),
        )
        .filter(pk=family_id)
        .first()
    )


def review_family_history(*, family: Family) -> dict[str, Any]:
    """Revisions (with authors) and review events (with actors) of a family the caller may see."""
    return household_selectors.family_history(family=family)


def _after(order: tuple[str, ...], values: dict[str, Any], *, backwards: bool) -> Q:
    """Rows strictly after (or before) `values` in `order`, as a lexicographic keyset condition:
    (a > x) or (a = x and b > y) or ... A descending key ("-a") compares the other way."""
    condition = Q()
    equal = Q()
    for key in order:
        name = key.lstrip("-")
        ascending = not key.startswith("-")
        lookup = "gt" if ascending != backwards else "lt"
        condition |= equal & Q(**{f"{name}__{lookup}": values[name]})
        equal &= Q(**{name: values[name]})
    return condition


def review_queue_neighbours(*, user: User, filters: QueueFilters, family_id: int) -> tuple[int | None, int | None]:
    """The families before and after `family_id` in the queue as `filters` order it (three queries),
    or None at either end or when the family is not in that queue (any more). Keys must not be NULL:
    `since` is a submitted family's `submitted_at`, set for every family in the queue."""
    qs = review_queue_qs(user=user, filters=filters)
    order = SORTS[filters.sort]
    names = [key.lstrip("-") for key in order]
    current = qs.filter(pk=family_id).values(*names).first()
    if current is None or any(current[name] is None for name in names):
        return None, None
    reverse = tuple(key[1:] if key.startswith("-") else f"-{key}" for key in order)
    previous = qs.filter(_after(order, current, backwards=True)).order_by(*reverse).values_list("pk", flat=True).first()
    following = qs.filter(_after(order, current, backwards=False)).values_list("pk", flat=True).first()
    return previous, following


MAX_BULK = 200


def review_bulk_candidates(*, user: User, family_ids: list[int]) -> tuple[list[Family], list[Family]]:
    """The chosen families of the user's queue (at most MAX_BULK, others ignored) split into those a
    bulk approve may take (submitted, no rule warning, no flag) and the rest, each ordered by the
    queue's default order. One query; flags annotated as in the queue."""
    if not family_ids:
        return [], []
    rows = list(review_queue_qs(user=user, filters=QueueFilters()).filter(pk__in=family_ids[:MAX_BULK]))
    eligible = [f for f in rows if bulk_eligible(f)]
    return eligible, [f for f in rows if not bulk_eligible(f)]


def bulk_eligible(family: Any) -> bool:
    """Whether a queue row (annotated by `review_queue_qs`) may be approved in bulk."""
    return bool(
        family.status == FamilyStatus.SUBMITTED
        and not family.warning_count
        and not family.geotag_flag_kinds
        and not family.duplicate_nik
        and not family.duplicate_kk
        and not family.photo_missing
        and not family.short_interview
        and not family.conflict_reason
    )


@dataclass
class SLSReview:
    """An SLS as the Koseka checks it before confirming: its VK1 rows with their families, its
    families by status, what blocks confirmation, and the latest confirmation or reopening."""

    sls: SLS
    prelist: list[Any]
    families: list[Family]
    counts: dict[str, int]
    pending_rows: list[Any]
    unapproved: list[Family]
    confirmation: Any


def review_sls_get(*, user: User, sls_id: int) -> SLSReview | None:
    """One SLS of the user's scope for the SLS page, or None (also for a user who does not review).
    Five queries whatever the number of rows (the SLS, the prelist selector's scope check, VK1 rows,
    families, the confirmation); the open items are read from those lists (the same rule as
    `households.services.sls_open_items`)."""
    if not can_review(user):
        return None
    sls = scoping.visible_sls(user).select_related("kelurahan__kecamatan").filter(pk=sls_id).first()
    if sls is None:
        return None
    prelist = list(household_selectors.prelist_for_sls(user=user, sls=sls).select_related("family"))
    families = list(
        household_selectors.family_list_for_user(user=user, sls_id=sls.pk).defer("data", "warnings", "kk_ciphertext")
    )
    counts = {str(status): 0 for status in FamilyStatus}
    for family in families:
        counts[family.status] += 1
    return SLSReview(
        sls=sls,
        prelist=prelist,
        families=families,
        counts=counts,
        pending_rows=[row for row in prelist if row.status not in FINAL_PRELIST],
        unapproved=[f for f in families if f.status != FamilyStatus.APPROVED],
        confirmation=household_selectors.sls_confirmation_latest(sls=sls),
    )
