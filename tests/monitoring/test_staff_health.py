"""Field staff health: what the phone reports at sync is recorded on its device, shown to
supervisors in scope, and a BPS admin revokes a device from the page (audited)."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from enumeration.models import Device
from monitoring import staff
from tests.fieldapp.test_api_sync import device_client

pytestmark = pytest.mark.django_db


def test_pull_and_push_record_the_app_version_and_unsent_count(petugas, field):
    client, _token, device_id = device_client(petugas)
    response = client.get("/api/v1/sync/pull/", HTTP_X_APP_VERSION="v-abc123", HTTP_X_UNSENT_COUNT="5")
    assert response.status_code == 200
    device = Device.objects.get(pk=device_id)
    assert (device.app_version, device.unsent_count) == ("v-abc123", 5) and device.reported_at is not None
    client.post(
        "/api/v1/sync/push/", {"families": []}, content_type="application/json",
        HTTP_X_APP_VERSION="v-abc123", HTTP_X_UNSENT_COUNT="0",
    )  # fmt: skip
    assert Device.objects.get(pk=device_id).unsent_count == 0


def test_a_malformed_report_is_not_recorded_as_a_number(petugas, field):
    client, _token, device_id = device_client(petugas)
    client.get("/api/v1/sync/pull/", HTTP_X_APP_VERSION="<b>v1</b>\x07" + "x" * 80, HTTP_X_UNSENT_COUNT="-3")
    device = Device.objects.get(pk=device_id)
    assert device.unsent_count is None and len(device.app_version) == 40 and " " not in device.app_version
    client.get("/api/v1/sync/pull/")  # no report: what was recorded stays
    assert Device.objects.get(pk=device_id).app_version == device.app_version


def make_device(user, **fields) -> Device:
    return Device.objects.create(id=uuid.uuid4(), user=user, name="Ponsel", **fields)


def test_supervisors_see_their_ppl_devices_only(supervisor, other_supervisor, petugas, teammate, other_petugas):
    make_device(petugas, last_seen_at=timezone.now(), app_version="v9", unsent_count=3)
    make_device(other_petugas, last_seen_at=timezone.now())
    rows = staff.staff_health_for_user(user=supervisor)
    assert [r.ppl for r in rows] == [petugas, teammate]
    assert rows[0].unsent == 3 and not rows[0].stale and rows[1].stale  # the teammate has no device
    assert [r.ppl for r in staff.staff_health_for_user(user=other_supervisor)] == [other_petugas]


def test_the_page_shows_devices_and_offers_revoke_to_bps_admins_only(client, supervisor, bps_admin, petugas):
    device = make_device(petugas, last_seen_at=timezone.now(), app_version="v9", unsent_count=3)
    client.force_login(supervisor)
    page = client.get("/pemantauan/petugas/").content.decode()
    assert "v9" in page and petugas.username in page and "/cabut/" not in page
    assert client.post(f"/pemantauan/petugas/perangkat/{device.pk}/cabut/").status_code == 403
    assert Device.objects.get(pk=device.pk).revoked_at is None
    client.force_login(bps_admin)
    assert f"/pemantauan/petugas/perangkat/{device.pk}/cabut/" in client.get("/pemantauan/petugas/").content.decode()
    response = client.post(f"/pemantauan/petugas/perangkat/{device.pk}/cabut/")
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == bps_admin
    assert AuditEntry.objects.filter(action=AuditAction.DEVICE_REVOKE, object_id=str(device.pk)).exists()


def test_a_device_outside_the_scope_is_not_found(client, other_koseka, petugas):
    device = make_device(petugas)
    client.force_login(other_koseka)
    assert client.post(f"/pemantauan/petugas/perangkat/{device.pk}/cabut/").status_code == 404


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_get_403(client, request, persona, petugas):
    device = make_device(petugas)
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/pemantauan/petugas/").status_code == 403
    assert client.post(f"/pemantauan/petugas/perangkat/{device.pk}/cabut/").status_code == 403
