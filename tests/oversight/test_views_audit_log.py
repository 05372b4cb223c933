"""The BPS admins' audit page: who may open it, its filters and pages, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from audit.services import Area, audit_record
from tests.helpers import KEC_A, KEC_B, KEL_A1, KEL_B1

pytestmark = pytest.mark.django_db
URL = "/audit/"
CSV_URL = "/audit/csv/"


def at(days_ago: int, **fields) -> AuditEntry:  # type: ignore[no-untyped-def]
    entry = AuditEntry(at=timezone.now() - dt.timedelta(days=days_ago), **fields)
    entry.save()
    return entry


@pytest.fixture
def log(supervisor, other_supervisor, petugas):
    """Entries of two people in two kecamatan, over three days; the page's own sign-ins are not here."""
    return {
        "view_a": audit_record(
            action=AuditAction.FAMILY_VIEW,
            actor=supervisor,
            object_type="family",
            object_id=7,
            area=Area(kecamatan=KEC_A, kelurahan=KEL_A1, sls_id=1),
        ),
        "reveal_b": audit_record(
            action=AuditAction.IDENTIFIER_REVEAL,
            actor=other_supervisor,
            object_type="family",
            object_id=8,
            area=Area(kecamatan=KEC_B, kelurahan=KEL_B1),
            detail="kind=kk",
            reason="cek KK keluarga Siti",
        ),
        "old_a": at(
            3,
            action=AuditAction.FAMILY_APPROVE,
            actor_id=supervisor.pk,
            actor_username="pml.setu",
            kecamatan_code=KEC_A,
        ),
        "failed_ppl": audit_record(
            action=AuditAction.SIGN_IN_FAILED, actor=petugas, object_type="user", object_id=petugas.pk
        ),
    }


def shown(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {e.pk for e in response.context["page"]}


@pytest.mark.parametrize("persona", ["petugas", "supervisor", "koseka", "pemkot"])
def test_only_bps_admins_open_the_page_and_the_export(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_anonymous_callers_are_sent_to_sign_in(client, db):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_lists_entries_newest_first_with_the_reveal_reason(client, bps_admin, log):
    client.force_login(bps_admin)
    response = client.get(URL)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = list(response.context["page"])
    assert [e.at for e in page] == sorted((e.at for e in page), reverse=True)
    body = response.content.decode()
    assert "Log audit" in body and "cek KK keluarga Siti" in body and "NIK / No. KK dibuka" in body
    assert 'aria-label="' in body and "<caption>" in body


def test_filters_by_person_action_area_object_and_date(client, bps_admin, log, supervisor, petugas):
    client.force_login(bps_admin)
    mine = shown(client.get(URL, {"person": "pml.setu"}))
    assert {log["view_a"].pk, log["old_a"].pk} <= mine and log["reveal_b"].pk not in mine
    # A person also matches entries about their account (a failed sign-in).
    assert log["failed_ppl"].pk in shown(client.get(URL, {"person": petugas.username}))
    assert shown(client.get(URL, {"action": "identifier.reveal"})) == {log["reveal_b"].pk}
    assert shown(client.get(URL, {"kecamatan": KEC_A})) == {log["view_a"].pk, log["old_a"].pk}
    assert shown(client.get(URL, {"kelurahan": KEL_B1})) == {log["reveal_b"].pk}
    assert shown(client.get(URL, {"object_type": "family", "object_id": "7"})) == {log["view_a"].pk}
    today = timezone.localdate()
    three_days_ago = (today - dt.timedelta(days=3)).isoformat()
    assert shown(client.get(URL, {"date_to": three_days_ago})) == {log["old_a"].pk}
    recent = shown(client.get(URL, {"date_from": today.isoformat(), "person": "pml.setu"}))
    assert recent == {log["view_a"].pk}


def test_bad_filters_are_explained_and_show_nothing(client, bps_admin, log):
    client.force_login(bps_admin)
    response = client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01", "kecamatan": "9999999"})
    assert response.status_code == 200 and response.context["page"] is None
    assert response.context["form"].errors.keys() == {"date_to", "kecamatan"}
    assert client.get(CSV_URL, {"kecamatan": "9999999"}).status_code == 400


def test_the_page_is_paged(client, bps_admin, supervisor):
    for i in range(55):
        audit_record(action=AuditAction.FAMILY_VIEW, actor=supervisor, object_type="family", object_id=i)
    client.force_login(bps_admin)
    first = client.get(URL, {"action": "family.view"})
    assert len(first.context["page"]) == 50 and "page=2" in first.content.decode()
    second = client.get(URL, {"action": "family.view", "page": 2})
    assert len(second.context["page"]) == 5
    assert shown(first).isdisjoint(shown(second))


def test_the_csv_export_is_streamed_filtered_audited_and_holds_no_reason(client, bps_admin, log):
    client.force_login(bps_admin)
    response = client.get(CSV_URL, {"kecamatan": KEC_B})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["action"] for r in rows] == ["identifier.reveal"]
    assert rows[0]["object_id"] == "8" and rows[0]["kecamatan"] == KEC_B and rows[0]["detail"] == "kind=kk"
    assert "Siti" not in text and "reason" not in rows[0]
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (export.actor_id, export.object_type, export.detail) == (
        bps_admin.pk,
        "audit_log",
        f"rows=1 kecamatan={KEC_B}",
    )


def test_csv_cells_cannot_become_spreadsheet_formulas(client, bps_admin, db):
    at(0, action=AuditAction.ADMIN_CHANGE, detail="=HYPERLINK(1)")
    client.force_login(bps_admin)
    text = b"".join(client.get(CSV_URL, {"action": "admin.change"}).streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_the_page_speaks_english_on_request(client, bps_admin, log):
    client.force_login(bps_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    body = client.get(URL).content.decode()
    assert "Audit log" in body and "Identifier (NIK / No. KK) revealed" in body


def test_the_page_runs_a_fixed_number_of_queries(client, bps_admin, supervisor, django_assert_num_queries):
    client.force_login(bps_admin)
    client.get(URL)  # the session's first activity is written once
    for i in range(30):
        audit_record(action=AuditAction.FAMILY_VIEW, actor=supervisor, object_type="family", object_id=i)
    # session, user, kecamatan and kelurahan lists, the count, the synthetic-data banner, the entries
    with django_assert_num_queries(7):
        assert client.get(URL, {"action": "family.view"}).status_code == 200
