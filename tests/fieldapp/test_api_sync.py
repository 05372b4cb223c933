"""The sync API against real PostGIS: devices, pull, push, photos, geotag flags."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import threading
import uuid
from pathlib import Path

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from PIL import Image

from enumeration.models import Device, DeviceToken
from geotag.models import Geotag, GeotagFlag
from households import identifiers, records, services
from households.models import Family, FamilyRevision, FamilyStatus, Member, ReviewEvent, SLSConfirmation
from photos.models import Photo
from photos.services import photo_process
from tests.households.factories import record_for

pytestmark = pytest.mark.django_db
PASSWORD = "rahasia-uji-123"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(client: Client, user, device_id: uuid.UUID | None = None):  # type: ignore[no-untyped-def]
    device_id = device_id or uuid.uuid4()
    response = client.post(
        "/api/v1/auth/device/",
        {"username": user.username, "password": PASSWORD, "device_id": str(device_id), "device_name": "Ponsel uji"},
        content_type="application/json",
    )
    return response


def device_client(user) -> tuple[Client, str, uuid.UUID]:  # type: ignore[no-untyped-def]
    client, device_id = Client(), uuid.uuid4()
    response = sign_in(client, user, device_id)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(device_id)), token, device_id


def geotag(
    key: uuid.UUID | None = None,
    lat: float = -6.3445,
    lon: float = 106.6528,
    accuracy: float = 8.0,
    at: dt.datetime | None = None,
    building: str = "001",
) -> dict[str, object]:
    return {
        "client_uuid": str(key or uuid.uuid4()),
        "latitude": lat,
        "longitude": lon,
        "accuracy_m": accuracy,
        "captured_at": (at or timezone.now()).isoformat(),
        "provider": "gps",
        "building_no": building,
    }


def item(sls, key=None, base=None, **changes):  # type: ignore[no-untyped-def]
    return {
        "client_uuid": str(key or uuid.uuid4()),
        "sls": sls.pk,
        "base_revision": base,
        "record": record_for(sls, **changes),
    }


def push(client: Client, *items):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/sync/push/", {"families": list(items)}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- devices ------------------------------------------------------------------------------------


def test_a_ppl_signs_in_a_device_and_gets_a_token(petugas, field):
    client, token, device_id = device_client(petugas)
    assert Device.objects.get(pk=device_id).user == petugas
    assert not DeviceToken.objects.filter(key_hash=token).exists()  # only the hash is stored
    assert client.get("/api/v1/sync/pull/").status_code == 200


def test_sign_in_gives_key_shares_stable_per_device_and_never_to_a_revoked_one(petugas, bps_admin, settings):
    from enumeration.devices import device_revoke

    settings.SECRET_KEY_FALLBACKS = ["an older secret key of at least fifty characters for this test only"]
    device_id = uuid.uuid4()
    first = sign_in(Client(), petugas, device_id)
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    shares = first.json()["key_shares"]
    assert len(shares) == 2 and len(set(shares)) == 2, "one per secret key, the current one first"
    assert all(len(base64.urlsafe_b64decode(share + "==")) == 32 for share in shares)
    assert sign_in(Client(), petugas, device_id).json()["key_shares"] == shares, "stable: it opens what it wrapped"
    assert sign_in(Client(), petugas).json()["key_shares"][0] != shares[0], "each device its own"
    settings.SECRET_KEY_FALLBACKS = []
    assert sign_in(Client(), petugas, device_id).json()["key_shares"] == shares[:1]
    device_revoke(device=Device.objects.get(pk=device_id), by=bps_admin)
    refused = sign_in(Client(), petugas, device_id)
    assert refused.status_code == 401 and "key_shares" not in refused.json()


def test_wrong_password_and_other_roles_are_refused(petugas, supervisor, client):
    bad = client.post(
        "/api/v1/auth/device/",
        {"username": petugas.username, "password": "salah", "device_id": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert bad.status_code == 401 and bad.json()["code"] == "invalid_credentials"
    assert sign_in(client, supervisor).status_code == 403


def test_a_device_belongs_to_one_user(petugas, teammate, client):
    device_id = uuid.uuid4()
    assert sign_in(client, petugas, device_id).status_code == 200
    assert sign_in(client, teammate, device_id).status_code == 403


def test_an_expired_token_is_told_and_signing_in_again_keeps_the_device(petugas, field):
    client, _token, device_id = device_client(petugas)
    DeviceToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/sync/pull/")
    assert response.status_code == 401 and response.json()["code"] == "token_expired"
    assert response.json()["wipe"] is False
    again = sign_in(Client(), petugas, device_id)
    assert again.status_code == 200 and Device.objects.filter(user=petugas).count() == 1


def test_a_revoked_device_is_told_to_wipe(petugas, bps_admin, field):
    from enumeration.devices import device_revoke

    client, _token, device_id = device_client(petugas)
    device_revoke(device=Device.objects.get(pk=device_id), by=bps_admin)
    response = client.get("/api/v1/sync/pull/")
    assert response.status_code == 401 and response.json() | {} == {
        "code": "device_revoked",
        "message": response.json()["message"],
        "wipe": True,
    }
    relogin = sign_in(Client(), petugas, device_id)
    assert relogin.status_code == 401 and relogin.json()["wipe"] is True
    wiped = client.post("/api/v1/auth/device/wiped/", {"device_id": str(device_id)}, content_type="application/json")
    assert wiped.status_code == 204
    assert Device.objects.get(pk=device_id).wipe_confirmed_at is not None
    # Its token has had its last use; the device that names itself is still told to wipe.
    assert not DeviceToken.objects.filter(device_id=device_id).exists()
    again = client.get("/api/v1/sync/pull/")
    assert again.status_code == 401 and again.json()["code"] == "device_revoked"


def test_a_token_works_only_with_its_own_device_id(petugas, teammate, field):
    client, token, device_id = device_client(petugas)
    _other_client, _other_token, other_device = device_client(teammate)
    for headers in ({"HTTP_X_DEVICE_ID": str(other_device)}, {"HTTP_X_DEVICE_ID": str(uuid.uuid4())}, {}):
        stolen = Client(HTTP_AUTHORIZATION=f"Bearer {token}", **headers)
        response = stolen.get("/api/v1/sync/pull/")
        assert response.status_code == 401 and response.json()["code"] == "device_mismatch"
        assert response.json()["wipe"] is False
        pushed = stolen.post("/api/v1/sync/push/", {"families": [item(field["own1"])]}, "application/json")
        assert pushed.status_code == 401
    assert not Family.objects.exists()
    # The device id in another case is the same device.
    same = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(device_id).upper())
    assert same.get("/api/v1/sync/pull/").status_code == 200
    assert client.get("/api/v1/sync/pull/").status_code == 200


def test_the_wipe_report_is_accepted_only_from_the_revoked_device_itself(petugas, teammate, bps_admin, field):
    from enumeration.devices import device_revoke

    url = "/api/v1/auth/device/wiped/"
    client, token, device_id = device_client(petugas)
    other_client, _other_token, other_device = device_client(teammate)
    # Not revoked: nothing to report.
    refused = client.post(url, {"device_id": str(device_id)}, "application/json")
    assert refused.status_code == 409
    device_revoke(device=Device.objects.get(pk=device_id), by=bps_admin)
    DeviceToken.objects.filter(device_id=device_id).update(expires_at=timezone.now() - dt.timedelta(days=1))
    attempts = [
        Client().post(url, {"device_id": str(device_id)}, "application/json"),  # anyone who knows the id
        Client(HTTP_AUTHORIZATION="Bearer tebakan", HTTP_X_DEVICE_ID=str(device_id)).post(url),
        Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(other_device)).post(url),
        other_client.post(url, {"device_id": str(device_id)}, "application/json"),  # another, live device
    ]
    assert [a.status_code for a in attempts] == [401, 401, 401, 401]
    assert attempts[3].json()["code"] == "device_mismatch"  # as a wrong X-Device-ID (docs/sync.md)
    assert Device.objects.get(pk=device_id).wipe_confirmed_at is None
    mismatch = client.post(url, {"device_id": str(other_device)}, "application/json")
    assert mismatch.status_code == 401 and mismatch.json()["code"] == "device_mismatch"
    # The phone itself, with its (expired) token and its own id: accepted.
    assert client.post(url, {"device_id": str(device_id)}, "application/json").status_code == 204
    assert Device.objects.get(pk=device_id).wipe_confirmed_at is not None
    assert Device.objects.get(pk=other_device).wipe_confirmed_at is None


# --- pull ---------------------------------------------------------------------------------------


def test_pull_gives_the_assignment_prelist_questionnaire_and_own_families_compressed(petugas, supervisor, field):
    from households.imports import prelist_import

    sls = field["own1"]
    prelist_import(
        f"kode_kelurahan,kode_sls,no_urut,nama_kepala_keluarga\n{sls.kelurahan_id},{sls.code},1,BUDI\n".encode()
    )
    client, _t, _d = device_client(petugas)
    push(client, item(sls))
    response = client.get("/api/v1/sync/pull/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    assert {s["id"] for s in body["sls"]} == {field["own1"].pk, field["own2"].pk}
    assert body["questionnaire"]["version"] == "1" and body["prelist"][0]["head_name"] == "BUDI"
    (family,) = body["families"]
    assert family["record"]["members"][0]["r403"] == "3674071503800001"  # the PPL's own data, in full
    # Incremental: nothing changed since the cursor, then a PML return shows up with its comment.
    later = client.get("/api/v1/sync/pull/", {"cursor": body["cursor"]}).json()
    assert later["families"] == [] or later["families"][0]["client_uuid"] == family["client_uuid"]
    services.family_return(user=supervisor, family=Family.objects.get(), comment="umur anak salah")
    after = client.get("/api/v1/sync/pull/", {"cursor": later["cursor"]}).json()
    assert [f["status"] for f in after["families"]] == ["returned"]
    assert after["returned"][0]["comment"] == "umur anak salah"
    assert client.get("/api/v1/sync/pull/", {"cursor": "bukan-kursor"}).status_code == 400
    for moment in ("0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2022-01-01T00:00:00"):
        forged = base64.urlsafe_b64encode(moment.encode()).decode().rstrip("=")
        refused = client.get("/api/v1/sync/pull/", {"cursor": forged})
        assert refused.status_code == 400 and refused.json()["field"] == "cursor"


# --- push ---------------------------------------------------------------------------------------


def test_one_bad_family_never_blocks_the_others(petugas, field):
    client, _t, _d = device_client(petugas)
    good, bad, foreign = item(field["own1"]), item(field["own1"], r302=-3), item(field["team"])
    results = push(client, good, bad, foreign, "bukan objek")
    assert [r["result"] for r in results] == ["created", "invalid", "forbidden", "invalid"]
    assert any(e["variable"] == "r302" for e in results[1]["errors"])
    assert Family.objects.count() == 1 and Member.objects.count() == 4


def test_retries_are_unchanged_and_stored_once(petugas, field):
    client, _t, _d = device_client(petugas)
    family = item(field["own1"])
    assert [r["result"] for r in push(client, family, family)] == ["created", "unchanged"]
    assert push(client, family)[0]["result"] == "unchanged"
    assert Family.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_pushes_of_one_family_store_it_once(petugas, field):
    from django.db import connection

    _client, token, device_id = device_client(petugas)
    family = item(field["own1"])
    barrier, outcomes = threading.Barrier(10), []

    def send() -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(device_id))
            barrier.wait()
            outcomes.append(push(client, family)[0]["result"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created"] + ["unchanged"] * 9
    assert Family.objects.count() == 1 and Member.objects.count() == 4


def test_same_uuid_with_different_content_is_a_conflict_with_the_server_copy(petugas, field):
    client, _t, _d = device_client(petugas)
    key = uuid.uuid4()
    push(client, item(field["own1"], key))
    assert push(client, item(field["own1"], key, base=1, r302=50))[0]["result"] == "updated"
    conflict = push(client, item(field["own1"], key, base=1, r302=70))[0]
    assert conflict["result"] == "conflict" and conflict["server"]["revision"] == 2
    assert conflict["server"]["record"]["family"]["r302"] == 50
    fresh_copy = push(client, item(field["own1"], key, base=None, r302=90))[0]
    assert fresh_copy["result"] == "conflict"
    assert Family.objects.get().data["r302"] == 50


def test_a_batch_over_the_limit_is_refused_whole(petugas, field, settings):
    settings.SYNC_MAX_BATCH = 2
    client, _t, _d = device_client(petugas)
    response = client.post(
        "/api/v1/sync/push/", {"families": [item(field["own1"])] * 3}, content_type="application/json"
    )
    assert response.status_code == 413 and not Family.objects.exists()


def test_an_oversized_body_is_refused_before_it_is_read(petugas, field, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client, _t, _d = device_client(petugas)
    body = json.dumps({"families": [item(field["own1"])] * 5})
    assert len(body) > 10_000
    response = client.post("/api/v1/sync/push/", body, content_type="application/json")
    assert response.status_code == 413 and not Family.objects.exists()


def test_families_of_one_building_share_its_geotag(petugas, field):
    client, _t, _d = device_client(petugas)
    shared = geotag(building="001")
    first = item(field["own1"]) | {"geotag": shared}
    second = item(field["own1"], r110="002") | {"geotag": shared}
    assert [r["result"] for r in push(client, first, second)] == ["created", "created"]
    assert Geotag.objects.count() == 1
    assert set(Family.objects.values_list("geotag__client_uuid", flat=True)) == {uuid.UUID(shared["client_uuid"])}
    assert not GeotagFlag.objects.exists()


def test_a_bad_geotag_makes_the_family_invalid_and_nothing_is_kept(petugas, field):
    client, _t, _d = device_client(petugas)
    bad = item(field["own1"]) | {"geotag": geotag(lat=123.0)}
    result = push(client, bad)[0]
    assert result["result"] == "invalid" and result["errors"][0]["variable"] == "geotag.latitude"
    assert not Family.objects.exists() and not Geotag.objects.exists()
    # A reset phone clock (1970) or a forged year-1 time, which PostgreSQL would keep as 1 BC and no
    # pull could read back.
    for when in ("1970-01-01T07:00:00+07:00", "0001-01-01T00:00:00+14:00"):
        result = push(client, item(field["own1"]) | {"geotag": geotag() | {"captured_at": when}})[0]
        assert result["result"] == "invalid" and result["errors"][0]["variable"] == "geotag.captured_at"
    assert client.get("/api/v1/sync/pull/").status_code == 200


def flags_of(key: str) -> set[str]:
    return set(GeotagFlag.objects.filter(geotag__client_uuid=key).values_list("kind", flat=True))


def test_geotag_flags(petugas, field):
    client, _t, _d = device_client(petugas)
    now = timezone.now()
    inside = geotag(at=now - dt.timedelta(hours=2))
    far = geotag(lat=-6.27, lon=106.72, at=now - dt.timedelta(hours=2, minutes=-1), building="002")  # Pondok Aren
    vague = geotag(accuracy=120.0, at=now - dt.timedelta(hours=1), building="003", lat=-6.3440, lon=106.6530)
    same = geotag(lat=-6.3440, lon=106.6530, at=now, building="004")
    push(
        client,
        item(field["own1"]) | {"geotag": inside},
        item(field["own1"], r109="002") | {"geotag": far},
        item(field["own1"], r109="003") | {"geotag": vague},
        item(field["own1"], r109="004") | {"geotag": same},
    )
    # 10 km in one minute: both ends of the jump are flagged, whichever arrived first.
    assert flags_of(inside["client_uuid"]) == {"implausible_speed"}
    assert flags_of(far["client_uuid"]) == {"outside_kelurahan", "implausible_speed"}
    # Buildings 003 and 004 were tagged at one point: both are flagged.
    assert flags_of(vague["client_uuid"]) == {"low_accuracy", "shared_point"}
    assert flags_of(same["client_uuid"]) == {"shared_point"}


# --- photos -------------------------------------------------------------------------------------


def jpeg(size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 140, 90)).save(out, "JPEG", quality=80)
    return out.getvalue()


def upload(client: Client, family_uuid: str, data: bytes, key: uuid.UUID | None = None, sha: str | None = None):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/v1/sync/photos/{key or uuid.uuid4()}",
        data,
        content_type="image/jpeg",
        HTTP_X_FAMILY_UUID=family_uuid,
        HTTP_X_CONTENT_SHA256=sha or hashlib.sha256(data).hexdigest(),
    )


@pytest.fixture
def pushed(petugas, field):  # type: ignore[no-untyped-def]
    client, _t, _d = device_client(petugas)
    family = item(field["own1"])
    push(client, family)
    return client, family["client_uuid"]


def test_a_photo_is_stored_once_and_processed_without_metadata(pushed, django_capture_on_commit_callbacks, settings):
    client, family_uuid = pushed
    key, data = uuid.uuid4(), jpeg()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = upload(client, family_uuid, data, key)
    assert first.status_code == 201 and first.json()["status"] == "received" and len(callbacks) == 1
    again = upload(client, family_uuid, data, key)
    assert again.status_code == 200 and Photo.objects.count() == 1
    photo = photo_process(photo_id=Photo.objects.get().pk)
    assert photo is not None and photo.status == Photo.Status.READY and (photo.width, photo.height) == (1200, 900)
    stored = Image.open(photo.image.path)
    assert stored.format == "JPEG" and not stored.getexif() and "exif" not in stored.info
    assert not photo.original  # the upload as received is gone
    missing = client.post(
        "/api/v1/sync/photos/missing/", {"photos": [str(key), str(uuid.uuid4())]}, content_type="application/json"
    ).json()["missing"]
    assert str(key) not in missing and len(missing) == 1


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: b"%PDF-1.4 bukan foto", 415, "not_an_image"),
        (lambda: b"GIF89a" + b"\x00" * 100, 415, "unsupported_format"),
        (lambda: b"", 415, "empty"),
    ],
    ids=["pdf", "gif", "empty"],
)
def test_hostile_photos_get_a_clear_4xx_and_leave_nothing(pushed, settings, make, status, code):
    client, family_uuid = pushed
    response = upload(client, family_uuid, make())
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["message"]
    assert not Photo.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_decompression_bomb_is_refused(pushed):
    client, family_uuid = pushed
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    response = upload(client, family_uuid, out.getvalue())
    assert response.status_code == 422 and response.json()["code"] == "too_many_pixels"
    assert not Photo.objects.exists()


def test_oversize_wrong_checksum_unknown_family_and_other_ppl_are_refused(pushed, other_petugas, settings):
    client, family_uuid = pushed
    settings.PHOTO_MAX_BYTES = 1000
    assert upload(client, family_uuid, jpeg()).status_code == 413
    settings.PHOTO_MAX_BYTES = 10 * 1024 * 1024
    assert upload(client, family_uuid, jpeg(), sha="0" * 64).status_code == 400
    assert upload(client, str(uuid.uuid4()), jpeg()).status_code == 409
    other, _t, _d = device_client(other_petugas)
    assert upload(other, family_uuid, jpeg()).status_code == 403
    assert not Photo.objects.exists()


def test_the_sync_api_refuses_anonymous_callers(client, db):
    assert client.get("/api/v1/sync/pull/").status_code == 401
    assert client.post("/api/v1/sync/push/", {"families": []}, content_type="application/json").status_code == 401


def test_returned_family_workflow_through_sync(petugas, supervisor, field):
    client, _t, _d = device_client(petugas)
    key = uuid.uuid4()
    push(client, item(field["own1"], key))
    services.family_return(user=supervisor, family=Family.objects.get(), comment="cek luas lantai")
    returned = client.get("/api/v1/sync/pull/").json()
    return_id = returned["returned"][0]["return_id"]
    assert return_id == ReviewEvent.objects.get(to_status=FamilyStatus.RETURNED).pk
    assert returned["families"][0]["return_id"] == return_id
    result = push(client, {**item(field["own1"], key, base=1, r302=55), "return_id": return_id})[0]
    assert result["result"] == "updated" and result["status"] == FamilyStatus.SUBMITTED
    assert client.get("/api/v1/sync/pull/").json()["returned"] == []


def test_a_correction_made_before_the_phone_saw_the_return_is_a_conflict_carrying_the_comment(
    petugas, supervisor, field
):
    """The PPL edits offline while the PML returns the family: the edit must not silently take the
    family out of `returned` before the PML's comment reached the phone."""
    client, _t, _d = device_client(petugas)
    key = uuid.uuid4()
    push(client, item(field["own1"], key))
    services.family_return(user=supervisor, family=Family.objects.get(), comment="cek luas lantai")
    edited = item(field["own1"], key, base=1, r302=55)
    result = push(client, edited)[0]
    assert result["result"] == "conflict" and result["reason"] == "returned"
    assert result["server"]["status"] == FamilyStatus.RETURNED
    assert result["server"]["review_comment"] == "cek luas lantai"
    return_id = result["server"]["return_id"]
    family = Family.objects.get()
    assert family.status == FamilyStatus.RETURNED and family.revision == 1
    # An older return's id does not answer a newer one.
    assert push(client, {**edited, "return_id": return_id - 1})[0]["result"] == "conflict"
    answered = push(client, {**edited, "return_id": return_id})[0]
    assert answered["result"] == "updated" and answered["status"] == FamilyStatus.SUBMITTED
    assert Family.objects.get().revision == 2


