"""The audit log's own rules: what an entry holds, append-only in Python and in PostgreSQL, retention."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from audit.context import AuditContextMiddleware, client_ip
from audit.models import AppendOnlyError, AuditAction, AuditEntry
from audit.services import Area, audit_export, audit_purge, audit_record
from tests.helpers import KEC_A, KEL_A1, make_sls

pytestmark = pytest.mark.django_db


def entry_at(when: dt.datetime, action: AuditAction = AuditAction.SIGN_IN) -> AuditEntry:
    entry = AuditEntry(action=action, at=when, detail="uji")
    entry.save()
    return entry


def test_an_entry_copies_who_what_where(supervisor):
    sls = make_sls(KEL_A1, "0009")
    entry = audit_record(
        action=AuditAction.FAMILY_VIEW,
        actor=supervisor,
        object_type="family",
        object_id=42,
        area=Area.of_sls(sls),
        detail="revision=2",
    )
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_username, entry.actor_role) == (supervisor.pk, "pml.setu", "pml")
    assert (entry.object_type, entry.object_id, entry.detail) == ("family", "42", "revision=2")
    assert (entry.kecamatan_code, entry.kelurahan_code, entry.sls_id) == (KEC_A, KEL_A1, sls.pk)
    assert entry.at <= timezone.now() and entry.ip_address is None


def test_the_client_address_comes_from_the_request_being_served(supervisor, settings):
    settings.REGSOSEK_PROXY_COUNT = 1
    recorded = []

    def view(request):
        recorded.append(audit_record(action=AuditAction.EXPORT, actor=supervisor))
        return None

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    AuditContextMiddleware(view)(request)
    assert recorded[0].ip_address == "203.0.113.9"
    # After the request, entries carry no address (a task, a command).
    assert audit_record(action=AuditAction.EXPORT, actor=supervisor).ip_address is None


def test_a_forged_forwarded_address_is_not_recorded(settings):
    settings.REGSOSEK_PROXY_COUNT = 1
    assert client_ip(RequestFactory().get("/", HTTP_X_FORWARDED_FOR="<script>")) is None
    settings.REGSOSEK_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "192.0.2.1"  # no proxy configured: the header is the client's own claim


def test_an_unknown_action_is_refused(supervisor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        audit_record(action="family.eat", actor=supervisor)  # type: ignore[arg-type]


def test_the_export_service_records_what_and_how_many(bps_admin):
    entry = audit_export(actor=bps_admin, export="families_csv", rows=12, filters="kecamatan=3674010")
    assert (entry.action, entry.object_type, entry.detail) == (
        "data.export",
        "families_csv",
        "rows=12 kecamatan=3674010",
    )


def test_the_reveal_reason_is_stored_but_never_logged(supervisor, caplog):
    with caplog.at_level(logging.DEBUG):
        entry = audit_record(action=AuditAction.IDENTIFIER_REVEAL, actor=supervisor, reason="cek nama Budi")
    assert AuditEntry.objects.get(pk=entry.pk).reason == "cek nama Budi"
    assert "Budi" not in caplog.text


# --- append-only ---------------------------------------------------------------------------------


def test_the_application_cannot_update_or_delete_an_entry(supervisor):
    entry = audit_record(action=AuditAction.SIGN_IN, actor=supervisor)
    entry.detail = "diubah"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(detail="diubah")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["detail"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_entry SET detail = 'diubah' WHERE id = %s",
        "UPDATE audit_entry SET at = at - interval '10 years' WHERE id = %s",
        "DELETE FROM audit_entry WHERE id = %s",
    ],
)
def test_the_database_refuses_update_and_delete_even_in_raw_sql(supervisor, sql):
    entry = audit_record(action=AuditAction.SIGN_IN, actor=supervisor)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_even_the_purge_setting_lets_no_recent_entry_go_and_no_update_through(supervisor):
    recent = audit_record(action=AuditAction.SIGN_IN, actor=supervisor)
    old = entry_at(timezone.now() - dt.timedelta(days=1000))
    with transaction.atomic(), connection.cursor() as cursor:
        cutoff = timezone.now() - dt.timedelta(days=1)
        cursor.execute("SELECT set_config('regsosek.audit_purge_before', %s, true)", [cutoff.isoformat()])
        for sql in ["DELETE FROM audit_entry WHERE id = %s", "UPDATE audit_entry SET detail = 'x' WHERE id = %s"]:
            for pk in (recent.pk, old.pk) if sql.startswith("UPDATE") else (recent.pk,):
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    cursor.execute(sql, [pk])
        # Older than the cutoff: that entry may go, and only under the setting.
        cursor.execute("DELETE FROM audit_entry WHERE id = %s", [old.pk])
    assert AuditEntry.objects.filter(pk=recent.pk).exists() and not AuditEntry.objects.filter(pk=old.pk).exists()


# --- retention -----------------------------------------------------------------------------------


def test_the_purge_deletes_only_entries_past_the_retention_period_and_records_itself(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    past = entry_at(now - dt.timedelta(days=366))
    kept = entry_at(now - dt.timedelta(days=364))
    result = audit_purge(now=now)
    assert result.deleted == 1
    assert not AuditEntry.objects.filter(pk=past.pk).exists() and AuditEntry.objects.filter(pk=kept.pk).exists()
    purge = AuditEntry.objects.get(action=AuditAction.PURGE)
    assert purge.detail.startswith("deleted=1 before=") and purge.actor_id is None
    # The setting does not outlive the purge: an ordinary delete is refused again.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_entry WHERE id = %s", [kept.pk])


def test_the_purge_command_dry_run_deletes_nothing(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    old = entry_at(timezone.now() - dt.timedelta(days=91))
    out = StringIO()
    call_command("purge_audit_log", "--dry-run", stdout=out)
    assert "would delete 1 " in out.getvalue() and AuditEntry.objects.filter(pk=old.pk).exists()
    call_command("purge_audit_log", stdout=out)
    assert "deleted 1 " in out.getvalue() and not AuditEntry.objects.filter(pk=old.pk).exists()


def test_retention_below_ninety_days_is_refused_at_start():
    code = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'regsosek.settings'); django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "AUDIT_RETENTION_DAYS": "30"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "AUDIT_RETENTION_DAYS must be at least 90" in result.stderr
