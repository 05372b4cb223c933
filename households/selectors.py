"""Reads of family records for pages and APIs, narrowed by `enumeration.scoping`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Prefetch, QuerySet

from enumeration import scoping
from enumeration.models import SLS, Role, User
from households import form, records
from households.models import Family, FamilyRevision, Member, PrelistFamily, ReviewEvent, SLSConfirmation


def family_qs_for_user(*, user: User) -> QuerySet[Family]:
    """Family records in the user's area. Pemkot staff see areas but no records: they get ranked
    lists (with only what an FKP list shows) from the ranking app, never the questionnaire."""
    if user.role == Role.PEMKOT:
        return Family.objects.none()
    visible = scoping.visible_sls(user)
    if not visible.query.where:
        # Every SLS (a BPS admin): no SLS subquery. Every family has an SLS, so the rows are the
        # same; the subquery cost a count over 500,000 families half its time (docs/performance.md).
        return Family.objects.all()
    return Family.objects.filter(sls__in=visible.values("pk"))


def family_ids_sql(qs: QuerySet[Family]) -> tuple[str, tuple[Any, ...]]:
    """The ids of `qs` as SQL (column `id`) for `IN (…)` in a raw statement, with its parameters.
    Without the model's default ordering, which PostgreSQL would otherwise sort the whole scope for
    wherever the subquery is used (docs/performance.md, "Exports"). Raises EmptyResultSet for none()."""
    sql, params = qs.order_by().values("id").query.sql_with_params()
    return sql, tuple(params)


def family_none() -> QuerySet[Family]:
    """No family: what the API schema generator lists (it has no user)."""
    return Family.objects.none()


def family_list_for_user(*, user: User, sls_id: int | None = None, status: str | None = None) -> QuerySet[Family]:
    qs = family_qs_for_user(user=user).select_related("sls__kelurahan", "created_by")
    if sls_id is not None:
        qs = qs.filter(sls_id=sls_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("sls_id", "building_no", "family_no", "id")


def family_get_for_user(*, user: User, family_id: int) -> Family | None:
    return (
        family_qs_for_user(user=user)
        .select_related("sls__kelurahan__kecamatan", "created_by", "reviewed_by")
        .prefetch_related(Prefetch("members", queryset=Member.objects.order_by("line_no")))
        .filter(pk=family_id)
        .first()
    )


def family_history(*, family: Family) -> dict[str, Any]:
    return {
        "revisions": list(FamilyRevision.objects.filter(family=family).select_related("author").order_by("revision")),
        "events": list(ReviewEvent.objects.filter(family=family).select_related("actor").order_by("at", "id")),
    }


def family_answers_at(*, family: Family, revision: int) -> dict[str, Any] | None:
    """The family's answers as they stood at `revision`, flattened as its history shows them
    ("family.<var>", "members.<i>.<var>"; NIK and No. KK masked with a change token), or None for a
    revision it never had. Revision 1 stores no change list: the current answers with the `old`
    value of every later change put back are the record as first submitted."""
    if not 1 <= revision <= family.revision:
        return None
    definition = form.definition_for_family(family)
    answers = records.flatten_stored(definition, family, list(family.members.order_by("line_no")))
    later = FamilyRevision.objects.filter(family=family, revision__gt=revision).order_by("-revision")
    for changes in later.values_list("changes", flat=True):
        for change in changes:
            key = records.history_key(change)
            if change["old"] is None:
                answers.pop(key, None)
            else:
                answers[key] = change["old"]
    return {key: value for key, value in sorted(answers.items()) if value is not None}


def member_get(*, family: Family, line_no: int) -> Member | None:
    """The member of `family` on roster line `line_no` (the caller has checked access to the family)."""
    return Member.objects.filter(family=family, line_no=line_no).first()


def prelist_row_get_for_user(*, user: User, row_id: int) -> PrelistFamily | None:
    """A VK1 row of an SLS the user sees, or None."""
    return PrelistFamily.objects.filter(sls__in=scoping.visible_sls(user).values("pk"), pk=row_id).first()


def prelist_for_sls(*, user: User, sls: SLS) -> QuerySet[PrelistFamily]:
    if user.role == Role.PEMKOT or not scoping.can_see_sls(user, sls):
        return PrelistFamily.objects.none()
    return PrelistFamily.objects.filter(sls=sls).order_by("line_no")


_DUPLICATES_SQL = """
WITH visible AS ({visible}),
nik AS (
    SELECT m.nik_hash, m.family_id, count(*) AS n
    FROM {member} m
    WHERE m.nik_hash IN (
        SELECT vm.nik_hash FROM {member} vm WHERE vm.nik_hash <> '' AND vm.family_id IN (SELECT id FROM visible)
    )
    GROUP BY m.nik_hash, m.family_id
),
kk AS (
    SELECT f.kk_hash, f.id AS family_id
    FROM {family} f
    WHERE f.kk_hash IN (
        SELECT vf.kk_hash FROM {family} vf WHERE vf.kk_hash <> '' AND vf.id IN (SELECT id FROM visible)
    )
),
grouped AS (
    SELECT 'nik' AS kind,
           array_agg(family_id ORDER BY family_id) FILTER (WHERE family_id IN (SELECT id FROM visible)) AS families,
           count(*) FILTER (WHERE family_id NOT IN (SELECT id FROM visible)) AS elsewhere
    FROM nik GROUP BY nik_hash HAVING count(*) > 1
    UNION ALL
    SELECT 'nik_in_family', ARRAY[family_id], 0 FROM nik WHERE n > 1 AND family_id IN (SELECT id FROM visible)
    UNION ALL
    SELECT 'kk',
           array_agg(family_id ORDER BY family_id) FILTER (WHERE family_id IN (SELECT id FROM visible)),
           count(*) FILTER (WHERE family_id NOT IN (SELECT id FROM visible))
    FROM kk GROUP BY kk_hash HAVING count(*) > 1
),
shown AS (
    SELECT DISTINCT families[1] AS anchor FROM grouped
    WHERE families[1] > %s AND families[1] < %s
    ORDER BY anchor {direction} LIMIT %s
)
SELECT g.kind, g.families, g.elsewhere,
       EXISTS (SELECT 1 FROM grouped o WHERE o.families[1] < (SELECT min(anchor) FROM shown)),
       EXISTS (SELECT 1 FROM grouped o WHERE o.families[1] > (SELECT max(anchor) FROM shown))