def test_a_resend_of_the_returned_content_is_unchanged_and_carries_the_return(petugas, supervisor, field):
    client, _t, _d = device_client(petugas)
    first = item(field["own1"], uuid.uuid4())
    push(client, first)
    services.family_return(user=supervisor, family=Family.objects.get(), comment="cek luas lantai")
    result = push(client, first)[0]
    assert result["result"] == "unchanged" and result["status"] == FamilyStatus.RETURNED
    assert result["review_comment"] == "cek luas lantai"
    assert result["return_id"] == ReviewEvent.objects.get(to_status=FamilyStatus.RETURNED).pk


@pytest.mark.parametrize("value", ["7", True, 1.5])
def test_a_return_id_that_is_not_a_number_is_invalid(petugas, field, value):
    client, _t, _d = device_client(petugas)
    result = push(client, {**item(field["own1"]), "return_id": value})[0]
    assert result["result"] == "invalid" and result["errors"][0]["variable"] == "return_id"


@pytest.fixture
def refused_by_database(monkeypatch):  # type: ignore[no-untyped-def]
    """A family with building number 099 gets past the checks but not past the database (its
    building number comes out longer than the column), as a record the checks miss would."""
    real = records.split

    def too_long(definition, record):  # type: ignore[no-untyped-def]
        parts = real(definition, record)
        if record["family"].get("r109") == "099":
            parts.columns["building_no"] = "0099 terlalu panjang"
        return parts

    monkeypatch.setattr(records, "split", too_long)


