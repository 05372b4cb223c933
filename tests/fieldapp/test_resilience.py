"""A part down for a while is a 503 / 507 with Retry-After, never a 500 or a lost photo (issue 15)."""

from __future__ import annotations

import errno
import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from photos import services as photo_services
from photos.models import Photo
from regsosek.error_pages import server_error
from regsosek.errors import api_exception_handler
from tests.fieldapp.test_api_sync import jpeg, pushed, upload  # noqa: F401 - pushed is a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_upload_while_redis_is_down_is_stored_and_the_sweep_queues_it_later(
    pushed,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
    caplog,
):
    client, family_uuid = pushed
    queued: list[int] = []

    def broker_down(photo_id: int) -> None:
        raise BrokerError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr("photos.tasks.process_photo.delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(client, family_uuid, jpeg())
    assert answer.status_code == 201 and answer.json()["status"] == "received"
    photo = Photo.objects.get()
    assert any(r.message == "photo.enqueue_failed" and r.photo_id == photo.pk for r in caplog.records)

    # Redis is back: the sweep queues what is older than the age limit, and only that.
    monkeypatch.setattr("photos.tasks.process_photo.delay", queued.append)
    assert photo_services.photos_requeue_stale(older_than_s=600) == 0
    Photo.objects.filter(pk=photo.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    assert photo_services.photos_requeue_stale(older_than_s=600) == 1 and queued == [photo.pk]
    photo_services.photo_process(photo_id=photo.pk)
    assert Photo.objects.get().status == Photo.Status.READY
    assert photo_services.photos_requeue_stale(older_than_s=0) == 0  # processed: nothing left to queue


def test_a_full_media_disk_is_a_507_with_retry_after_and_leaves_nothing(pushed, monkeypatch, settings):  # noqa: F811
    client, family_uuid = pushed
    real_save = FileSystemStorage._save

    def full(self, name, content):  # type: ignore[no-untyped-def]
        path = real_save(self, name, content)  # a partial file is on the disk when the write fails
        raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(FileSystemStorage, "_save", full)
    answer = upload(client, family_uuid, jpeg())
    assert answer.status_code == 507
    assert answer["Retry-After"] == str(settings.PHOTO_STORAGE_FULL_RETRY_S)
    assert answer.json()["code"] == "storage_full" and "penuh" in answer.json()["message"]
    assert not Photo.objects.exists()
    assert not [p for p in (settings.MEDIA_ROOT / "photos").rglob("*") if p.is_file()]

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)  # the disk has room again: the retry works
    assert upload(client, family_uuid, jpeg()).status_code == 201


def test_a_disk_full_while_processing_leaves_no_file_and_is_no_attempt_toward_rejection(
    pushed,  # noqa: F811
    monkeypatch,
    settings,
):
    client, family_uuid = pushed
    assert upload(client, family_uuid, jpeg()).status_code == 201
    photo = Photo.objects.get()
    original = settings.MEDIA_ROOT / photo.original.name
    real_save = FileSystemStorage._save
    writes: list[str] = []

    def full_at_the_thumbnail(self, name, content):  # type: ignore[no-untyped-def]
        path = real_save(self, name, content)  # the image is written whole, the thumbnail in part
        writes.append(path)
        if len(writes) % 2 == 0:
            raise OSError(errno.ENOSPC, "No space left on device", path)
        return path

    monkeypatch.setattr(FileSystemStorage, "_save", full_at_the_thumbnail)
    # More failed writes than the decode attempts a photo gets: the disk is not the photo's fault.
    for _ in range(photo_services.MAX_PROCESS_ATTEMPTS + 2):
        with pytest.raises(OSError, match="No space"):
            photo_services.photo_process(photo_id=photo.pk)
    photo.refresh_from_db()
    assert (photo.status, photo.process_attempts, photo.image.name, photo.thumbnail.name) == (
        Photo.Status.RECEIVED, 0, "", "",
    )  # fmt: skip
    files = {p for p in (settings.MEDIA_ROOT / "photos").rglob("*") if p.is_file()}
    assert files == {original}, "only the upload itself is on the disk"

    monkeypatch.setattr(FileSystemStorage, "_save", real_save)  # room again: the retry finishes it
    photo_services.photo_process(photo_id=photo.pk)
    photo.refresh_from_db()
    assert photo.status == Photo.Status.READY and photo.process_attempts == 1
    assert {p.name for p in (settings.MEDIA_ROOT / "photos").rglob("*") if p.is_file()} == {
        Path(photo.image.name).name, Path(photo.thumbnail.name).name,
    }  # fmt: skip


def test_other_write_errors_are_not_mistaken_for_a_full_disk(pushed, monkeypatch):  # noqa: F811
    client, family_uuid = pushed

    def broken(self, name, content):  # type: ignore[no-untyped-def]
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(FileSystemStorage, "_save", broken)
    with pytest.raises(OSError, match="Input/output"):
        upload(client, family_uuid, jpeg())


@pytest.mark.parametrize("path", ["/api/v1/sync/push/", "/review/"])
def test_the_database_away_is_a_503_with_retry_after_not_a_500(path):
    request = RequestFactory().get(path)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    if path.startswith("/api/"):
        assert json.loads(response.content)["code"] == "retry"
    else:
        assert "sebentar lagi" in response.content.decode()


def test_other_server_errors_stay_500_and_say_nothing_technical():
    request = RequestFactory().get("/api/v1/sync/pull/")
    try:
        raise KeyError("r401")
    except KeyError:
        response = server_error(request)
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"
    assert "r401" not in response.content.decode()


def test_a_database_error_inside_an_api_view_is_a_503():
    answer = api_exception_handler(OperationalError("the database system is shutting down"), {})
    assert answer is not None and answer.status_code == 503 and answer["Retry-After"] == "5"
    assert answer.data["code"] == "retry"


def test_a_photo_processed_twice_is_processed_once(pushed):  # noqa: F811
    client, family_uuid = pushed
    key = uuid.uuid4()
    upload(client, family_uuid, jpeg(), key)
    photo = Photo.objects.get()
    first = photo_services.photo_process(photo_id=photo.pk)
    assert first is not None
    image_name = first.image.name
    again = photo_services.photo_process(photo_id=photo.pk)  # a redelivered task after a killed worker
    assert again is not None and again.image.name == image_name
    assert [p.name for p in Path(first.image.storage.path("photos/ready")).iterdir()] == [Path(image_name).name]
