"""Writes of house photos: the upload (idempotent, checked before anything is stored) and the
processing task's work."""

from __future__ import annotations

import errno
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from enumeration import scoping
from enumeration.models import Role, User
from households.models import Family
from photos import imaging, uploads
from photos.models import Photo
from photos.selectors import photo_list_for_user
from regsosek import keylocks
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError, StorageFullError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhotoReceipt:
    photo: Photo
    created: bool


def photo_receive(
    *, user: User, client_uuid: uuid.UUID, family_uuid: uuid.UUID, sha256: str, data: bytes
) -> PhotoReceipt:
    """Accept one photo upload, idempotently (UUID + SHA-256), after a synchronous size and header check.

    A known UUID whose family is outside the user's scope raises NotFoundError before anything
    else is looked at. The same photo again answers with the stored one and writes nothing. A
    different content under a known UUID is a ConflictError; a concurrent upload of the same UUID
    is waited for (the UUID's lock, `keylocks`) and answered the same way, with no statement
    failing. A file whose size or header is not that of an acceptable photo raises
    imaging.PhotoRejectedError and leaves nothing behind. The decode and the heavy processing
    (orientation, EXIF removal, resizing, thumbnail) run in the `geotag.process_photo` task.
    """
    existing = Photo.objects.select_related("family__sls").filter(client_uuid=client_uuid).first()
    if existing is not None:
        if not scoping.can_see_sls(user, existing.family.sls):
            # Another SLS's photo: neither its state nor that it exists is the caller's business.
            raise NotFoundError(_("Foto tidak ditemukan."))
        if existing.sha256 != sha256:
            raise ConflictError(_("UUID foto ini sudah dipakai untuk isi berbeda."))
        return PhotoReceipt(existing, False)
    family = Family.objects.select_related("sls").filter(client_uuid=family_uuid).first()
    if family is None:
        raise ConflictError(
            _("Keluarga foto ini belum ada di server; kirim data keluarganya dulu."), extra={"code": "family_missing"}
        )
    if user.role != Role.PPL or not scoping.can_see_sls(user, family.sls):
        raise NotAllowedError(_("Hanya PPL yang ditugaskan di SLS ini yang dapat mengirim fotonya."))
    if imaging.sha256_hex(data) != sha256.lower():
        raise ApplicationError(_("Checksum foto tidak cocok; unggah ulang."), extra={"code": "checksum_mismatch"})
    uploads.check_upload(data)
    photo = Photo(client_uuid=client_uuid, family=family, sha256=sha256.lower(), size_bytes=len(data), uploaded_by=user)
    with transaction.atomic():
        # A concurrent upload of the same UUID may be storing it: wait for it and look again, instead
        # of an INSERT that fails on the unique index (regsosek/keylocks.py).
        keylocks.client_uuids_lock([client_uuid])
        winner = Photo.objects.filter(client_uuid=client_uuid).first()
        if winner is not None:
            if winner.sha256 != sha256.lower():
                raise ConflictError(_("UUID foto ini sudah dipakai untuk isi berbeda."))
            return PhotoReceipt(winner, False)
        _save_original(photo, data)
        photo.save()
        transaction.on_commit(lambda: _enqueue(photo.pk))
    logger.info("photo.received", extra={"photo_id": photo.pk, "family_id": family.pk, "bytes": len(data)})
    return PhotoReceipt(photo, True)


