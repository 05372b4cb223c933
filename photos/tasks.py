"""Celery entry points of the photos app."""

from __future__ import annotations

from photos import services
from regsosek.tasks import Queue, regsosek_task


@regsosek_task(
    # The name it had in the geotag app: tasks queued before the move still find it.
    name="geotag.process_photo",
    queue=Queue.PHOTOS,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def process_photo(photo_id: int) -> None:
    """Process one received photo (by id only: never pass image data or metadata)."""
    services.photo_process(photo_id=photo_id)


@regsosek_task(name="photos.requeue_stale", queue=Queue.PHOTOS)
def requeue_stale() -> None:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): queue again photos left unprocessed."""
    services.photos_requeue_stale()
