"""The triggers that keep the per-SLS counters (migration 0002) equal to the data, and their backfill.

Statement-level AFTER triggers with transition tables on households_family,
households_prelistfamily and geotag_geotag: each statement adds its rows' net change to the counters
in its own transaction, so a count read from them equals a fresh count at any moment
(docs/monitoring.md, "Counters kept per SLS"). Changes that move no counter (an edit of a family's
answers) write nothing. Counter rows are upserted in key order, so two statements never wait on each
other's rows in opposite orders. The three tables are locked while the triggers are created and the
counters filled, so no change slips between the backfill and the first trigger.

The local day of the trend is fixed here from settings.TIME_ZONE (Asia/Jakarta); a project that
changes it must write a migration that recreates monitoring_family_counts() and refills the days.
"""

from django.conf import settings
from django.db import migrations

# The rows a statement changed, +1 for each new row and -1 for each old one: an UPDATE is its new rows
# minus its old ones, so a change that moves no counter (an edit of the answers) nets to zero.
_FAMILY_ROWS = {
    "INSERT": "SELECT sls_id, status, geotag_id, created_at, reviewed_at, 1 AS d FROM new_rows",
    "DELETE": "SELECT sls_id, status, geotag_id, created_at, reviewed_at, -1 AS d FROM old_rows",
    "UPDATE": "SELECT sls_id, status, geotag_id, created_at, reviewed_at, 1 AS d FROM new_rows UNION ALL "
    "SELECT sls_id, status, geotag_id, created_at, reviewed_at, -1 AS d FROM old_rows",
}

# One statement (data-modifying CTEs): the changed rows are read once, their net change per SLS and
# status and per SLS and day is added to the counters; nets of zero write nothing.
_FAMILY_UPSERT = """
        WITH delta AS (
            SELECT r.sls_id, r.status, r.d, (g.id IS NOT NULL)::integer AS g,
                   coalesce(ST_X(g.location::geometry), 0) AS x, coalesce(ST_Y(g.location::geometry), 0) AS y,
                   (r.created_at AT TIME ZONE {tz})::date AS created,
                   CASE WHEN r.status = 'approved' THEN (r.reviewed_at AT TIME ZONE {tz})::date END AS approved
            FROM ({rows}) AS r LEFT JOIN geotag_geotag g ON g.id = r.geotag_id
        ), by_status AS (
            INSERT INTO monitoring_slsfamilycount AS c (sls_id, status, families, geotagged, sum_lon, sum_lat)
            SELECT sls_id, status, sum(d), sum(d * g), sum(d * g * x), sum(d * g * y)
            FROM delta GROUP BY sls_id, status
            HAVING sum(d) <> 0 OR sum(d * g) <> 0 OR sum(d * g * x) <> 0 OR sum(d * g * y) <> 0
            ORDER BY sls_id, status
            ON CONFLICT (sls_id, status) DO UPDATE SET
                families = c.families + EXCLUDED.families, geotagged = c.geotagged + EXCLUDED.geotagged,
                sum_lon = c.sum_lon + EXCLUDED.sum_lon, sum_lat = c.sum_lat + EXCLUDED.sum_lat
        )
        INSERT INTO monitoring_slsfamilyday AS c (sls_id, day, collected, approved)
        SELECT sls_id, day, sum(collected), sum(approved) FROM (
            SELECT sls_id, created AS day, d AS collected, 0 AS approved FROM delta WHERE created IS NOT NULL
            UNION ALL
            SELECT sls_id, approved, 0, d FROM delta WHERE approved IS NOT NULL
        ) AS days
        GROUP BY sls_id, day HAVING sum(collected) <> 0 OR sum(approved) <> 0
        ORDER BY sls_id, day
        ON CONFLICT (sls_id, day) DO UPDATE SET
            collected = c.collected + EXCLUDED.collected, approved = c.approved + EXCLUDED.approved"""

_PRELIST_ROWS = {
    "INSERT": "SELECT sls_id, status, 1 AS d FROM new_rows",
    "DELETE": "SELECT sls_id, status, -1 AS d FROM old_rows",
    "UPDATE": "SELECT sls_id, status, 1 AS d FROM new_rows UNION ALL SELECT sls_id, status, -1 AS d FROM old_rows",
}

_PRELIST_UPSERT = """
        INSERT INTO monitoring_slsprelistcount AS c (sls_id, status, rows)
        SELECT sls_id, status, sum(d) FROM ({rows}) AS r
        GROUP BY sls_id, status HAVING sum(d) <> 0 ORDER BY sls_id, status
        ON CONFLICT (sls_id, status) DO UPDATE SET rows = c.rows + EXCLUDED.rows"""


def _trigger_function(name: str, upsert: str, rows: dict[str, str], **values: str) -> str:
    """A trigger function with one static statement per TG_OP (PL/pgSQL keeps each one's plan for
    the session; a transition table exists only for the operations that have it)."""
    branches = {op: upsert.format(rows=source, **values) for op, source in rows.items()}
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN{branches["INSERT"]};
    ELSIF TG_OP = 'DELETE' THEN{branches["DELETE"]};
    ELSE{branches["UPDATE"]};
    END IF;
    RETURN NULL;
