"""Signing in and out, failed sign-ins and lockouts, on the web and on devices, through the real views."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.helpers import KEC_A

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-uji-123"


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def device_sign_in(client: Client, username: str, password: str, device_id: uuid.UUID | None = None):
    return client.post(
        "/api/v1/auth/device/",
        {"username": username, "password": password, "device_id": str(device_id or uuid.uuid4())},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.7",
    )


def test_a_web_sign_in_and_sign_out_are_recorded_with_the_address(client, supervisor):
    response = client.post(reverse("login"), {"username": "pml.setu", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
    client.post(reverse("logout"))
    sign_in, sign_out = AuditEntry.objects.order_by("id")
    assert (sign_in.action, sign_in.actor_id, sign_in.actor_role) == ("auth.sign_in", supervisor.pk, "pml")
    assert (sign_in.detail, sign_in.ip_address, sign_in.kecamatan_code) == ("channel=web", "198.51.100.7", KEC_A)
    assert (sign_out.action, sign_out.actor_username) == ("auth.sign_out", "pml.setu")


def test_failed_sign_ins_name_the_account_never_the_text_typed(client, supervisor):
    client.post(reverse("login"), {"username": "pml.setu", "password": "salah-salah"})
    client.post(reverse("login"), {"username": "kata-sandi-rahasia", "password": "x"})
    known, unknown = AuditEntry.objects.order_by("id")
    assert (known.action, known.actor_id, known.object_id, known.detail) == (
        "auth.sign_in_failed",
        supervisor.pk,
        str(supervisor.pk),
        "channel=web",
    )
    assert (unknown.action, unknown.actor_id, unknown.detail) == (
        "auth.sign_in_failed",
        None,
        "channel=web account=unknown",
    )
    assert not AuditEntry.objects.filter(actor_username__contains="rahasia").exists()
    assert "rahasia" not in " ".join(AuditEntry.objects.values_list("detail", flat=True))


def test_a_web_lockout_is_recorded_once_per_attempt(client, supervisor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "pml.setu", "password": "salah-salah"})
    assert client.post(reverse("login"), {"username": "pml.setu", "password": PASSWORD}).status_code == 429
    limit = settings.AXES_FAILURE_LIMIT
    assert actions() == ["auth.sign_in_failed"] * (limit - 1) + ["auth.locked_out"] * 2
    assert set(AuditEntry.objects.values_list("actor_id", flat=True)) == {supervisor.pk}


def test_a_device_sign_in_its_failures_and_lockout_are_recorded(client, petugas, settings):
    device_id = uuid.uuid4()
    assert device_sign_in(client, "ppl.setu", PASSWORD, device_id).status_code == 200
    signed = AuditEntry.objects.get()
    assert (signed.action, signed.actor_id, signed.object_type, signed.object_id) == (
        "device.sign_in",
        petugas.pk,
        "device",
        str(device_id),
    )
    assert (signed.detail, signed.ip_address) == ("new_device=1", "198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        device_sign_in(client, "ppl.setu", "salah-salah", device_id)
    refused = device_sign_in(client, "ppl.setu", PASSWORD, device_id)
    assert refused.status_code in (401, 429)
    limit = settings.AXES_FAILURE_LIMIT
    assert actions() == ["device.sign_in"] + ["auth.sign_in_failed"] * (limit - 1) + ["auth.locked_out"] * 2
    assert set(AuditEntry.objects.exclude(action="device.sign_in").values_list("detail", flat=True)) == {
        "channel=device"
    }
