"""Read-only admin of geotags, their flags and photos for BPS admins."""

from __future__ import annotations

from django.contrib import admin

from geotag.models import Geotag, GeotagFlag, Photo
from households.admin import ReadOnly


class FlagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = GeotagFlag
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "detail", "created_at")


@admin.register(Geotag)
class GeotagAdmin(ReadOnly):
    list_display = ["id", "sls", "building_no", "accuracy_m", "provider", "captured_at", "collected_by"]
    list_filter = ["provider", "flags__kind"]
    inlines = [FlagInline]


@admin.register(Photo)
class PhotoAdmin(ReadOnly):
    list_display = ["id", "family", "status", "size_bytes", "width", "height", "created_at"]
    list_filter = ["status"]
    exclude = ["original"]
