"""Read-only admin of house photos for BPS admins."""

from __future__ import annotations

from django.contrib import admin

from enumeration.admin import ReadOnly
from photos.models import Photo


@admin.register(Photo)
class PhotoAdmin(ReadOnly):
    list_display = ["id", "family", "status", "size_bytes", "width", "height", "created_at"]
    list_filter = ["status"]
    exclude = ["original"]
