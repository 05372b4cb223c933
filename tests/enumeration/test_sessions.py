"""Web sessions end when idle; a BPS admin ends one person's sessions and devices at once."""

from __future__ import annotations

import time
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from enumeration.models import Device
from enumeration.sessions import LAST_ACTIVITY_KEY, user_sessions_end
from regsosek.errors import NotAllowedError

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-uji-123"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


def phone(user) -> tuple[Client, uuid.UUID]:  # type: ignore[no-untyped-def]
    device_id = uuid.uuid4()
    response = Client().post(
        "/api/v1/auth/device/",
        {"username": user.username, "password": PASSWORD, "device_id": str(device_id)},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(device_id)), device_id


# --- inactivity -----------------------------------------------------------------------------------


def test_a_session_idle_past_the_limit_ends_and_is_recorded(supervisor, settings):
    settings.SESSION_IDLE_MINUTES = 30
    client = signed_in(supervisor)
    idle_for(client, 29 * 60)
    assert client.get("/").status_code == 200
    idle_for(client, 31 * 60)
    response = client.get("/tim/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert SESSION_KEY not in client.session
    assert client.get("/api/v1/me/").status_code in (401, 403)
    expired = AuditEntry.objects.get(action="auth.session_expired")
    assert (expired.actor_id, expired.detail) == (supervisor.pk, "channel=web")
    assert not AuditEntry.objects.filter(action="auth.sign_out").exists()
    page = client.get(response["Location"]).content.decode()
    assert "tanpa aktivitas" in page


def test_activity_is_written_at_most_once_a_minute(supervisor, django_assert_num_queries):
    client = signed_in(supervisor)
    first = client.session[LAST_ACTIVITY_KEY]
    assert abs(first - time.time()) < 5
    with django_assert_num_queries(3):  # session, user, the user's supervisor: no session write
        client.get("/api/v1/me/")
    idle_for(client, 61)
    client.get("/api/v1/me/")
    assert abs(client.session[LAST_ACTIVITY_KEY] - time.time()) < 5


def test_device_requests_carry_no_session_and_are_not_touched(petugas, settings):
    settings.SESSION_IDLE_MINUTES = 1
    device, _ = phone(petugas)
    assert device.get("/api/v1/sync/pull/").status_code == 200


# --- ending a person's sessions and devices --------------------------------------------------------


def test_ending_a_leavers_sessions_and_devices(petugas, bps_admin, supervisor, field):
    web_one, web_two = signed_in(petugas), signed_in(petugas)
    other_web = signed_in(supervisor)
    device, device_id = phone(petugas)
    ended = user_sessions_end(user=petugas, by=bps_admin, block_sign_in=True)
    assert (ended.sessions, ended.devices, ended.sign_in_blocked) == (2, 1, True)
    for web in (web_one, web_two):
        assert web.get("/").status_code == 302
    assert other_web.get("/").status_code == 200
    refused = device.get("/api/v1/sync/pull/")
    assert refused.status_code == 401 and refused.json()["code"] == "device_revoked" and refused.json()["wipe"] is True
    assert Device.objects.get(pk=device_id).revoked_by == bps_admin
    # Signing in again is refused on the web and on a phone until an admin sets a new password.
    assert Client().post(reverse("login"), {"username": "ppl.setu", "password": PASSWORD}).status_code == 200
    again = Client().post(
        "/api/v1/auth/device/",
        {"username": "ppl.setu", "password": PASSWORD, "device_id": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert again.status_code == 401
    entry = AuditEntry.objects.get(action="auth.sessions_ended")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (bps_admin.pk, "user", str(petugas.pk))
    assert entry.detail == "sessions=2 devices=1 sign_in_blocked=1"
    assert AuditEntry.objects.filter(action="device.revoke", object_id=str(device_id)).exists()
    # Again: nothing more to end.
    assert user_sessions_end(user=petugas, by=bps_admin, block_sign_in=True).devices == 0


def test_ending_sessions_without_blocking_keeps_the_password(petugas, bps_admin):
    web = signed_in(petugas)
    user_sessions_end(user=petugas, by=bps_admin, block_sign_in=False)
    assert web.get("/").status_code == 302
    assert signed_in(petugas).get("/").status_code == 200


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "petugas"])
def test_only_bps_admins_end_sessions_and_not_their_own(request, persona, petugas, teammate, bps_admin):
    with pytest.raises(NotAllowedError):
        user_sessions_end(user=teammate, by=request.getfixturevalue(persona), block_sign_in=True)
    with pytest.raises(NotAllowedError):
        user_sessions_end(user=bps_admin, by=bps_admin, block_sign_in=True)
    assert not AuditEntry.objects.filter(action="auth.sessions_ended").exists()


def test_the_admin_action_asks_then_ends_sessions_and_devices(client, petugas, bps_admin, field):
    web = signed_in(petugas)
    device, _ = phone(petugas)
    client.force_login(bps_admin)
    url = "/admin/enumeration/user/"
    chosen = {"action": "end_sessions_and_devices", "_selected_action": [str(petugas.pk), str(bps_admin.pk)]}
    asked = client.post(url, chosen)
    body = asked.content.decode()
    assert asked.status_code == 200 and "ppl.setu" in body and "Akun Anda sendiri dilewati" in body
    assert web.get("/").status_code == 200  # nothing ended yet
    done = client.post(url, {**chosen, "confirm": "yes", "block_sign_in": "1"}, follow=True)
    assert done.status_code == 200 and "1 perangkat dicabut" in done.content.decode()
    assert web.get("/").status_code == 302 and device.get("/api/v1/sync/pull/").status_code == 401
    assert client.get("/admin/").status_code == 200  # the admin's own session is untouched
    assert Session.objects.count() == 1


def test_a_field_staff_member_cannot_run_the_action(client, supervisor, petugas):
    client.force_login(supervisor)
    response = client.post(
        "/admin/enumeration/user/", {"action": "end_sessions_and_devices", "_selected_action": [str(petugas.pk)]}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="auth.sessions_ended").exists()