def _save_original(photo: Photo, data: bytes) -> None:
    """Write the upload; a full disk leaves no partial file and is a StorageFullError (507)."""
    storage = photo.original.storage
    # The name the file gets (the UUID is unique, so no other upload writes it): known beforehand, so
    # the partial file a failed write leaves behind can be removed.
    name = storage.get_available_name(photo.original.field.generate_filename(photo, f"{photo.client_uuid}.bin"))
    try:
        photo.original.save(name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        if storage.exists(name):
            storage.delete(name)
        logger.error("photo.storage_full", extra={"family_id": photo.family_id, "bytes": len(data)})
        raise StorageFullError(
            _("Penyimpanan foto di server sedang penuh; foto tetap di ponsel dan dikirim ulang nanti."),
            retry_after=settings.PHOTO_STORAGE_FULL_RETRY_S,
        ) from None


def _enqueue(photo_id: int) -> None:
    """Queue the processing after the commit. Redis being away must not fail the upload (the photo is
    stored): the periodic sweep queues it again (`photos_requeue_stale`)."""
    from photos.tasks import process_photo

    try:
        process_photo.delay(photo_id)  # type: ignore[attr-defined]  # a Celery task
    except Exception as exc:  # kombu/redis errors: the broker is unreachable
        logger.warning("photo.enqueue_failed", extra={"photo_id": photo_id, "error": type(exc).__name__})


def photos_requeue_stale(*, older_than_s: int | None = None) -> int:
    """Queue again every photo received more than `older_than_s` seconds ago (default
    PHOTO_SWEEP_AGE_S) and not processed yet; returns how many."""
    age = settings.PHOTO_SWEEP_AGE_S if older_than_s is None else older_than_s
    stale = list(
        Photo.objects.filter(status=Photo.Status.RECEIVED, created_at__lt=timezone.now() - timedelta(seconds=age))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for photo_id in stale:
        _enqueue(photo_id)
    if stale:
        logger.info("photo.requeued", extra={"photos": len(stale)})
    return len(stale)


MAX_PROCESS_ATTEMPTS = 3
"""Decodes the task starts for one photo before it gives up on it (`photo_process`)."""


def photo_process(*, photo_id: int) -> Photo | None:
    """Decode, orient, strip all metadata, resize and thumbnail a received photo; idempotent.

    The upload was checked by its header only (`uploads.check_upload`); this is where its pixels
    are decoded. A file that fails to decode (truncated, malformed, a bomb) is marked `rejected`
    with the code of `imaging.PhotoRejectedError` (the phone's next upload of it is answered with
    that code and message, `photo_upload_refusal`) and its original is deleted: never retried.
    Each decode is counted (`process_attempts`, committed before it starts); a photo whose decode
    did not finish MAX_PROCESS_ATTEMPTS times (the worker killed, out of memory) is rejected as
    `corrupt` without another try, so a redelivered task cannot crash the worker in a loop. An
    OSError reading the original propagates (the task retries it) and is not counted; so does one
    writing the outputs (a full disk), which leaves no output file behind. Locks the
    photo row while it writes; a photo no longer `received` is returned as it is.
    """
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.RECEIVED:
        return photo
    with photo.original.open("rb") as handle:
        data = handle.read()
    with transaction.atomic():
        counted = Photo.objects.select_for_update().filter(pk=photo_id, status=Photo.Status.RECEIVED).first()
        if counted is None:
            return Photo.objects.filter(pk=photo_id).first()
        counted.process_attempts += 1
        counted.save(update_fields=["process_attempts"])
    try:
        photo, processed = _process_counted(photo_id, data)
    except _OutputWriteError as failed:
        # The decode finished: a write that failed (a full disk) is not an attempt toward the
        # `corrupt` limit. The task retries the OSError; the sweep queues the photo again after that.
        Photo.objects.filter(pk=photo_id, process_attempts__gt=0).update(process_attempts=F("process_attempts") - 1)
        raise failed.error from None
    if processed and photo is not None:
        logger.info("photo.processed", extra={"photo_id": photo.pk, "status": photo.status})
    return photo


class _OutputWriteError(Exception):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error


@transaction.atomic
def _process_counted(photo_id: int, data: bytes) -> tuple[Photo | None, bool]:
    """The decode and the writes of `photo_process`, after its attempt was counted; the photo and
    whether this call processed it."""
    photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
    if photo is None or photo.status != Photo.Status.RECEIVED:
        return photo, False
    try:
        if photo.process_attempts > MAX_PROCESS_ATTEMPTS:
            raise imaging.PhotoRejectedError("corrupt", cause="attempts")
        result = imaging.process_photo(data)
    except imaging.PhotoRejectedError as exc:
        photo.status, photo.rejection_code = Photo.Status.REJECTED, exc.code
        logger.warning("photo.rejected", extra={"photo_id": photo.pk, "code": exc.code, "cause": exc.cause or ""})
    else:
        try:
            _save_outputs(photo, result)
        except OSError as exc:
            raise _OutputWriteError(exc) from None
        photo.width, photo.height, photo.status = result.width, result.height, Photo.Status.READY
    photo.original.delete(save=False)
    photo.processed_at = timezone.now()
    photo.save()
    return photo, True


def _save_outputs(photo: Photo, result: imaging.ProcessedPhoto) -> None:
    """Write the processed image and thumbnail; a failed write (a full disk) leaves neither file, not
    even the part of one, and propagates the OSError."""
    written: list[tuple[Storage, str]] = []
    try:
        for field, data in ((photo.image, result.image), (photo.thumbnail, result.thumbnail)):
            storage = field.storage
            # The UUID is unique, so no other photo writes this name: known beforehand, the part a
            # failed write leaves behind can be removed.
            name = storage.get_available_name(field.field.generate_filename(photo, f"{photo.client_uuid}.jpg"))
            written.append((storage, name))
            field.save(name.rsplit("/", 1)[-1], ContentFile(data), save=False)
    except OSError:
        for storage, name in written:
            if storage.exists(name):
                storage.delete(name)
        logger.error("photo.output_write_failed", extra={"photo_id": photo.pk})
        raise


def photo_upload_refusal(photo: Photo) -> imaging.PhotoRejectedError | None:
    """Why a stored photo was rejected by the processing task, as the upload's own check would have
    said it (the code and the enumerator's message), or None if it was not rejected. The upload API
    answers the same photo sent again with it, so the phone shows the reason and a retake is asked for."""
    if photo.status != Photo.Status.REJECTED:
        return None
    code = photo.rejection_code if photo.rejection_code in imaging.MESSAGES else "corrupt"
    return imaging.PhotoRejectedError(cast(imaging.RejectionCode, code))


def photos_missing(*, user: User, client_uuids: list[uuid.UUID]) -> list[str]:
    """Which of these photos the server does not hold yet for this user (so the device never resends
    one). Photos of SLS outside the user's scope count as missing: the answer says nothing about them.
    So do photos the processing task rejected (the server holds nothing usable): sent again, they are
    answered with the reason (`photo_upload_refusal`) instead of being marked sent on the phone."""
    visible = photo_list_for_user(user=user).filter(client_uuid__in=client_uuids).exclude(status=Photo.Status.REJECTED)
    have = set(visible.values_list("client_uuid", flat=True))
    return [str(u) for u in client_uuids if u not in have]
