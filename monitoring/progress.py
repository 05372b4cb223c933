"""The progress dashboard's numbers and trend (docs/monitoring.md).

A page is a node of the drill-down kota → kecamatan → kelurahan → SLS, or a PPL (the SLS assigned
to them now). Every count covers the SLS of the node that the user may see (`enumeration.scoping`),
so a PML's kota page is their team's SLS only. The numbers are read from counters kept per SLS by
PostgreSQL triggers in the transaction of every change (monitoring.models), so they equal the data
at that moment without counting 500,000 families per page (measured in docs/performance.md,
"Monitoring"); the `*_fresh` functions count the same from the domain tables, for the tests and the
benchmark. The roll-up from SLS to kelurahan, kecamatan or PPL is done here, over at most a few rows
per SLS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from enumeration import scoping
from enumeration.models import SLS, Assignment, KabKota, Role, User
from households.models import Family, FamilyStatus, PrelistFamily, PrelistStatus, SLSConfirmation
from monitoring.models import SLSFamilyCount, SLSFamilyDay, SLSPrelistCount
from regsosek.fieldwork import fieldwork_period

MONITOR_ROLES = frozenset({Role.PML, Role.KOSEKA, Role.BPS_ADMIN})

KOTA, KECAMATAN, KELURAHAN, SLS_LEVEL, PPL = "kota", "kecamatan", "kelurahan", "sls", "ppl"
LEVELS = (KOTA, KECAMATAN, KELURAHAN, SLS_LEVEL, PPL)
# The rows of a node's table: its child areas, or (by=ppl) the PPL holding its SLS.
CHILD_LEVEL = {KOTA: KECAMATAN, KECAMATAN: KELURAHAN, KELURAHAN: SLS_LEVEL, PPL: SLS_LEVEL}

# VK1 rows that end without a K record: the family is accounted for, nothing to collect.
CLOSED_WITHOUT_RECORD = (
    PrelistStatus.MOVED,
    PrelistStatus.DECEASED,
    PrelistStatus.NOT_FOUND,
    PrelistStatus.DUPLICATE,
)


def can_monitor(user: User) -> bool:
    """PML, Koseka and BPS admins; PPL and Pemkot staff see none of the monitoring pages."""
    return bool(user.is_authenticated and user.is_active and user.role in MONITOR_ROLES)


@dataclass
class Counts:
    """The numbers of one row. `closed` VK1 rows ended without a K record (moved, deceased, not
    found, duplicate); `collected` is every family record on the server, whatever its status."""

    target: int = 0
    closed: int = 0
    collected: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    sls: int = 0
    sls_confirmed: int = 0

    def add(self, other: Counts) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def done(self) -> int:
        """VK1 families accounted for: approved records plus rows closed without one."""
        return self.approved + self.closed

    @property
    def percent_done(self) -> float | None:
        """done / target in percent, at most 100 (records without a VK1 row can exceed the
        target); None without a VK1 target."""
        if self.target == 0:
            return None
        return min(100.0, 100.0 * self.done / self.target)


@dataclass(frozen=True)
class Node:
    """A page of the drill-down: `key` is "" (kota), a BPS code, an SLS id or a PPL's user id."""

    level: str
    key: str
    name: str
    code: str = ""
    crumbs: tuple[tuple[str, str, str], ...] = ()  # (level, key, name) from the kota down, self excluded


@dataclass
class Row:
    level: str
    key: str
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)
    ppl_id: int | None = None
    ppl_username: str = ""
    confirmed: bool = False


@dataclass
class Progress:
    node: Node
    by: str  # "area" or "ppl"
    total: Counts
    rows: list[Row]
    counted_at: dt.datetime


def node_get(*, user: User, level: str, key: str = "") -> Node | None:
    """The node `level`/`key` if the user may monitor it, else None (also for unknown keys)."""
    if not can_monitor(user) or level not in LEVELS:
        return None
    kota_name = settings.REGSOSEK_KABKOTA_CODE
    kabkota = KabKota.objects.filter(bps_code=settings.REGSOSEK_KABKOTA_CODE).first()
    if kabkota is not None:
        kota_name = kabkota.name
    kota = (KOTA, "", kota_name)
    if level == KOTA:
        return Node(level=KOTA, key="", name=kota_name, code=settings.REGSOSEK_KABKOTA_CODE)
    if level == KECAMATAN:
        kec = scoping.visible_kecamatan(user).filter(pk=key).first()
        return None if kec is None else Node(KECAMATAN, kec.pk, kec.name, kec.pk, (kota,))
    if level == KELURAHAN:
        kel = scoping.visible_kelurahan(user).select_related("kecamatan").filter(pk=key).first()
        if kel is None:
            return None
        return Node(KELURAHAN, kel.pk, kel.name, kel.pk, (kota, (KECAMATAN, kel.kecamatan_id, kel.kecamatan.name)))
    if not key.isascii() or not key.isdigit() or len(key) > 12:
        return None
    if level == SLS_LEVEL:
        sls = scoping.visible_sls(user).select_related("kelurahan__kecamatan").filter(pk=int(key)).first()
        if sls is None:
            return None
        kel = sls.kelurahan
        crumbs = (kota, (KECAMATAN, kel.kecamatan_id, kel.kecamatan.name), (KELURAHAN, kel.pk, kel.name))
        return Node(SLS_LEVEL, str(sls.pk), sls.name, sls.full_code, crumbs)
    ppl = scoping.visible_staff(user).filter(pk=int(key), role=Role.PPL).first()
    if ppl is None:
        return None
    return Node(PPL, str(ppl.pk), ppl.full_name, ppl.username, (kota,))


