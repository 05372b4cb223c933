"""Reads of house photos for APIs and pages."""

from __future__ import annotations

import uuid

from enumeration.models import User
from households import selectors as household_selectors
from photos.models import Photo


def photo_get(*, client_uuid: uuid.UUID) -> Photo | None:
    """The photo with this UUID, or None. Not narrowed by user: the upload answers a known UUID
    only when the caller also sends the photo's SHA-256 (fieldapp.api.PhotoUploadApi), and
    `photos.services.photo_receive` checks the family's SLS before it stores anything."""
    return Photo.objects.filter(client_uuid=client_uuid).first()


def photo_get_for_user(*, user: User, client_uuid: uuid.UUID) -> Photo | None:
    """A processed photo of a family in the user's scope (`households.selectors.family_qs_for_user`),
    with its family and SLS, or None: unknown, not ready (received or rejected) or out of scope."""
    families = household_selectors.family_qs_for_user(user=user)
    return (
        Photo.objects.filter(client_uuid=client_uuid, status=Photo.Status.READY, family__in=families.values("pk"))
        .select_related("family__sls__kelurahan")
        .first()
    )