def test_a_family_the_database_refuses_does_not_sink_the_batch(petugas, field, refused_by_database, caplog):
    client, _t, _d = device_client(petugas)
    results = push(client, item(field["own1"]), item(field["own1"], r109="099"), item(field["own1"], r109="002"))
    assert [r["result"] for r in results] == ["created", "invalid", "created"]
    assert caplog.messages.count("sync.push_batch_refused") == 1  # the batch INSERT, then family by family
    assert "too long" not in json.dumps(results) and "panjang" not in json.dumps(results)
    assert Family.objects.count() == 2 and Member.objects.count() == 8
    assert FamilyRevision.objects.count() == 2 and ReviewEvent.objects.count() == 2


@pytest.mark.parametrize("refused", [False, True], ids=["batch-path", "family-by-family-fallback"])
def test_a_mixed_batch_answers_each_family_as_if_it_came_alone(
    petugas, supervisor, koseka, field, request, caplog, refused
):
    """Every kind of answer in one batch; the same answers when the database refuses one family
    and the batch is redone family by family."""
    client, _t, _d = device_client(petugas)
    kept, edited, moved_on, approved = (item(field["own1"], r109=f"00{n}") for n in range(1, 5))
    push(client, kept, edited, moved_on, approved)
    push(client, item(field["own1"], moved_on["client_uuid"], base=1, r302=50))  # a correction on the server
    services.family_approve(user=supervisor, family=Family.objects.get(client_uuid=approved["client_uuid"]))
    SLSConfirmation.objects.create(sls=field["own2"], action=SLSConfirmation.Action.CONFIRM, actor=koseka)
    new = item(field["own1"], r109="010")
    photo = str(uuid.uuid4())
    batch: list[object] = [
        new,
        kept | {"photos": [{"client_uuid": photo, "sha256": "0" * 64}]},
        item(field["own1"], edited["client_uuid"], base=1, r109="002", r302=60),
        item(field["own1"], moved_on["client_uuid"], base=1, r109="003", r302=70),
        item(field["own1"], approved["client_uuid"], base=1, r109="004", r302=80),
        item(field["own1"], r302=-3),
        item(field["team"]),
        item(field["own2"]),
        new,
        item(field["own1"], new["client_uuid"], r109="010", r302=90),
        "bukan objek",
        {"client_uuid": "bukan-uuid", "sls": field["own1"].pk, "record": {}},
    ]
    expected = ["created", "unchanged", "updated", "conflict", "forbidden", "invalid", "forbidden", "forbidden"]
    expected += ["unchanged", "conflict", "invalid", "invalid"]
    if refused:
        request.getfixturevalue("refused_by_database")
        batch.append(item(field["own1"], r109="099"))
        expected.append("invalid")
    results = push(client, *batch)
    assert [r["result"] for r in results] == expected
    assert ("sync.push_batch_refused" in caplog.messages) == refused
    assert [r["client_uuid"] for r in results[:10]] == [b["client_uuid"] for b in batch[:10]]  # type: ignore[index]
    assert results[0]["revision"] == 1 and results[0]["status"] == "submitted" and results[0]["photos_missing"] == []
    assert results[1]["photos_missing"] == [photo]
    assert results[2]["revision"] == 2 and results[3]["server"]["record"]["family"]["r302"] == 50
    assert "dikonfirmasi" in results[7]["message"] and "ditugaskan" in results[6]["message"]
    assert Family.objects.count() == 5 and Member.objects.count() == 20
    assert Family.objects.get(client_uuid=edited["client_uuid"]).data["r302"] == 60
    assert Family.objects.get(client_uuid=moved_on["client_uuid"]).data["r302"] == 50
    assert Family.objects.get(client_uuid=new["client_uuid"]).data["r302"] == new["record"]["family"]["r302"]
    assert FamilyRevision.objects.count() == 7 and ReviewEvent.objects.count() == 6


