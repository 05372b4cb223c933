"""A PMT model's score as one SQL expression over the stored answers (JSONB), with the semantics
of ranking/features.py: present members are those with 404 = 1 or 4, the head the first of them
(by line number) with 409 = 1; a missing family answer, or a head's number, makes the score NULL;
a head's or any member's missing code counts as "not in codes"; squared features use power 2.

Why in SQL: reading every answer into Python and evaluating features there cost about 0.7 ms per
family, ten times what PostgreSQL needs (docs/performance.md). The ranking job scores in SQL and
turns to ranking/features.py for the families whose SQL score is NULL, to give the reason
(FeatureError); `tests/ranking/test_sqlscore.py` holds the two to the same scores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from households.models import Family, Member
from ranking.features import AGE, FLOOR_AREA, MEMBER_STATUS, PRESENT_STATUS, RELATIONSHIP


def _ident(var: str) -> str:
    if not var.replace("_", "").isalnum():
        raise ValueError(f"unexpected variable id {var!r}")
    return var


def answer(alias: str, var: str) -> str:
    return f"{alias}.data -> '{_ident(var)}'"


def json_in(expr: str, codes: Sequence[Any]) -> str:
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
            return f"(CASE WHEN jsonb_typeof({value}) IS NULL OR jsonb_typeof({value}) = 'null' THEN NULL ELSE {json_in(value, feature['codes'])}::int END)"  # noqa: E501
        if feature["of"] == "head":
            return f"coalesce({json_in(answer('hd', var), feature['codes'])}, false)::int"
        return member_agg(f"coalesce(bool_or({json_in(answer('m', var), feature['codes'])}), false)::int")
    if kind == "number":
        var = _ident(feature["variable"])
        return _num(f"f.data -> '{var}'") if feature["of"] == "family" else _num(f"hd.data -> '{var}'")
    if kind == "positive":
        parts = " + ".join(f"coalesce({_num(answer('f', v))}, 0)" for v in feature["variables"])
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
        return f"({_num(answer('f', FLOOR_AREA))} / {size})"
    age = _num(f"m.data -> '{AGE}'")
    aged = member_agg(f"count({age})::float8")
    working = member_agg(f"count(*) FILTER (WHERE {age} BETWEEN 15 AND 64)::float8")
    return f"(({aged} - {working}) / greatest({working}, 1))"


def _equation(intercept: float, coefficients: Sequence[float], values: Sequence[str]) -> str:
    terms = [repr(float(intercept))]
    terms += [f"{float(c)!r} * {value}" for c, value in zip(coefficients, values, strict=True)]
    return " + ".join(terms)


def _code(code: str) -> str:
    if not (len(code) == 7 and code.isdigit()):
        raise ValueError(f"unexpected kecamatan code {code!r}")
    return f"'{code}'"


def score_sql(
    intercept: float,
    features: Sequence[Mapping[str, Any]],
    strata: Sequence[Mapping[str, Any]] = (),
    *,
    kecamatan: str = "k.kecamatan_id",
) -> tuple[str, list[str]]:
    """The score expression and the member aggregates it reads (as `mm.a<i>`). With strata, a
    family whose kecamatan (the SQL expression `kecamatan`) is in a stratum takes that stratum's
    equation, any other the model's (ranking/documents.py, `equation`)."""
    aggregates: list[str] = []
    values = []
    for feature in features:
        value = _feature(feature, aggregates)
        if int(feature.get("power", 1)) == 2:
            value = f"power({value}, 2)"
        values.append(value)
    default = _equation(intercept, [float(f["coefficient"]) for f in features], values)
    if not strata:
        return default, aggregates
    branches = []
    for stratum in strata:
        codes = ", ".join(_code(code) for code in stratum["kecamatan"])
        coefficients = [float(stratum["coefficients"][f["name"]]) for f in features]
        branches.append(f"WHEN {kecamatan} IN ({codes}) THEN {_equation(stratum['intercept'], coefficients, values)}")
    return f"(CASE {' '.join(branches)} ELSE {default} END)", aggregates


def scoring_query(
    intercept: float, features: Sequence[Mapping[str, Any]], strata: Sequence[Mapping[str, Any]] = ()
) -> str:
    """The families whose status is in %s, ordered by id: id, kelurahan, kecamatan, SLS, form, form
    version and score (NULL when it cannot be computed: no present member, no head, a missing answer)."""
    score, aggregates = score_sql(intercept, features, strata)
    present = json_in(answer("m", MEMBER_STATUS), sorted(PRESENT_STATUS))
    columns = ", ".join(["count(*) AS n", *(f"{sql} AS a{i}" for i, sql in enumerate(aggregates))])
    family, member = Family._meta.db_table, Member._meta.db_table
    return f"""
SELECT f.id, s.kelurahan_id, k.kecamatan_id, f.sls_id, f.form_id, f.form_version,
       CASE WHEN mm.n = 0 OR hd.data IS NULL THEN NULL ELSE {score} END
FROM {family} f
JOIN enumeration_sls s ON s.id = f.sls_id
JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id
CROSS JOIN LATERAL (SELECT {columns} FROM {member} m WHERE m.family_id = f.id AND {present}) mm
LEFT JOIN LATERAL (
  SELECT m.data FROM {member} m
  WHERE m.family_id = f.id AND {present} AND {answer("m", RELATIONSHIP)} = '1'::jsonb
  ORDER BY m.line_no LIMIT 1
) hd ON true
WHERE f.status = ANY(%s)
ORDER BY f.id
"""  # noqa: S608 - identifiers checked by _ident, codes by _code, numbers formatted by repr
