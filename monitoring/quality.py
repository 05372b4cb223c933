"""The quality report: per PPL and per SLS, what a supervisor should look at, with the families
behind every count.

Each check is one SQL predicate on a family (`CHECKS`): the same text counts it in the tables
(`count(*) FILTER (WHERE …)`) and lists its families, so a count and its list cannot disagree.
Families are those in the user's scope (enumeration.scoping); a PPL is the family's author
(`created_by`), an SLS the family's. Outliers use thresholds from settings
(QUALITY_SHORT_INTERVIEW_MINUTES, QUALITY_MAX_FAMILIES_PER_DAY, QUALITY_STALE_SYNC_DAYS;
docs/monitoring-quality.md).

Interview durations come from the phone's start and finish times; a family without both (or with
a finish before its start) has an unknown duration: left out of median and minimum, and counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enumeration import scoping
from enumeration.models import SLS, Role, User
from geotag.models import GeotagFlag
from households import selectors as household_selectors
from households.models import Family

MONITOR_ROLES = {Role.PML, Role.KOSEKA, Role.BPS_ADMIN}
LIST_LIMIT = 500


def can_monitor(user: Any) -> bool:
    return bool(isinstance(user, User) and user.is_active and user.role in MONITOR_ROLES)


def _flag(kind: str) -> str:
    # `kind` is one of GeotagFlag.Kind's values, never user input.
    return f"EXISTS (SELECT 1 FROM geotag_geotagflag fl WHERE fl.geotag_id = f.geotag_id AND fl.kind = '{kind}')"  # noqa: S608


DURATION_SQL = "EXTRACT(EPOCH FROM (f.interview_finished_at - f.interview_started_at))"

# Every check: its key (URL-safe), label, and predicate on the alias `f` of households_family.
# `%(short)s` is the short-interview threshold in seconds (a parameter).
CHECKS: dict[str, tuple[Any, str]] = {
    "warnings": (_("Ada peringatan aturan"), "jsonb_array_length(f.warnings) > 0"),
    GeotagFlag.Kind.OUTSIDE_KELURAHAN: (GeotagFlag.Kind.OUTSIDE_KELURAHAN.label, _flag("outside_kelurahan")),
    GeotagFlag.Kind.LOW_ACCURACY: (GeotagFlag.Kind.LOW_ACCURACY.label, _flag("low_accuracy")),
    GeotagFlag.Kind.SHARED_POINT: (GeotagFlag.Kind.SHARED_POINT.label, _flag("shared_point")),
    GeotagFlag.Kind.IMPLAUSIBLE_SPEED: (GeotagFlag.Kind.IMPLAUSIBLE_SPEED.label, _flag("implausible_speed")),
    "dup_nik": (
        _("NIK ganda"),
        "EXISTS (SELECT 1 FROM households_member m1 JOIN households_member m2 "
        "ON m2.nik_hash = m1.nik_hash AND m2.id <> m1.id WHERE m1.family_id = f.id AND m1.nik_hash <> '')",
    ),
    "dup_kk": (
        _("No. KK ganda"),
        "(f.kk_hash <> '' AND EXISTS (SELECT 1 FROM households_family f2 "
        "WHERE f2.kk_hash = f.kk_hash AND f2.id <> f.id))",
    ),
    "photo_missing": (
        _("Foto wajib belum ada"),
        "(f.photo_required AND NOT EXISTS (SELECT 1 FROM geotag_photo p "
        "WHERE p.family_id = f.id AND p.status IN ('received', 'ready')))",
    ),
    "short_interview": (_("Wawancara terlalu singkat"), f"({DURATION_SQL} >= 0 AND {DURATION_SQL} < %(short)s)"),
    "unknown_duration": (
        _("Durasi wawancara tidak diketahui"),
        f"({DURATION_SQL} IS NULL OR {DURATION_SQL} < 0)",
    ),
}


@dataclass
class QualityRow:
    """The figures of one PPL or one SLS."""

    key: int
    families: int = 0
    warnings: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    median_minutes: float | None = None
    shortest_minutes: float | None = None
    days: int = 0
    max_per_day: int = 0
    last_received: dt.datetime | None = None
    last_sync: dt.datetime | None = None
    label: str = ""
    sublabel: str = ""
    outliers: set[str] = field(default_factory=set)

    @property
    def per_day(self) -> float | None:
        return round(self.families / self.days, 1) if self.days else None

    @property
    def days_since_sync(self) -> int | None:
        if self.last_sync is None:
            return None
        return (timezone.now() - self.last_sync).days

    def cells(self) -> list[tuple[str, int]]:
        return [(key, self.counts.get(key, 0)) for key in CHECKS]


def _scope_sql(user: User) -> tuple[str, tuple[Any, ...]]:
    if not can_monitor(user):
        return household_selectors.family_ids_sql(Family.objects.none())
    return household_selectors.family_ids_sql(household_selectors.family_qs_for_user(user=user))


def _params(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"short": settings.QUALITY_SHORT_INTERVIEW_MINUTES * 60, "tz": settings.TIME_ZONE, **(extra or {})}


def _grouped(user: User, group: str) -> dict[int, QualityRow]:
    """The figures of every PPL (`group` = "created_by_id") or SLS ("sls_id") with families."""
    scope, scope_params = _scope_sql(user)
    if not scope:
        return {}
    checks = ", ".join(f"count(*) FILTER (WHERE {pred}) AS {_col(key)}" for key, (_label, pred) in CHECKS.items())
    # The scope's own placeholders are positional; ours are named: turn ours into positional ones.
    sql = f"""
        WITH fam AS (
            SELECT f.*, {DURATION_SQL} AS secs,
                   (coalesce(f.interview_finished_at, f.created_at) AT TIME ZONE %(tz)s)::date AS day
            FROM households_family f WHERE f.id IN ({scope.replace("%s", "%%s")})
        ), daily AS (
            SELECT {group} AS key, day, count(*) AS n FROM fam GROUP BY 1, 2
        ), per_key AS (
            SELECT key, count(*) AS days, max(n) AS max_per_day FROM daily GROUP BY key
        )
        SELECT f.{group} AS key, count(*) AS families, sum(jsonb_array_length(f.warnings)) AS warnings,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.secs) FILTER (WHERE f.secs >= 0) AS median_secs,
               min(f.secs) FILTER (WHERE f.secs >= 0) AS min_secs,
               max(f.created_at) AS last_received, min(pk.days) AS days, min(pk.max_per_day) AS max_per_day,
               {checks}
        FROM fam f JOIN per_key pk ON pk.key = f.{group}
        GROUP BY f.{group}
    """  # noqa: S608 - no user text: column names and predicates are ours
    positional, values = _positional(sql, _params(), scope_params)
    rows: dict[int, QualityRow] = {}
    with connection.cursor() as cursor:
        cursor.execute(positional, values)
        names = [c.name for c in cursor.description]
        for record in cursor.fetchall():
            data = dict(zip(names, record, strict=True))
            rows[data["key"]] = QualityRow(
                key=data["key"],
                families=data["families"],
                warnings=int(data["warnings"] or 0),
                counts={key: data[_col(key)] for key in CHECKS},
                median_minutes=None if data["median_secs"] is None else round(float(data["median_secs"]) / 60, 1),
                shortest_minutes=None if data["min_secs"] is None else round(float(data["min_secs"]) / 60, 1),
                days=data["days"],
                max_per_day=data["max_per_day"],
                last_received=data["last_received"],
            )
    return rows


def _col(key: str) -> str:
    return f"c_{key}"


def _positional(sql: str, named: dict[str, Any], scope_params: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """`sql` with %(name)s placeholders and the scope's `%%s` ones, as one positional statement.
    Named values are inlined as parameters in the order they appear."""
    values: list[Any] = []
    out = []
    index = 0
    scope_values = list(scope_params)
    while index < len(sql):
        if sql.startswith("%(", index):
            end = sql.index(")s", index)
            values.append(named[sql[index + 2 : end]])
            out.append("%s")
            index = end + 2
        elif sql.startswith("%%s", index):
            values.append(scope_values.pop(0))
            out.append("%s")
            index += 3
        else:
            out.append(sql[index])
            index += 1
    return "".join(out), values


def _mark_outliers(row: QualityRow, *, per_ppl: bool) -> None:
    short = settings.QUALITY_SHORT_INTERVIEW_MINUTES
    if row.median_minutes is not None and row.median_minutes < short:
        row.outliers.add("median")
    if row.shortest_minutes is not None and row.shortest_minutes < short:
        row.outliers.add("shortest")
    if row.max_per_day > settings.QUALITY_MAX_FAMILIES_PER_DAY:
        row.outliers.add("per_day")
    since = row.days_since_sync
    if per_ppl and (since is None or since > settings.QUALITY_STALE_SYNC_DAYS):
        row.outliers.add("sync")
    for key, count in row.counts.items():
        if count and key != "unknown_duration":
            row.outliers.add(key)


def quality_by_ppl(*, user: User) -> list[QualityRow]:
    """One row per PPL the user sees (with or without families), sorted by username. Last sync is
    the latest contact of any of the PPL's devices."""
    if not can_monitor(user):
        return []
    stats = _grouped(user, "created_by_id")
    ppl = (
        scoping.visible_staff(user)
        .filter(role=Role.PPL)
        .annotate(last_sync=Max("devices__last_seen_at"))
        .order_by("username")
    )
    rows = []
    for person in ppl:
        row = stats.pop(person.pk, None) or QualityRow(key=person.pk)
        row.label, row.sublabel, row.last_sync = person.username, person.full_name, person.last_sync
        _mark_outliers(row, per_ppl=True)
        rows.append(row)
    # Authors no longer in the user's staff scope (another team's PPL who worked an SLS before a
    # reassignment): their families are in scope, so they are listed too.
    others = User.objects.filter(pk__in=stats.keys()).annotate(last_sync=Max("devices__last_seen_at"))
    for person in others.order_by("username"):
        row = stats[person.pk]
        row.label, row.sublabel, row.last_sync = person.username, person.full_name, person.last_sync
        _mark_outliers(row, per_ppl=True)
        rows.append(row)
    return rows