def test_the_batch_path_stores_a_family_exactly_as_family_save_does(petugas, field):
    client, _t, _d = device_client(petugas)
    record = record_for(field["own1"])
    pushed = push(client, {"client_uuid": str(uuid.uuid4()), "sls": field["own1"].pk, "record": record})[0]
    assert pushed["result"] == "created"
    saved = services.family_save(
        user=petugas, sls=field["own1"], client_uuid=uuid.uuid4(), record=record, base_revision=None, source="sync"
    ).family
    batch = Family.objects.get(client_uuid=pushed["client_uuid"])
    assert pushed["warnings"] == saved.warnings

    def row(obj, *skip: str):  # type: ignore[no-untyped-def]
        values = model_to_dict(obj, exclude=["id", "family", *skip])
        for name in ("kk_ciphertext", "nik_ciphertext"):
            if values.get(name) is not None:
                values[name] = identifiers.decrypt(values[name])  # random IV: compare the plain number
        return values

    moments = ("client_uuid", "created_at", "updated_at", "submitted_at")
    assert row(batch, *moments) == row(saved, *moments)
    assert [row(m) for m in batch.members.order_by("line_no")] == [row(m) for m in saved.members.order_by("line_no")]
    assert batch.members.first().nik_hash == identifiers.lookup_hash("nik", record["members"][0]["r403"])
    revisions = [FamilyRevision.objects.get(family=f) for f in (batch, saved)]
    assert [row(r, "created_at") for r in revisions[:1]] == [row(r, "created_at") for r in revisions[1:]]
    events = [ReviewEvent.objects.get(family=f) for f in (batch, saved)]
    assert [row(e, "at") for e in events[:1]] == [row(e, "at") for e in events[1:]]