def node_sls_qs(*, user: User, node: Node) -> QuerySet[SLS]:
    """The SLS a node counts, within the user's scope."""
    qs = scoping.visible_sls(user)
    if node.level == KECAMATAN:
        qs = qs.filter(kelurahan__kecamatan_id=node.key)
    elif node.level == KELURAHAN:
        qs = qs.filter(kelurahan_id=node.key)
    elif node.level == SLS_LEVEL:
        qs = qs.filter(pk=int(node.key))
    elif node.level == PPL:
        qs = qs.filter(pk__in=Assignment.objects.filter(ppl_id=int(node.key), ended_at__isnull=True).values("sls_id"))
    return qs


def sls_ids(sls_qs: QuerySet[SLS]) -> QuerySet[SLS, Any]:
    """The ids of `sls_qs` as a subquery. visible_sls() is distinct(); `IN (subquery)` needs no
    DISTINCT and plans better without it."""
    ids = sls_qs.order_by().values("pk")
    ids.query.distinct = False
    return ids


def in_sls(qs: QuerySet[Any], sls_qs: QuerySet[SLS]) -> QuerySet[Any]:
    """`qs` (of a model with an `sls` key) narrowed to the SLS of `sls_qs`. When `sls_qs` is every
    SLS (a BPS admin's kota) there is nothing to narrow: no join, which halves the time of a count
    over 500,000 families (docs/performance.md, "Monitoring")."""
    if not sls_qs.query.where:
        return qs
    return qs.filter(sls_id__in=sls_ids(sls_qs))


def sls_counts(*, sls_qs: QuerySet[SLS]) -> dict[int, Counts]:
    """Counts per SLS id of `sls_qs`, read from the counters kept per SLS by the database's triggers
    (monitoring.models, migration 0003: always equal to the data, no age to show): one query each
    over families per status, VK1 rows per status and the latest confirmations."""
    ids = sls_ids(sls_qs)
    per: dict[int, Counts] = {}
    families = in_sls(SLSFamilyCount.objects.filter(families__gt=0), sls_qs).values_list("sls_id", "status", "families")
    for sls_id, status, n in families:
        _add_family_status(per.setdefault(sls_id, Counts()), status, n)
    prelist = in_sls(SLSPrelistCount.objects.filter(rows__gt=0), sls_qs).values_list("sls_id", "status", "rows")
    for sls_id, status, n in prelist:
        c = per.setdefault(sls_id, Counts())
        c.target += n
        if status in CLOSED_WITHOUT_RECORD:
            c.closed += n
    for sls_id in confirmed_sls_ids(sls_ids=ids):
        per.setdefault(sls_id, Counts()).sls_confirmed = 1
    return per


def sls_counts_fresh(*, sls_qs: QuerySet[SLS]) -> dict[int, Counts]:
    """The same as sls_counts, counted from the families and VK1 rows themselves (grouped queries
    over their indexes). What the counters must always equal: the tests compare the two, and
    `make bench-monitoring` times both."""
    ids = sls_ids(sls_qs)
    per: dict[int, Counts] = {}
    families = in_sls(Family.objects.all(), sls_qs).order_by().values_list("sls_id", "status").annotate(n=Count("*"))
    for sls_id, status, n in families:
        _add_family_status(per.setdefault(sls_id, Counts()), status, n)
    prelist = (
        in_sls(PrelistFamily.objects.all(), sls_qs)
        .order_by()
        .values_list("sls_id")
        .annotate(target=Count("*"), closed=Count("id", filter=Q(status__in=CLOSED_WITHOUT_RECORD)))
    )
    for sls_id, target, closed in prelist:
        c = per.setdefault(sls_id, Counts())
        c.target, c.closed = target, closed
    for sls_id in confirmed_sls_ids(sls_ids=ids):
        per.setdefault(sls_id, Counts()).sls_confirmed = 1
    return per


