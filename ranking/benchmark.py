"""`make bench-ranking`: the ranking job against one raw SQL statement over the same rows.

The raw statement is the limit a run is measured against: PostgreSQL computes every feature from
the stored answers (JSONB), the score, the rank in the kota, ntile(10) and the rank in the
kelurahan, in one statement, into a scratch table. `raw_statement` compiles a model's features to
SQL with the semantics of ranking/features.py (present members 404 = 1, 4; the head the first of
them with 409 = 1; a missing family answer makes the score NULL); the benchmark compares the two
results family by family, so the limit is known to compute the same thing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from households.models import Family, Member
from ranking.features import AGE, FLOOR_AREA, MEMBER_STATUS, PRESENT_STATUS, RELATIONSHIP

RAW_TABLE = "bench_ranking_raw"


def _ident(var: str) -> str:
    if not var.replace("_", "").isalnum():
        raise ValueError(f"unexpected variable id {var!r}")
    return var


def _get(alias: str, var: str) -> str:
    return f"{alias}.data -> '{_ident(var)}'"


def _in(expr: str, codes: Sequence[Any]) -> str:
    values = ", ".join(f"'{json.dumps(c)}'::jsonb" for c in codes)
    return f"({expr} IN ({values}))"


def _num(expr: str) -> str:
    return f"(CASE WHEN jsonb_typeof({expr}) = 'number' THEN ({expr})::float8 END)"


def _feature(feature: Mapping[str, Any], aggregates: list[str]) -> str:
    """The SQL value of one feature; member aggregates it needs are appended to `aggregates`."""
    kind = feature["kind"]

    def member_agg(sql: str) -> str:
        aggregates.append(sql)
        return f"mm.a{len(aggregates) - 1}"

    if kind == "code_in":
        var = _ident(feature["variable"])
        if feature["of"] == "family":
            value = f"f.data -> '{var}'"
            return f"(CASE WHEN jsonb_typeof({value}) IS NULL OR jsonb_typeof({value}) = 'null' THEN NULL ELSE {_in(value, feature['codes'])}::int END)"  # noqa: E501
        if feature["of"] == "head":
            return f"coalesce({_in(_get('hd', var), feature['codes'])}, false)::int"
        return member_agg(f"coalesce(bool_or({_in(_get('m', var), feature['codes'])}), false)::int")
    if kind == "number":
        var = _ident(feature["variable"])
        return _num(f"f.data -> '{var}'") if feature["of"] == "family" else _num(f"hd.data -> '{var}'")
    if kind == "positive":
        parts = " + ".join(f"coalesce({_num(_get('f', v))}, 0)" for v in feature["variables"])
        return f"(({parts}) > 0)::int"
    if kind == "count_members":
        value = _num(f"m.data -> '{_ident(feature['variable'])}'")
        low, high = float(feature["min"]), float(feature["max"])
        return member_agg(f"count(*) FILTER (WHERE {value} BETWEEN {low!r} AND {high!r})::float8")
    derived = feature["derived"]
    size = member_agg("count(*)::float8")
    if derived == "household_size":
        return size
    if derived == "floor_area_per_person":
        return f"({_num(_get('f', FLOOR_AREA))} / {size})"
    age = _num(f"m.data -> '{AGE}'")
    aged = member_agg(f"count({age})::float8")
    working = member_agg(f"count(*) FILTER (WHERE {age} BETWEEN 15 AND 64)::float8")
    return f"(({aged} - {working}) / greatest({working}, 1))"


def score_sql(intercept: float, features: Sequence[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """The score expression and the member aggregates it reads (as `mm.a<i>`)."""
    aggregates: list[str] = []
    terms = [repr(float(intercept))]
    for feature in features:
        value = _feature(feature, aggregates)
        if int(feature.get("power", 1)) == 2:
            value = f"power({value}, 2)"
        terms.append(f"{float(feature['coefficient'])!r} * {value}")
    return " + ".join(terms), aggregates


def raw_statement(intercept: float, features: Sequence[Mapping[str, Any]]) -> str:
    """ONE statement: scores of the families whose status is in %s, rank (score, id), ntile(10)
    and rank in the kelurahan, into RAW_TABLE (families without a score are left out)."""
    score, aggregates = score_sql(intercept, features)
    present = _in(f"m.data -> '{MEMBER_STATUS}'", sorted(PRESENT_STATUS))
    columns = ", ".join(f"{sql} AS a{i}" for i, sql in enumerate(aggregates)) or "count(*) AS a0"
    family, member = Family._meta.db_table, Member._meta.db_table
    return f"""
CREATE UNLOGGED TABLE {RAW_TABLE} AS
WITH scored AS (
  SELECT f.id, s.kelurahan_id, {score} AS score
  FROM {family} f
  JOIN enumeration_sls s ON s.id = f.sls_id
  CROSS JOIN LATERAL (SELECT {columns} FROM {member} m WHERE m.family_id = f.id AND {present}) mm
  JOIN LATERAL (
    SELECT m.data FROM {member} m
    WHERE m.family_id = f.id AND {present} AND m.data -> '{RELATIONSHIP}' = '1'::jsonb
    ORDER BY m.line_no LIMIT 1
  ) hd ON true
  WHERE f.status = ANY(%s)
)
SELECT id, kelurahan_id, score,
       row_number() OVER (ORDER BY score, id) AS rank,
       ntile(10) OVER (ORDER BY score, id) AS desil,
       row_number() OVER (PARTITION BY kelurahan_id ORDER BY score, id) AS rank_kelurahan
FROM scored WHERE score IS NOT NULL
"""  # noqa: S608 - identifiers checked by _ident, numbers formatted by repr
