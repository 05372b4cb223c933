"""The synchronous check of a photo upload, before anything is stored: size and header only.

The web process never decodes pixels: a 40-megapixel WebP took 1.4-1.9 s and about 635 MB to
decode (docs/photos.md), which a few concurrent uploads would turn into a stalled or killed web
worker. `imaging.check_header` refuses a non-image, a refused format and a decompression bomb
(dimensions from the header) at once, with the same codes as before; a file whose pixels turn out
truncated or malformed is found by the processing task, which marks the photo `rejected` with its
code (`photos.services.photo_process`). No lock: the header check changes no process-wide state.
"""

from __future__ import annotations

from django.conf import settings

from photos import imaging


def check_upload(data: bytes) -> None:
    """Raise imaging.PhotoRejectedError unless `data`'s size and header are those of an acceptable photo."""
    if len(data) > settings.PHOTO_MAX_BYTES:
        raise imaging.PhotoRejectedError("too_large")
    imaging.check_header(data)