def test_new_families_take_the_same_few_queries_whatever_their_number(petugas, field):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fieldapp import sync

    sync.sync_push(user=petugas, device=None, items=[item(field["own1"])])  # warm the per-process caches
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            results = sync.sync_push(
                user=petugas, device=None, items=[item(field["own1"], r109=f"{n:03d}") for n in range(size)]
            )
        assert {r["result"] for r in results} == {"created"}
        counts.append(len(queries))
    # The locks on the batch's UUIDs (one statement), the assignment, the stored families, one
    # INSERT (members, revisions and events are COPYs, which the capture does not list), the UPDATE
    # joining sync conflicts kept before their family existed (households/conflicts.py), and a
    # savepoint pair because the test runs in a transaction.
    assert counts[0] == counts[1] == 7


def test_new_families_with_their_geotags_take_the_same_few_queries_whatever_their_number(petugas, field):
    """As phones send them: one geotag per building, some buildings with two families."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fieldapp import sync

    sync.sync_push(user=petugas, device=None, items=[item(field["own1"])])  # warm the per-process caches
    counts = []
    for size, first in ((2, 100), (12, 200)):
        items, point = [], None
        for n in range(size):
            shared = n % 3 == 2  # the third family of every three lives in the second one's building
            building = f"{first + n - 1 if shared else first + n:03d}"
            if not shared:
                start = timezone.now() - dt.timedelta(hours=1)
                at = start + dt.timedelta(minutes=n)
                # The first with a poor fix, so the batch has a flag to write.
                point = geotag(lat=-6.3445 + n * 1e-4, at=at, building=building, accuracy=50.0 if n == 0 else 8.0)
            items.append(item(field["own1"], r109=building, r110="002" if shared else "001") | {"geotag": point})
        with CaptureQueriesContext(connection) as queries:
            results = sync.sync_push(user=petugas, device=None, items=items)
        assert {r["result"] for r in results} == {"created"}
        counts.append(len(queries))
    # Seven as above, plus the stored geotags of the batch, the new geotags' ids, their checks (three
    # queries) and one INSERT of their flags (the geotags themselves are a COPY).
    assert counts[0] == counts[1] == 13
    assert Geotag.objects.count() == 2 + 8


def test_a_new_family_with_another_sls_geotag_is_a_conflict_and_nothing_is_kept(petugas, field):
    client, _t, _d = device_client(petugas)
    shared = geotag()
    assert push(client, item(field["own2"]) | {"geotag": shared})[0]["result"] == "created"
    result = push(client, item(field["own1"]) | {"geotag": shared}, item(field["own1"], r109="002"))
    assert [r["result"] for r in result] == ["conflict", "created"] and result[0]["server"] is None
    assert Family.objects.count() == 2 and Geotag.objects.count() == 1


def test_a_retry_with_a_geotag_attaches_it(petugas, field):
    client, _t, _d = device_client(petugas)
    family = item(field["own1"])
    push(client, family)
    tagged = family | {"geotag": geotag()}
    assert push(client, tagged)[0]["result"] == "unchanged"
    assert str(Family.objects.get().geotag.client_uuid) == tagged["geotag"]["client_uuid"]
    assert push(client, tagged)[0]["result"] == "unchanged" and Geotag.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_sent_at_once_store_each_family_once(petugas, field):
    """A retried batch racing its original (in any order, partly overlapping): no deadlock, each
    family created by exactly one batch and unchanged in the others."""
    from django.db import connection

    _client, token, device_id = device_client(petugas)
    families = [item(field["own1"], r109=f"{n:03d}") for n in range(1, 7)]
    batches = [families, families[::-1], families[::2] + families[1::2], families[:3]]
    barrier, answers = threading.Barrier(len(batches)), []

    def send(batch: list[dict[str, object]]) -> None:
        try:
            client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_DEVICE_ID=str(device_id))
            barrier.wait()
            answers.extend(push(client, *batch))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == sum(len(b) for b in batches)
    for family in families:
        outcomes = sorted(a["result"] for a in answers if a["client_uuid"] == family["client_uuid"])
        assert outcomes == ["created"] + ["unchanged"] * (len(outcomes) - 1)
    assert Family.objects.count() == 6 and Member.objects.count() == 24
    assert FamilyRevision.objects.count() == 6 and ReviewEvent.objects.count() == 6


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin", "pemkot"])
def test_only_ppl_use_the_sync_endpoints(client, petugas, field, request, persona):
    device, _t, _d = device_client(petugas)
    push(device, item(field["own1"]))
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/v1/sync/pull/").status_code == 403
    assert client.post("/api/v1/sync/push/", {"families": []}, content_type="application/json").status_code == 403
    assert (
        client.post("/api/v1/sync/photos/missing/", {"photos": []}, content_type="application/json").status_code == 403
    )


def test_device_sign_in_counts_toward_the_login_lockout(petugas, client, settings):
    device_id = str(uuid.uuid4())
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/v1/auth/device/",
            {"username": petugas.username, "password": "salah-terus", "device_id": device_id},
            content_type="application/json",
        )
    locked = sign_in(client, petugas)  # the right password, but locked out for a while
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out" and "token" not in locked.json()


def test_a_new_family_stored_by_a_concurrent_push_after_the_batch_looked_is_answered_as_a_retry(
    petugas, field, monkeypatch, caplog
):
    """The batch sees the UUID as new, but a concurrent push has stored it meanwhile: the COPY
    fails on the unique index and the batch is redone family by family."""
    from fieldapp import sync

    client, _t, _d = device_client(petugas)
    raced = item(field["own1"])
    push(client, raced)
    monkeypatch.setattr(sync, "_locked_families", lambda keys: {})
    results = push(client, item(field["own1"], r109="002"), raced)
    assert [r["result"] for r in results] == ["created", "unchanged"]
    assert caplog.messages.count("sync.push_batch_refused") == 1
    assert Family.objects.count() == 2 and Member.objects.count() == 8 and FamilyRevision.objects.count() == 2


def test_a_member_row_the_database_refuses_is_invalid_not_a_server_error(petugas, field, monkeypatch):
    real = records.split

    def too_long_name(definition, record):  # type: ignore[no-untyped-def]
        parts = real(definition, record)
        if record["family"].get("r109") == "099":
            parts.members[1].columns["name"] = "X" * 200  # longer than the column
        return parts

    monkeypatch.setattr(records, "split", too_long_name)
    client, _t, _d = device_client(petugas)
    results = push(client, item(field["own1"]), item(field["own1"], r109="099"))
    assert [r["result"] for r in results] == ["created", "invalid"]
    assert Family.objects.count() == 1 and Member.objects.count() == 4


def test_hostile_bodies_get_a_clear_400(petugas, field):
    client, _t, _d = device_client(petugas)
    for body, message in (
        ('{"families": [' + "[" * 100_000 + "]" * 100_000 + "]}", "bersarang terlalu dalam"),
        ('{"families": [', "bukan JSON"),
        ('{"families": [{"client_uuid": NaN}]}', "bukan JSON"),
        (b'{"families": ["\xff"]}', "bukan JSON"),
    ):
        response = client.post("/api/v1/sync/push/", body, content_type="application/json")
        assert response.status_code == 400 and message in response.json()["detail"]


def test_text_the_database_cannot_store_is_refused_per_variable_and_never_a_server_error(petugas, field):
    """NUL and lone surrogates (valid JSON escapes) in answers, keys, UUIDs and geotags."""
    client, _t, _d = device_client(petugas)
    nul_name, half_emoji, bad_key = item(field["own1"]), item(field["own1"]), item(field["own1"])
    nul_name["record"]["members"][0]["r402"] = "BUDI\u0000"
    half_emoji["record"]["members"][1]["r402"] = "ANI \ud83d"
    bad_key["record"]["family"]["\udc00"] = 1
    bad_reason = item(field["own1"]) | {"geotag": geotag(accuracy=500) | {"accepted_reason": "atap\u0000seng"}}
    emoji = item(field["own1"], r109="005")
    emoji["record"]["members"][2]["r402"] = "CITRA 🌸"
    body = json.dumps(
        {"families": [nul_name, half_emoji, bad_key, bad_reason, {"client_uuid": "\ud800", "sls": 1}, emoji]}
    )
    response = client.post("/api/v1/sync/push/", body, content_type="application/json")
    assert response.status_code == 200
    assert response.content.isascii()  # what is echoed back is escaped, never an encoding failure
    results = response.json()["results"]
    assert [r["result"] for r in results] == ["invalid"] * 5 + ["created"]
    assert [(e["variable"], e["member_index"], e["check"]) for e in results[0]["errors"]] == [("r402", 0, "character")]
    assert [(e["variable"], e["member_index"], e["check"]) for e in results[1]["errors"]] == [("r402", 1, "character")]
    assert results[2]["errors"][0]["variable"] == "\udc00" and results[2]["errors"][0]["check"] == "unknown"
    assert [e["variable"] for e in results[3]["errors"]] == ["geotag.accepted_reason"]
    assert results[4]["client_uuid"] == "\ud800" and results[4]["errors"][0]["variable"] == "client_uuid"
    assert Family.objects.count() == 1 and Member.objects.filter(name="CITRA 🌸").exists()


def test_a_family_declaring_too_many_photos_is_invalid_and_the_batch_goes_on(petugas, field):
    from fieldapp.sync import MAX_PHOTOS

    client, _t, _d = device_client(petugas)
    many = [{"client_uuid": str(uuid.uuid4()), "sha256": "0" * 64} for _ in range(MAX_PHOTOS + 1)]
    results = push(
        client, item(field["own1"]) | {"photos": many}, item(field["own1"]) | {"photos": "x"}, item(field["own1"])
    )
    assert [r["result"] for r in results] == ["invalid", "invalid", "created"]
    assert results[0]["errors"][0]["variable"] == "photos"


def test_another_ppls_photo_is_not_found_whatever_hash_is_sent(pushed, other_petugas, field):
    """Scope before idempotency: the stored photo's UUID and SHA-256 tell an outsider nothing."""
    client, family_uuid = pushed
    key, data = uuid.uuid4(), jpeg()
    assert upload(client, family_uuid, data, key).status_code == 201
    other, _t, _d = device_client(other_petugas)
    for sha in (hashlib.sha256(data).hexdigest(), "0" * 64):
        answer = upload(other, family_uuid, data, key, sha=sha)
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
        assert "status" not in answer.json()
    missing = other.post("/api/v1/sync/photos/missing/", {"photos": [str(key)]}, content_type="application/json")
    assert missing.status_code == 200 and missing.json()["missing"] == [str(key)]
    assert Photo.objects.count() == 1
