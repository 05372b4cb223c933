"""`make bench-ranking`: the ranking job against one raw SQL statement over the same rows.

The raw statement is the limit a run is measured against: PostgreSQL computes every feature from
the stored answers (JSONB), the score, the rank in the kota, ntile(10) and the rank in the
kelurahan, in one statement, into a scratch table (the features compiled to SQL by
ranking/sqlscore.py); the benchmark compares the two results family by family.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from households.models import Family, Member
from ranking.features import MEMBER_STATUS, PRESENT_STATUS, RELATIONSHIP
from ranking.sqlscore import json_in, score_sql

RAW_TABLE = "bench_ranking_raw"


def raw_statement(
    intercept: float, features: Sequence[Mapping[str, Any]], strata: Sequence[Mapping[str, Any]] = ()
) -> str:
    """ONE statement: scores of the families whose status is in %s, rank (score, id), ntile(10)
    and rank in the kelurahan, into RAW_TABLE (families without a score are left out)."""
    score, aggregates = score_sql(intercept, features, strata)
    # The kecamatan is read only for strata, so a model without them is measured as before.
    kecamatan_join = "\n  JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id" if strata else ""
    present = json_in(f"m.data -> '{MEMBER_STATUS}'", sorted(PRESENT_STATUS))
    columns = ", ".join(f"{sql} AS a{i}" for i, sql in enumerate(aggregates)) or "count(*) AS a0"
    family, member = Family._meta.db_table, Member._meta.db_table
    return f"""
CREATE UNLOGGED TABLE {RAW_TABLE} AS
WITH scored AS (
  SELECT f.id, s.kelurahan_id, {score} AS score
  FROM {family} f
  JOIN enumeration_sls s ON s.id = f.sls_id{kecamatan_join}
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