def _add_family_status(c: Counts, status: str, n: int) -> None:
    c.collected += n
    if status == FamilyStatus.SUBMITTED:
        c.submitted += n
    elif status == FamilyStatus.APPROVED:
        c.approved += n
    elif status == FamilyStatus.RETURNED:
        c.returned += n


def confirmed_sls_ids(*, sls_ids: QuerySet[SLS, Any]) -> set[int]:
    """SLS whose latest confirmation row is a confirmation (not a reopening)."""
    latest = (
        SLSConfirmation.objects.filter(sls_id__in=sls_ids)
        .order_by("sls_id", "-at", "-id")
        .distinct("sls_id")
        .values_list("sls_id", "action")
    )
    return {sls_id for sls_id, action in latest if action == SLSConfirmation.Action.CONFIRM}


def _sls_rows(sls_qs: QuerySet[SLS]) -> Iterable[dict[str, Any]]:
    """The SLS with their kelurahan and kecamatan, and the PPL holding each now (a second query:
    one correlated subquery per SLS costs a second at 8,000 SLS)."""
    rows: list[dict[str, Any]] = list(
        sls_qs.order_by("kelurahan_id", "code", "sub_code").values(  # type: ignore[arg-type]  # plain dicts
            "pk",
            "code",
            "sub_code",
            "name",
            "kelurahan_id",
            "kelurahan__name",
            "kelurahan__kecamatan_id",
            "kelurahan__kecamatan__name",
        )
    )
    active = in_sls(Assignment.objects.filter(ended_at__isnull=True), sls_qs).values_list(
        "sls_id", "ppl_id", "ppl__username"
    )
    holder = {sls_id: (ppl_id, username) for sls_id, ppl_id, username in active}
    for row in rows:
        row["ppl_id"], row["ppl_username"] = holder.get(row["pk"], (None, ""))
    return rows


def progress_get(*, user: User, node: Node, by: str = "area") -> Progress:
    """The node's totals and its rows: child areas (kota: kecamatan; kecamatan: kelurahan;
    kelurahan and PPL: SLS; SLS: the SLS itself) or, with by="ppl", one row per PPL holding an SLS
    of the node. Rows without a single SLS in scope are left out. Rows of kecamatan, kelurahan or
    PPL are summed by the database (a few grouped queries over the counters, a few rows each);
    SLS rows are built here from one row per SLS."""
    sls_qs = node_sls_qs(user=user, node=node)
    by = "ppl" if by == "ppl" and node.level not in (SLS_LEVEL, PPL) else "area"
    child = CHILD_LEVEL.get(node.level, SLS_LEVEL)
    if by == "ppl" or child in (KECAMATAN, KELURAHAN):
        rows = _grouped_rows(sls_qs=sls_qs, group=PPL if by == "ppl" else child)
    else:
        rows = _sls_level_rows(sls_qs)
    total = Counts()
    for row in rows:
        total.add(row.counts)
    ordered = sorted(rows, key=lambda r: (r.key == "", r.code)) if by == "ppl" else rows
    return Progress(node=node, by=by, total=total, rows=ordered, counted_at=timezone.now())


def _sls_level_rows(sls_qs: QuerySet[SLS]) -> list[Row]:
    per = sls_counts(sls_qs=sls_qs)
    rows: list[Row] = []
    for s in _sls_rows(sls_qs):
        counts = per.get(s["pk"], Counts())
        counts.sls = 1
        rows.append(
            Row(
                SLS_LEVEL,
                str(s["pk"]),
                f"{s['kelurahan_id']}{s['code']}{s['sub_code']}",
                s["name"],
                counts=counts,
                ppl_id=s["ppl_id"],
                ppl_username=s["ppl_username"] or "",
                confirmed=bool(counts.sls_confirmed),
            )
        )
    return rows


# The group of an SLS, from a model with an `sls` key: its kecamatan, its kelurahan, or the PPL
# holding it now (`active`: the SLS's open assignment, annotated by _with_holder).
_GROUP_KEY = {
    KECAMATAN: ("sls__kelurahan__kecamatan_id", "sls__kelurahan__kecamatan__name"),
    KELURAHAN: ("sls__kelurahan_id", "sls__kelurahan__name"),
    PPL: ("active__ppl_id", "active__ppl__username"),
}


def _with_holder(qs: QuerySet[Any], group: str) -> QuerySet[Any]:
    if group != PPL:
        return qs
    annotated: QuerySet[Any] = qs.annotate(
        active=FilteredRelation("sls__assignments", condition=Q(sls__assignments__ended_at__isnull=True))
    )
    return annotated


