"""A run is immutable once it has ended, whatever the client (ORM, raw SQL, psql).

- ranked and unranked rows are never updated nor deleted (they are written once, with the run's
  `finished` status, in one transaction: ranking/jobs.py);
- a run that is finished, failed or cancelled keeps every column but `is_final` (finalising moves
  that flag), and a finished run is never deleted.

TRUNCATE fires no row trigger (the test suite's flush relies on it), as for the audit log.
"""

from django.db import migrations

GUARD = """
CREATE FUNCTION ranking_rows_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of a ranking run are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ranking_rankedfamily_immutable
    BEFORE UPDATE OR DELETE ON ranking_rankedfamily
    FOR EACH ROW EXECUTE FUNCTION ranking_rows_immutable();
CREATE TRIGGER ranking_unrankedfamily_immutable
    BEFORE UPDATE OR DELETE ON ranking_unrankedfamily
    FOR EACH ROW EXECUTE FUNCTION ranking_rows_immutable();

CREATE FUNCTION ranking_run_ended_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status = 'finished' THEN
            RAISE EXCEPTION 'a finished ranking run cannot be deleted' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status IN ('finished', 'failed', 'cancelled')
       AND (to_jsonb(NEW) - 'is_final') IS DISTINCT FROM (to_jsonb(OLD) - 'is_final') THEN
        RAISE EXCEPTION 'ranking run % has ended: only is_final may change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER ranking_run_ended_immutable
    BEFORE UPDATE OR DELETE ON ranking_rankingrun
    FOR EACH ROW EXECUTE FUNCTION ranking_run_ended_immutable();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS ranking_run_ended_immutable ON ranking_rankingrun;
DROP FUNCTION IF EXISTS ranking_run_ended_immutable();
DROP TRIGGER IF EXISTS ranking_unrankedfamily_immutable ON ranking_unrankedfamily;
DROP TRIGGER IF EXISTS ranking_rankedfamily_immutable ON ranking_rankedfamily;
DROP FUNCTION IF EXISTS ranking_rows_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("ranking", "0002_ranking_runs")]

    operations = [migrations.RunSQL(GUARD, reverse_sql=UNGUARD)]
