"""The upload checks a photo's size and header only; the task decodes it (docs/photos.md).

Against real PostGIS through the sync API: a hostile header is refused in the request, a truncated
file is accepted and then rejected by the task with a code the phone gets back, a non-image is
refused, a valid photo goes through to `ready`, and a photo whose decode keeps dying is given up.
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from photos import imaging
from photos import services as photo_services
from photos.models import Photo
from tests.fieldapp.test_api_sync import jpeg, pushed, upload  # noqa: F401 - pushed is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _noisy_jpeg(size: tuple[int, int] = (1200, 900)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header (CRC fixed) claims width x height: a few dozen bytes."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fails the test if anything decodes pixels (the web process must not)."""

    def refuse(self):
        raise AssertionError(f"decoded {self.size} in the request")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def _media_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_huge_header_in_a_tiny_file_is_refused_in_the_request_without_decoding(pushed, settings, no_pixel_decoding):  # noqa: F811
    client, family_uuid = pushed
    data = _png_claiming(30_000, 30_000)
    assert len(data) < 100
    response = upload(client, family_uuid, data)
    assert response.status_code == 422
    assert response.json() == {"code": "too_many_pixels", "message": imaging.MESSAGES["too_many_pixels"][0]}
    assert not Photo.objects.exists() and _media_files(settings) == []


def test_a_non_image_is_refused_in_the_request(pushed, settings, no_pixel_decoding):  # noqa: F811
    client, family_uuid = pushed
    response = upload(client, family_uuid, b"PK\x03\x04 bukan foto")
    assert response.status_code == 415 and response.json()["code"] == "not_an_image"
    assert not Photo.objects.exists() and _media_files(settings) == []


def test_a_valid_photo_is_accepted_without_decoding_and_processed_by_the_task(
    pushed,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    client, family_uuid = pushed
    key, data = uuid.uuid4(), _noisy_jpeg()
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded in the request"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, family_uuid, data, key)
    assert response.status_code == 201 and response.json()["status"] == "received" and len(callbacks) == 1
    monkeypatch.setattr(ImageFile.ImageFile, "load", real_load)
    photo = photo_services.photo_process(photo_id=Photo.objects.get(client_uuid=key).pk)
    assert photo is not None and photo.status == Photo.Status.READY and (photo.width, photo.height) == (1200, 900)
    assert photo.process_attempts == 1 and not photo.original
    again = upload(client, family_uuid, data, key)
    assert again.status_code == 200 and again.json()["status"] == "ready"


def test_a_truncated_photo_passes_the_request_and_the_task_rejects_it_with_a_reason(pushed, settings):  # noqa: F811
    client, family_uuid = pushed
    key, whole = uuid.uuid4(), _noisy_jpeg()
    data = whole[: len(whole) // 2]
    first = upload(client, family_uuid, data, key)
    assert first.status_code == 201 and first.json()["status"] == "received"

    photo = photo_services.photo_process(photo_id=Photo.objects.get(client_uuid=key).pk)
    assert photo is not None and photo.status == Photo.Status.REJECTED and photo.rejection_code == "corrupt"
    assert not photo.original and not photo.image and _media_files(settings) == []
    # Done with it: a redelivered task neither decodes again nor changes anything.
    assert photo_services.photo_process(photo_id=photo.pk).process_attempts == 1  # type: ignore[union-attr]

    # The phone still holding it asks which photos are missing: this one (nothing usable is held) ...
    missing = client.post("/api/v1/sync/photos/missing/", {"photos": [str(key)]}, content_type="application/json")
    assert missing.json()["missing"] == [str(key)]
    # ... and sending it again gets the reason the request's check would have given, nothing stored anew.
    again = upload(client, family_uuid, data, key)
    assert again.status_code == 422
    assert again.json() == {"code": "corrupt", "message": imaging.MESSAGES["corrupt"][0]}
    assert Photo.objects.count() == 1 and _media_files(settings) == []


def test_a_photo_whose_decode_keeps_dying_is_rejected_instead_of_retried_forever(pushed, monkeypatch):  # noqa: F811
    client, family_uuid = pushed
    key = uuid.uuid4()
    assert upload(client, family_uuid, jpeg(), key).status_code == 201
    photo_id = Photo.objects.get(client_uuid=key).pk

    def out_of_memory(data: bytes) -> imaging.ProcessedPhoto:
        raise MemoryError

    monkeypatch.setattr(imaging, "process_photo", out_of_memory)
    for attempt in range(1, photo_services.MAX_PROCESS_ATTEMPTS + 1):
        with pytest.raises(MemoryError):
            photo_services.photo_process(photo_id=photo_id)
        stored = Photo.objects.get(pk=photo_id)
        # Counted before the decode, so a worker killed mid-decode (no exception at all) counts too.
        assert stored.status == Photo.Status.RECEIVED and stored.process_attempts == attempt
    given_up = photo_services.photo_process(photo_id=photo_id)  # the redelivery after the last death
    assert given_up is not None and given_up.status == Photo.Status.REJECTED and given_up.rejection_code == "corrupt"
    assert not given_up.original
    assert upload(client, family_uuid, jpeg(), key).json()["code"] == "corrupt"
