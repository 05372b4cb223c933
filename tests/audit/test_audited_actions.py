"""Every audited action leaves its entry, through the real APIs, services and admin pages."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditEntry
from enumeration.models import SLS, Device, User
from households import services
from tests.helpers import KEC_A, KEL_A1
from tests.households.factories import create_family, record_for
from tests.households.test_services_workflow import prelist

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-uji-123"


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, body, content_type="application/json")


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@pytest.fixture
def family(petugas, field):
    return create_family(petugas, field["own1"])


def test_a_reveal_is_recorded_with_its_reason_and_without_the_number(client, supervisor, family):
    client.force_login(supervisor)
    response = post(client, f"/api/v1/families/{family.pk}/reveal/", {"member_line_no": 2, "reason": "cek dukcapil"})
    assert response.status_code == 200
    (entry,) = entries("identifier.reveal")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (supervisor.pk, "family", str(family.pk))
    assert (entry.detail, entry.reason) == ("kind=nik line=2", "cek dukcapil")
    assert (entry.kecamatan_code, entry.kelurahan_code, entry.sls_id) == (KEC_A, KEL_A1, family.sls_id)
    number = response.json()["value"]
    assert not AuditEntry.objects.filter(detail__contains=number[-6:]).exists()
    # A refused reveal (no reason) reveals nothing and records nothing.
    assert post(client, f"/api/v1/families/{family.pk}/reveal/", {"reason": "x"}).status_code == 400
    assert len(entries("identifier.reveal")) == 1


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_family_reads_by_supervisors_are_recorded(client, request, persona, family):
    reader = request.getfixturevalue(persona)
    client.force_login(reader)
    assert client.get(f"/api/v1/families/{family.pk}/").status_code == 200
    assert client.get(f"/api/v1/families/{family.pk}/history/").status_code == 200
    assert client.get(f"/api/v1/families/{family.pk}/history/?revision=1").status_code == 200
    views = entries("family.view") + entries("family.history_view")
    assert [(e.action, e.actor_id, e.object_id, e.detail) for e in views] == [
        ("family.view", reader.pk, str(family.pk), ""),
        ("family.history_view", reader.pk, str(family.pk), ""),
        ("family.history_view", reader.pk, str(family.pk), "revision=1"),
    ]
    assert {e.sls_id for e in views} == {family.sls_id}


def test_the_review_desk_family_page_and_its_actions_are_recorded(client, supervisor, family):
    client.force_login(supervisor)
    assert client.get(f"/review/families/{family.pk}/").status_code == 200
    assert client.post(f"/review/families/{family.pk}/approve/").status_code == 302
    recorded = [
        (e.action, e.actor_id, e.object_id, e.detail)
        for e in AuditEntry.objects.filter(action__startswith="family.").order_by("id")
    ]
    assert recorded == [
        ("family.view", supervisor.pk, str(family.pk), "via=review"),
        ("family.approve", supervisor.pk, str(family.pk), "from=submitted to=approved via=workflow"),
    ]


def test_the_ppl_reading_their_own_families_is_not_recorded_and_outsiders_read_nothing(
    client, petugas, other_supervisor, family
):
    client.force_login(petugas)
    assert client.get(f"/api/v1/families/{family.pk}/").status_code == 200
    client.force_login(other_supervisor)
    assert client.get(f"/api/v1/families/{family.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="family.").exists()


def test_review_actions_are_recorded_without_their_comments(client, petugas, supervisor, koseka, family):
    client.force_login(supervisor)
    assert post(client, f"/api/v1/families/{family.pk}/return/", {"comment": "nama Budi salah eja"}).status_code == 200
    client.force_login(petugas)
    assert post(client, f"/api/v1/families/{family.pk}/resubmit/", {"comment": "sudah benar"}).status_code == 200
    client.force_login(supervisor)
    assert post(client, f"/api/v1/families/{family.pk}/approve/", {}).status_code == 200
    client.force_login(koseka)
    assert post(client, f"/api/v1/families/{family.pk}/return/", {"comment": "foto"}).status_code == 200
    recorded = [
        (e.action, e.actor_id, e.detail)
        for e in AuditEntry.objects.filter(action__in=["family.return", "family.resubmit", "family.approve"]).order_by(
            "id"
        )
    ]
    assert recorded == [
        ("family.return", supervisor.pk, "from=submitted to=returned via=workflow"),
        ("family.resubmit", petugas.pk, "from=returned to=submitted via=workflow"),
        ("family.approve", supervisor.pk, "from=submitted to=approved via=workflow"),
        ("family.return", koseka.pk, "from=approved to=returned via=workflow"),
    ]
    assert not AuditEntry.objects.filter(detail__icontains="budi").exists()


def test_a_corrected_returned_family_is_recorded_as_resubmitted(petugas, supervisor, family):
    services.family_return(user=supervisor, family=family, comment="periksa umur")
    family.refresh_from_db()
    services.family_save(
        user=petugas,
        sls=family.sls,
        client_uuid=family.client_uuid,
        record=record_for(family.sls, r302=61),
        base_revision=family.revision,
        answers_return=services.family_return_id(family),
    )
    (entry,) = entries("family.resubmit")
    assert (entry.actor_id, entry.detail) == (petugas.pk, "from=returned to=submitted via=correction source=api")


def test_sls_confirm_and_reopen_are_recorded(client, petugas, supervisor, koseka, family, field):
    sls = field["own1"]
    (row,) = prelist(sls, "BUDI")
    services.prelist_set_status(user=petugas, row=row, status="found", family=family)
    services.family_approve(user=supervisor, family=family)
    client.force_login(koseka)
    assert post(client, f"/api/v1/sls/{sls.pk}/confirm/", {"comment": "lengkap"}).status_code == 200
    assert post(client, f"/api/v1/sls/{sls.pk}/reopen/", {"comment": "terlewat"}).status_code == 200
    assert [
        (e.action, e.actor_id, e.object_type, e.object_id, e.sls_id)
        for e in AuditEntry.objects.filter(action__startswith="sls.").order_by("id")
    ] == [
        ("sls.confirm", koseka.pk, "sls", str(sls.pk), sls.pk),
        ("sls.reopen", koseka.pk, "sls", str(sls.pk), sls.pk),
    ]


def test_device_revocation_and_wipe_report_are_recorded(client, petugas, bps_admin, field):
    device_id = uuid.uuid4()
    signed = post(
        Client(),
        "/api/v1/auth/device/",
        {"username": "ppl.setu", "password": PASSWORD, "device_id": str(device_id)},
    )
    phone = Client(HTTP_AUTHORIZATION=f"Bearer {signed.json()['token']}", HTTP_X_DEVICE_ID=str(device_id))
    client.force_login(bps_admin)
    response = client.post(
        "/admin/enumeration/device/", {"action": "revoke", "_selected_action": [str(device_id)]}, follow=True
    )
    assert response.status_code == 200
    assert phone.post("/api/v1/auth/device/wiped/", {}, content_type="application/json").status_code == 204
    revoke, wiped = entries("device.revoke") + entries("device.wipe_confirmed")
    assert (revoke.actor_id, revoke.object_id, revoke.detail) == (
        bps_admin.pk,
        str(device_id),
        f"owner_id={petugas.pk}",
    )
    assert (wiped.actor_id, wiped.object_id) == (petugas.pk, str(device_id))
    assert Device.objects.get(pk=device_id).wipe_confirmed_at is not None


def test_admin_add_change_and_delete_are_recorded_with_field_names_only(client, bps_admin, supervisor):
    client.force_login(bps_admin)
    added = client.post(
        "/admin/enumeration/user/add/",
        {
            "username": "ppl.baru",
            "full_name": "Budi Baru",
            "role": "ppl",
            "supervisor": supervisor.pk,
            "kecamatan": KEC_A,
            "password1": "kata-sandi-panjang-1",
            "password2": "kata-sandi-panjang-1",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    new = User.objects.get(username="ppl.baru")
    change = client.get(f"/admin/enumeration/user/{new.pk}/change/")
    form = change.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and k not in ("password", "last_login", "date_joined")
    }
    data.update({"full_name": "Budi Baru Sekali", "is_active": "on", "supervisor": supervisor.pk, "kecamatan": KEC_A})
    changed = client.post(f"/admin/enumeration/user/{new.pk}/change/", data)
    assert changed.status_code == 302, changed.content.decode()[:3000]
    deleted = client.post(f"/admin/enumeration/user/{new.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    recorded = [
        (e.action, e.object_type, e.object_id, e.kecamatan_code)
        for e in AuditEntry.objects.filter(action__startswith="admin.").order_by("id")
    ]
    assert recorded == [
        ("admin.add", "enumeration.user", str(new.pk), KEC_A),
        ("admin.change", "enumeration.user", str(new.pk), KEC_A),
        ("admin.delete", "enumeration.user", str(new.pk), KEC_A),
    ]
    change_entry = entries("admin.change")[0]
    assert change_entry.detail.startswith("fields=") and "Budi" not in change_entry.detail
    assert {e.actor_id for e in AuditEntry.objects.filter(action__startswith="admin.")} == {bps_admin.pk}


def test_admin_bulk_delete_and_csv_import_are_recorded(client, bps_admin, db):
    client.force_login(bps_admin)
    upload = SimpleUploadedFile(
        "sls.csv",
        f"kode_kelurahan,kode_sls,kode_sub_sls,nama_sls\n{KEL_A1},0101,00,RT 01\n{KEL_A1},0102,00,RT 02\n".encode(),
        content_type="text/csv",
    )
    response = client.post("/admin/enumeration/assignment/import/", {"kind": "sls", "file": upload})
    assert response.status_code == 200 and "Berhasil" in response.content.decode(), response.content.decode()[-3000:]
    (imported,) = entries("admin.import")
    assert (imported.object_type, imported.detail) == ("import.sls", "rows=2 created=2 updated=0")
    ids = [str(pk) for pk in SLS.objects.filter(code__in=["0101", "0102"]).values_list("pk", flat=True)]
    client.post("/admin/enumeration/sls/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert sorted(e.object_id for e in entries("admin.delete")) == sorted(ids)
    assert {e.kelurahan_code for e in entries("admin.delete")} == {KEL_A1}


def test_a_family_page_opened_in_the_admin_is_recorded(client, bps_admin, family):
    client.force_login(bps_admin)
    assert client.get(f"/admin/households/family/{family.pk}/change/").status_code == 200
    (entry,) = entries("admin.view")
    assert (entry.object_type, entry.object_id, entry.sls_id) == ("households.family", str(family.pk), family.sls_id)
    assert client.get("/admin/households/family/").status_code == 200
    assert len(entries("admin.view")) == 1  # the list is not a family's page
