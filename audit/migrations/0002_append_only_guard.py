"""The database refuses to change or delete audit entries, whatever the client: the ORM, raw SQL, psql.

A trigger raises on every UPDATE and on every DELETE, with one exception: the retention purge
(`audit.services.audit_purge`) sets `regsosek.audit_purge_before` to its cutoff for its own
transaction, and a DELETE of an entry older than that cutoff goes through. So an entry is deleted
only when it is past the retention period, and only by the purge. Why a setting carrying the cutoff
rather than a period written into the trigger: the period is configuration (AUDIT_RETENTION_DAYS),
which a trigger cannot read, and changing it must not need a migration; the trigger still checks
every deleted row against the cutoff, so the purge cannot delete recent entries either.

What it does not stop: someone holding the database owner's password can drop the trigger or
TRUNCATE the table (TRUNCATE fires no row trigger; the test suite's flush relies on it). That is
the deployment's to prevent (docs/privacy.md, "Audit log").
"""

from django.db import migrations

GUARD = """
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before text := current_setting('regsosek.audit_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(purge_before, '') <> '' AND OLD.at < purge_before::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Entries are deleted only by manage.py purge_audit_log, once past AUDIT_RETENTION_DAYS.';
END;
$$;

CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entries")]

    operations = [migrations.RunSQL(GUARD, reverse_sql=UNGUARD)]
