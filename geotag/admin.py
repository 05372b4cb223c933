"""Read-only admin of geotags and their flags for BPS admins."""

from __future__ import annotations

from django.contrib import admin

from enumeration.admin import ReadOnly
from geotag.models import Geotag, GeotagFlag


class FlagInline(admin.TabularInline):  # type: ignore[type-arg]
    model = GeotagFlag
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "detail", "created_at")


@admin.register(Geotag)
class GeotagAdmin(ReadOnly):
    audit_views = True  # a dwelling's location
    list_display = ["id", "sls", "building_no", "accuracy_m", "provider", "captured_at", "collected_by"]
    list_filter = ["provider", "flags__kind"]
    inlines = [FlagInline]