FROM grouped g WHERE g.families[1] IN (SELECT anchor FROM shown)
ORDER BY g.families[1], g.kind, g.families
"""
# The bounds of a walk that has not started on either side (ids are positive bigints).
_NO_ID, _PAST_IDS = 0, 2**63 - 1


def sls_confirmation_latest(*, sls: SLS) -> SLSConfirmation | None:
    """The SLS's latest confirmation or reopening (with its actor), or None: the latest row wins."""
    return SLSConfirmation.objects.filter(sls=sls).select_related("actor").order_by("-at", "-id").first()


@dataclass(frozen=True)
class DuplicatePage:
    """One page of duplicate groups, and whether groups come before and after it."""

    groups: list[dict[str, Any]]
    has_previous: bool
    has_next: bool

    @property
    def first_anchor(self) -> int | None:
        return self.groups[0]["families"][0] if self.groups else None

    @property
    def last_anchor(self) -> int | None:
        return self.groups[-1]["families"][0] if self.groups else None


def duplicate_identifiers_for_user(
    *, user: User, after: int | None = None, before: int | None = None, families: int = 200
) -> DuplicatePage:
    """NIK found in more than one family (`nik`) or twice in one family (`nik_in_family`), and No. KK
    found on more than one family (`kk`), where at least one of the families is in the user's scope:
    the families in scope (ids, ascending) and how many others there are (`elsewhere`). Only ids and
    counts: never the numbers, nor their hashes.

    Paged by each group's first family in scope (its "anchor"): a page holds every group of at most
    `families` anchors, those after `after` (or, walking back, the last ones before `before`),
    ordered by anchor, kind, then families. An anchor is an id, so a walk neither repeats nor skips
    a group whose families stay, and the cursor carries no identifier's hash. One query per page,
    grouped in PostgreSQL over the hashes that occur in the user's families (the keyed hashes are
    indexed), which also says whether groups lie before and after the page."""
    try:
        visible_sql, params = family_ids_sql(family_qs_for_user(user=user))
    except EmptyResultSet:  # no families at all in scope (Pemkot staff)
        return DuplicatePage([], has_previous=False, has_next=False)
    sql = _DUPLICATES_SQL.format(
        visible=visible_sql,
        member=Member._meta.db_table,
        family=Family._meta.db_table,
        direction="DESC" if before is not None and after is None else "ASC",
    )
    bounds = (_NO_ID if after is None else after, _PAST_IDS if before is None else before, families)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *bounds))
        rows = cursor.fetchall()
    groups = [{"kind": kind, "families": list(ids), "elsewhere": int(elsewhere)} for kind, ids, elsewhere, _, _ in rows]
    return DuplicatePage(
        groups,
        has_previous=bool(rows and rows[0][3]),
        has_next=bool(rows and rows[0][4]),
    )
