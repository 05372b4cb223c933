"""Reads of house photos for APIs."""

from __future__ import annotations

import uuid

from photos.models import Photo


def photo_get(*, client_uuid: uuid.UUID) -> Photo | None:
    """The photo with this UUID, or None. Not narrowed by user: the upload answers a known UUID
    only when the caller also sends the photo's SHA-256 (fieldapp.api.PhotoUploadApi), and
    `photos.services.photo_receive` checks the family's SLS before it stores anything."""
    return Photo.objects.filter(client_uuid=client_uuid).first()
