"""The synchronous safety check of a photo upload, before anything is stored.

It runs the same decoder as the processing task, so a truncated file, a decompression bomb or a
non-image gets its 4xx in the upload's own answer and leaves nothing behind; the Celery task then
does the storing work. `process_photo` turns Pillow's warnings into errors with
`warnings.catch_warnings`, which is process-global: the lock keeps web threads from interleaving.
"""

from __future__ import annotations

import threading

from django.conf import settings

from photos import imaging

_LOCK = threading.Lock()


def check_upload(data: bytes) -> None:
    """Raise imaging.PhotoRejectedError unless `data` is an acceptable photo."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise imaging.PhotoRejectedError("too_large")
    with _LOCK:
        imaging.process_photo(data)
