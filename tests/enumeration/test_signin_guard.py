"""Sign-in lockout and throttling (enumeration/signin_guard.py, docs/operations.md): an outsider's
wrong passwords never keep a PPL out, one address spraying usernames gets 429, a site-wide flood
turns unknown clients away, and a PML / Koseka / BPS admin lifts a lockout in scope, audited."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from audit.models import AuditAction, AuditEntry
from enumeration import signin_guard
from enumeration.models import User
from regsosek.errors import NotAllowedError

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"
OUTSIDER = "203.0.113.50"
PPL_HOME = "198.51.100.7"
PROXY = "10.0.0.2"


def device_sign_in(
    client: Client, username: str, password: str, *, device_id: uuid.UUID | None = None, **extra: Any
) -> Any:
    body = {"username": username, "password": password, "device_id": str(device_id or uuid.uuid4())}
    return client.post("/api/v1/auth/device/", body, content_type="application/json", **extra)


def web_login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_an_outsiders_wrong_passwords_do_not_lock_the_ppl_out_from_their_own_address(client, petugas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        device_sign_in(client, petugas.username, "tebakan-salah", REMOTE_ADDR=OUTSIDER)
    # The outsider is locked out for this username, even with the right password...
    locked = device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=OUTSIDER)
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"
    # ...the PPL is not, on the phone or on the web.
    assert device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 200
    assert web_login(Client(), petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 302


def test_behind_a_proxy_the_lockout_tells_clients_apart_by_the_forwarded_address(client, petugas, settings):
    settings.REGSOSEK_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        device_sign_in(
            client, petugas.username, "tebakan-salah", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OUTSIDER}"
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OUTSIDER}
    assert (
        device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OUTSIDER).status_code
        == 429
    )
    ppl = device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=PPL_HOME)
    assert ppl.status_code == 200


def test_thirty_usernames_from_one_address_get_429_after_the_limit(client, petugas, settings):
    limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
    assert limit < 30
    answers = [device_sign_in(client, f"ppl{n:05d}", "sandi-umum-1", REMOTE_ADDR=OUTSIDER) for n in range(1, 31)]
    assert [a.status_code for a in answers] == [401] * limit + [429] * (30 - limit)
    refused = answers[-1]
    assert refused.json() == {
        "code": "too_many_attempts",
        "message": "Terlalu banyak percobaan masuk dari jaringan ini. Coba lagi dalam beberapa menit.",
    }
    assert 0 < int(refused["Retry-After"]) <= settings.SIGNIN_ADDRESS_WINDOW_S
    # The right password from that address is refused before it is checked (no oracle)...
    assert device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=OUTSIDER).status_code == 429
    # ...and works from any other address.
    assert device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 200
    # The refusals are audited once per address and window, without the usernames typed.
    throttled = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_THROTTLED)
    assert [(e.ip_address, e.detail, e.actor_id) for e in throttled] == [
        (OUTSIDER, "channel=device limit=address", None)
    ]


def test_the_ppls_registered_phone_passes_the_address_throttle_of_a_shared_address(client, petugas, settings):
    """Phones behind a carrier's NAT share addresses with strangers: the device id the app keeps
    lets the PPL's phone through a throttle someone else's spraying set off."""
    phone = uuid.uuid4()
    assert device_sign_in(client, petugas.username, PASSWORD, device_id=phone, REMOTE_ADDR=OUTSIDER).status_code == 200
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        device_sign_in(client, f"ppl{n:05d}", "sandi-umum-1", REMOTE_ADDR=OUTSIDER)
    assert device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=OUTSIDER).status_code == 429  # a new phone
    again = device_sign_in(client, petugas.username, PASSWORD, device_id=phone, REMOTE_ADDR=OUTSIDER)
    assert again.status_code == 200
    # Its device id is no key to anyone else's account: another username with it is throttled.
    other = device_sign_in(client, "ppl00099", PASSWORD, device_id=phone, REMOTE_ADDR=OUTSIDER)
    assert other.status_code == 429


def test_the_web_and_admin_logins_are_throttled_per_address_with_the_indonesian_page(client, supervisor, settings):
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        assert (
            web_login(client, f"pml{n:03d}", "sandi-umum-1", REMOTE_ADDR=OUTSIDER).status_code == 200
        )  # the form again
    page = web_login(client, supervisor.username, PASSWORD, REMOTE_ADDR=OUTSIDER)
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "Terlalu banyak percobaan masuk yang gagal dari jaringan ini" in page.content.decode()
    admin = client.post(reverse("admin:login"), {"username": "x", "password": "y"}, REMOTE_ADDR=OUTSIDER)
    assert admin.status_code == 429
    assert web_login(Client(), supervisor.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 302


def test_a_site_wide_flood_turns_away_unknown_clients_only(client, petugas, supervisor, settings):
    settings.SIGNIN_GLOBAL_FAILURE_LIMIT = 10
    phone = uuid.uuid4()
    assert device_sign_in(client, petugas.username, PASSWORD, device_id=phone, REMOTE_ADDR=PPL_HOME).status_code == 200
    office = "198.51.100.20"
    assert web_login(Client(), supervisor.username, PASSWORD, REMOTE_ADDR=office).status_code == 302
    # A distributed spray: one guess each from many addresses, no address near its own limit.
    for n in range(10):
        assert device_sign_in(client, f"ppl{n:05d}", "sandi-umum-1", REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 401
    stranger = device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR="192.0.2.200")
    assert stranger.status_code == 429 and stranger.json()["code"] == "too_many_attempts"
    assert 0 < int(stranger["Retry-After"]) <= 60
    assert web_login(Client(), supervisor.username, PASSWORD, REMOTE_ADDR="192.0.2.201").status_code == 429
    # The PPL's registered phone, from anywhere, and an address that signed in before still get in.
    moved = device_sign_in(client, petugas.username, PASSWORD, device_id=phone, REMOTE_ADDR="192.0.2.202")
    assert moved.status_code == 200
    assert web_login(Client(), supervisor.username, PASSWORD, REMOTE_ADDR=office).status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN_THROTTLED, detail__endswith="limit=site").count() == 2


def test_sign_in_works_while_redis_is_down(client, petugas, monkeypatch):
    def down(*args: Any, **kwargs: Any) -> Any:
        raise RedisConnectionError("Connection refused")

    for name in ("get_many", "add", "incr", "set"):
        monkeypatch.setattr(cache, name, down)
    assert device_sign_in(client, petugas.username, "salah", REMOTE_ADDR=PPL_HOME).status_code == 401
    assert device_sign_in(client, petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 200


def lock_out(user: User, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        device_sign_in(client, user.username, "tebakan-salah", REMOTE_ADDR=OUTSIDER)
    assert device_sign_in(client, user.username, PASSWORD, REMOTE_ADDR=OUTSIDER).status_code == 429


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_the_ppls_pml_koseka_and_bps_admin_see_the_lockout_and_lift_it(client, request, persona, petugas, settings):
    lock_out(petugas, settings)
    actor = request.getfixturevalue(persona)
    client.force_login(actor)
    page = client.get(reverse("monitoring:staff")).content.decode()
    assert "Terkunci: terlalu banyak salah kata sandi" in page and "1 PPL sedang terkunci" in page
    url = reverse("monitoring:signin-unlock", args=[petugas.pk])
    assert url in page
    answer = client.post(url, follow=True)
    assert answer.status_code == 200
    assert f"Kunci masuk {petugas.username} dibuka" in answer.content.decode()
    assert "Terkunci: terlalu banyak" not in answer.content.decode()
    assert not AccessAttempt.objects.filter(username=petugas.username).exists()
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN_UNLOCK)
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.detail) == (
        actor.pk, "user", str(petugas.pk), "cleared=1",
    )  # fmt: skip
    assert device_sign_in(Client(), petugas.username, PASSWORD, REMOTE_ADDR=OUTSIDER).status_code == 200


@pytest.mark.parametrize("persona", ["other_supervisor", "other_koseka"])
def test_another_team_or_kecamatan_cannot_unlock(client, request, persona, petugas, settings):
    lock_out(petugas, settings)
    actor = request.getfixturevalue(persona)
    client.force_login(actor)
    assert petugas.username not in client.get(reverse("monitoring:staff")).content.decode()
    assert client.post(reverse("monitoring:signin-unlock", args=[petugas.pk])).status_code == 404
    with pytest.raises(NotAllowedError):
        signin_guard.signin_unlock(ppl=petugas, by=actor)
    assert AccessAttempt.objects.filter(username=petugas.username).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.SIGN_IN_UNLOCK).exists()


@pytest.mark.parametrize("persona", ["petugas", "teammate", "pemkot"])
def test_ppl_and_pemkot_cannot_unlock(client, request, persona, petugas, settings):
    lock_out(petugas, settings)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("monitoring:signin-unlock", args=[petugas.pk])).status_code == 403
    assert AccessAttempt.objects.filter(username=petugas.username).exists()


def test_unlocking_someone_not_locked_says_so_and_is_audited(client, supervisor, petugas):
    client.force_login(supervisor)
    answer = client.post(reverse("monitoring:signin-unlock", args=[petugas.pk]), follow=True)
    assert f"{petugas.username} tidak sedang terkunci" in answer.content.decode()
    assert AuditEntry.objects.get(action=AuditAction.SIGN_IN_UNLOCK).detail == "cleared=0"
    assert client.get(reverse("monitoring:signin-unlock", args=[petugas.pk])).status_code == 405


def test_unlocking_a_ppl_at_a_throttled_shared_address_lets_them_in_from_it(client, supervisor, petugas, settings):
    # A training day at the kecamatan office: many new phones behind one address, the PPL among
    # them mistyped until locked out, and the others' mistakes filled the address's count.
    office = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        device_sign_in(office, petugas.username, "tebakan-salah", REMOTE_ADDR=PPL_HOME)
    for n in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT - settings.AXES_FAILURE_LIMIT):
        device_sign_in(office, f"ppl{90000 + n}", "salah-ketik", REMOTE_ADDR=PPL_HOME)
    refused = device_sign_in(office, petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME)
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    # Another address's count is not the unlock's business.
    for _ in range(settings.SIGNIN_ADDRESS_FAILURE_LIMIT):
        device_sign_in(Client(), "ppl99999", "tebakan", REMOTE_ADDR=OUTSIDER)

    signin_guard.signin_unlock(ppl=petugas, by=supervisor)

    assert device_sign_in(office, petugas.username, PASSWORD, REMOTE_ADDR=PPL_HOME).status_code == 200
    assert device_sign_in(Client(), petugas.username, PASSWORD, REMOTE_ADDR=OUTSIDER).status_code == 429