END
$fn$;
"""


# A geotag's point is set when it arrives and is not edited by the app; if it ever is (by hand, in
# the database), the centroid sums of the families pointing at it follow.
GEOTAG_FUNCTION = """
CREATE OR REPLACE FUNCTION monitoring_geotag_moved() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    UPDATE monitoring_slsfamilycount AS c SET sum_lon = c.sum_lon + m.dx, sum_lat = c.sum_lat + m.dy
    FROM (
        SELECT f.sls_id, f.status,
               sum(ST_X(n.location::geometry) - ST_X(o.location::geometry)) AS dx,
               sum(ST_Y(n.location::geometry) - ST_Y(o.location::geometry)) AS dy
        FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN households_family f ON f.geotag_id = n.id
        WHERE NOT ST_Equals(n.location::geometry, o.location::geometry)
        GROUP BY f.sls_id, f.status
    ) AS m
    WHERE c.sls_id = m.sls_id AND c.status = m.status;
    RETURN NULL;
END
$fn$;
"""

TRIGGERS = """
CREATE TRIGGER monitoring_family_insert AFTER INSERT ON households_family
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_family_counts();
CREATE TRIGGER monitoring_family_update AFTER UPDATE ON households_family
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_family_counts();
CREATE TRIGGER monitoring_family_delete AFTER DELETE ON households_family
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_family_counts();
CREATE TRIGGER monitoring_prelist_insert AFTER INSERT ON households_prelistfamily
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_prelist_counts();
CREATE TRIGGER monitoring_prelist_update AFTER UPDATE ON households_prelistfamily
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_prelist_counts();
CREATE TRIGGER monitoring_prelist_delete AFTER DELETE ON households_prelistfamily
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_prelist_counts();
CREATE TRIGGER monitoring_geotag_update AFTER UPDATE ON geotag_geotag
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION monitoring_geotag_moved();
"""

BACKFILL = """
INSERT INTO monitoring_slsfamilycount (sls_id, status, families, geotagged, sum_lon, sum_lat)
SELECT f.sls_id, f.status, count(*), count(g.id),
       coalesce(sum(ST_X(g.location::geometry)), 0), coalesce(sum(ST_Y(g.location::geometry)), 0)
FROM households_family f LEFT JOIN geotag_geotag g ON g.id = f.geotag_id
GROUP BY f.sls_id, f.status;
INSERT INTO monitoring_slsfamilyday (sls_id, day, collected, approved)
SELECT sls_id, day, sum(collected), sum(approved) FROM (
    SELECT sls_id, (created_at AT TIME ZONE %(tz)s)::date AS day, 1 AS collected, 0 AS approved
    FROM households_family
    UNION ALL
    SELECT sls_id, (reviewed_at AT TIME ZONE %(tz)s)::date, 0, 1
    FROM households_family WHERE status = 'approved' AND reviewed_at IS NOT NULL
) AS days
GROUP BY sls_id, day;
INSERT INTO monitoring_slsprelistcount (sls_id, status, rows)
SELECT sls_id, status, count(*) FROM households_prelistfamily GROUP BY sls_id, status;
"""

REVERSE = """
DROP TRIGGER IF EXISTS monitoring_family_insert ON households_family;
DROP TRIGGER IF EXISTS monitoring_family_update ON households_family;
DROP TRIGGER IF EXISTS monitoring_family_delete ON households_family;
DROP TRIGGER IF EXISTS monitoring_prelist_insert ON households_prelistfamily;
DROP TRIGGER IF EXISTS monitoring_prelist_update ON households_prelistfamily;
DROP TRIGGER IF EXISTS monitoring_prelist_delete ON households_prelistfamily;
DROP TRIGGER IF EXISTS monitoring_geotag_update ON geotag_geotag;
DROP FUNCTION IF EXISTS monitoring_family_counts();
DROP FUNCTION IF EXISTS monitoring_prelist_counts();
DROP FUNCTION IF EXISTS monitoring_geotag_moved();
DELETE FROM monitoring_slsfamilycount;
DELETE FROM monitoring_slsfamilyday;
DELETE FROM monitoring_slsprelistcount;
"""


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


TZ = _quoted(settings.TIME_ZONE)


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0008_family_monitoring_indexes"),
        ("geotag", "0003_admin_labels"),
        ("monitoring", "0002_sls_counters"),
    ]

    operations = [
        migrations.RunSQL(
            "LOCK TABLE households_family, households_prelistfamily, geotag_geotag IN SHARE ROW EXCLUSIVE MODE;"
            + _trigger_function("monitoring_family_counts", _FAMILY_UPSERT, _FAMILY_ROWS, tz=TZ)
            + _trigger_function("monitoring_prelist_counts", _PRELIST_UPSERT, _PRELIST_ROWS)
            + GEOTAG_FUNCTION
            + TRIGGERS
            + BACKFILL.replace("%(tz)s", TZ),
            REVERSE,
        ),
    ]
