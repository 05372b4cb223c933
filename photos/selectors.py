"""Reads of house photos for APIs, narrowed by `enumeration.scoping`."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from enumeration import scoping
from enumeration.models import User
from households import selectors as household_selectors
from photos.models import Photo


def photo_list_for_user(*, user: User) -> QuerySet[Photo]:
    """Photos of families in SLS the user may see (for a PPL: their active assignments)."""
    return Photo.objects.filter(family__sls__in=scoping.visible_sls(user))


def photo_get_for_user(*, user: User, client_uuid: uuid.UUID) -> Photo | None:
    """The photo with this UUID if it is in the user's scope, else None: a photo of another SLS
    and an unknown one look the same (the upload then answers 404 for the former)."""
    return photo_list_for_user(user=user).filter(client_uuid=client_uuid).first()


def photo_ready_for_user(*, user: User, client_uuid: uuid.UUID) -> Photo | None:
    """A processed photo of a family in the user's scope (`households.selectors.family_qs_for_user`),
    with its family and SLS, or None: unknown, not ready (received or rejected) or out of scope."""
    families = household_selectors.family_qs_for_user(user=user)
    return (
        Photo.objects.filter(client_uuid=client_uuid, status=Photo.Status.READY, family__in=families.values("pk"))
        .select_related("family__sls__kelurahan")
        .first()
    )