def _grouped_rows(*, sls_qs: QuerySet[SLS], group: str) -> list[Row]:
    """One row per kecamatan, kelurahan or PPL of the SLS in `sls_qs`, summed by the database from
    the counters kept per SLS: four grouped queries of a few rows per group each."""
    key, name = _GROUP_KEY[group]
    rows: dict[str, Row] = {}

    def row_for(k: Any, label: Any) -> Row:
        k = "" if k is None else str(k)
        if k not in rows:
            code = (label or "") if group == PPL else k
            rows[k] = Row(group, k, code, label or "")
        return rows[k]

    # The SLS of each group (every group with an SLS in scope gets a row) and the confirmed ones.
    confirmed = confirmed_sls_ids(sls_ids=sls_ids(sls_qs))
    sls_keyed = (
        SLS.objects.filter(pk__in=sls_ids(sls_qs))
        .annotate(active=FilteredRelation("assignments", condition=Q(assignments__ended_at__isnull=True)))
        .order_by()
        .values_list(key.removeprefix("sls__"), name.removeprefix("sls__"))
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(pk__in=confirmed)))
    )
    for k, label, n, n_confirmed in sls_keyed:
        row = row_for(k, label)
        row.counts.sls += n
        row.counts.sls_confirmed += n_confirmed
    families = (
        _with_holder(in_sls(SLSFamilyCount.objects.filter(families__gt=0), sls_qs), group)
        .order_by()
        .values_list(key, name, "status")
        .annotate(n=Sum("families"))
    )
    for k, label, status, n in families:
        _add_family_status(row_for(k, label).counts, status, n)
    prelist = (
        _with_holder(in_sls(SLSPrelistCount.objects.filter(rows__gt=0), sls_qs), group)
        .order_by()
        .values_list(key, name, "status")
        .annotate(n=Sum("rows"))
    )
    for k, label, status, n in prelist:
        c = row_for(k, label).counts
        c.target += n
        if status in CLOSED_WITHOUT_RECORD:
            c.closed += n
    return sorted(rows.values(), key=lambda r: r.code)


# --- the daily trend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: dt.date
    collected: int
    approved: int
    collected_total: int  # cumulative, including families that arrived before the period
    approved_total: int
    plan_total: float  # the VK1 target spread evenly over the period's days, cumulative


@dataclass(frozen=True)
class Trend:
    start: dt.date
    end: dt.date
    target: int
    days: list[Day]
    collected_before: int
    approved_before: int
    collected_after: int
    approved_after: int


def trend_days(*, sls_qs: QuerySet[SLS]) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """Families collected and approved per local day over the SLS of `sls_qs`, from the counters kept
    per SLS and day (equal to the data, like sls_counts): one grouped query."""
    rows = (
        in_sls(SLSFamilyDay.objects.all(), sls_qs)
        .order_by()
        .values_list("day")
        .annotate(c=Sum("collected"), a=Sum("approved"))
    )
    collected: dict[dt.date, int] = {}
    approved: dict[dt.date, int] = {}
    for day, c, a in rows:
        if c:
            collected[day] = c
        if a:
            approved[day] = a
    return collected, approved


def trend_days_fresh(*, sls_qs: QuerySet[SLS]) -> tuple[dict[dt.date, int], dict[dt.date, int]]:
    """trend_days counted from the families themselves (two grouped queries): what the counters
    must equal (tests) and the "before" of `make bench-monitoring`."""
    families = in_sls(Family.objects.all(), sls_qs)
    return _per_day(families, "created_at"), _per_day(families.filter(status=FamilyStatus.APPROVED), "reviewed_at")


def _per_day(qs: QuerySet[Family], column: str) -> dict[dt.date, int]:
    rows = qs.annotate(day=TruncDate(column)).order_by().values_list("day").annotate(n=Count("*"))
    return {day: n for day, n in rows if day is not None}


def progress_trend(*, user: User, node: Node, target: int) -> Trend:
    """Families collected (by the day they reached the server) and approved (by the day of the
    approval that holds now) per local day of the fieldwork period, with their running totals and
    the plan: `target` spread evenly over the period. Families outside the period are counted
    before or after it. One grouped query over the counters kept per SLS and day."""
    start, end = fieldwork_period()
    collected, approved = trend_days(sls_qs=node_sls_qs(user=user, node=node))
    n_days = (end - start).days + 1
    c_before = sum(n for d, n in collected.items() if d < start)
    a_before = sum(n for d, n in approved.items() if d < start)
    c_total, a_total = c_before, a_before
    days: list[Day] = []
    for i in range(n_days):
        day = start + dt.timedelta(days=i)
        c, a = collected.get(day, 0), approved.get(day, 0)
        c_total += c
        a_total += a
        days.append(Day(day, c, a, c_total, a_total, target * (i + 1) / n_days))
    return Trend(
        start=start,
        end=end,
        target=target,
        days=days,
        collected_before=c_before,
        approved_before=a_before,
        collected_after=sum(n for d, n in collected.items() if d > end),
        approved_after=sum(n for d, n in approved.items() if d > end),
    )