def quality_by_sls(*, user: User) -> list[QualityRow]:
    """One row per SLS in scope that has families, by SLS code."""
    if not can_monitor(user):
        return []
    stats = _grouped(user, "sls_id")
    rows = []
    for sls in (
        SLS.objects.filter(pk__in=stats.keys()).select_related("kelurahan").order_by("kelurahan_id", "code", "sub_code")
    ):
        row = stats[sls.pk]
        row.label, row.sublabel = sls.full_code, f"{sls.kelurahan.name} · {sls.name}"
        _mark_outliers(row, per_ppl=False)
        rows.append(row)
    return rows


def warnings_by_variable(*, user: User) -> list[dict[str, Any]]:
    """Rule warnings in scope counted by variable (and check), most frequent first."""
    scope, scope_params = _scope_sql(user)
    if not can_monitor(user):
        return []
    sql = f"""
        SELECT w->>'variable' AS variable, w->>'number' AS number, w->>'check' AS check_id,
               min(w->>'message') AS message, count(*) AS n, count(DISTINCT f.id) AS families
        FROM households_family f, jsonb_array_elements(f.warnings) w
        WHERE f.id IN ({scope}) GROUP BY 1, 2, 3 ORDER BY n DESC, 1, 3
    """  # noqa: S608 - the scope's SQL is Django's
    with connection.cursor() as cursor:
        cursor.execute(sql, scope_params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@dataclass(frozen=True)
class ListFilter:
    check: str
    ppl_id: int | None = None
    sls_id: int | None = None
    variable: str = ""


def quality_family_list(*, user: User, filters: ListFilter) -> tuple[list[Family], int]:
    """The families behind one count (at most LIST_LIMIT, by id) and how many there are. Raises
    KeyError for an unknown check."""
    _label, predicate = CHECKS[filters.check]
    scope, scope_params = _scope_sql(user)
    if not can_monitor(user):
        return [], 0
    where = [f"f.id IN ({scope.replace('%s', '%%s')})", predicate]
    named: dict[str, Any] = {}
    if filters.ppl_id is not None:
        where.append("f.created_by_id = %(ppl)s")
        named["ppl"] = filters.ppl_id
    if filters.sls_id is not None:
        where.append("f.sls_id = %(sls)s")
        named["sls"] = filters.sls_id
    if filters.variable:
        where.append("EXISTS (SELECT 1 FROM jsonb_array_elements(f.warnings) w WHERE w->>'variable' = %(var)s)")
        named["var"] = filters.variable
    sql = f"SELECT f.id FROM households_family f WHERE {' AND '.join(where)} ORDER BY f.id"  # noqa: S608
    positional, values = _positional(sql, _params(named), scope_params)
    with connection.cursor() as cursor:
        cursor.execute(positional, values)
        ids = [r[0] for r in cursor.fetchall()]
    families = list(
        Family.objects.filter(pk__in=ids[:LIST_LIMIT]).select_related("sls__kelurahan", "created_by").order_by("id")
    )
    return families, len(ids)


def check_label(check: str) -> str:
    return str(CHECKS[check][0])
