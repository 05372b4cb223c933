"""Read-only admin views of family records for BPS admins (identifiers stay masked here)."""

from __future__ import annotations

from django.contrib import admin

from enumeration.admin import ReadOnly
from households.identifiers import mask
from households.models import Family, IdentifierReveal, PrelistFamily, ReviewEvent, SLSConfirmation


@admin.register(Family)
class FamilyAdmin(ReadOnly):
    list_display = [
        "id",
        "sls",
        "building_no",
        "family_no",
        "status",
        "revision",
        "member_count",
        "kk_masked",
    ]
    list_filter = ["status", "sls__kelurahan__kecamatan"]
    list_select_related = ["sls__kelurahan"]
    search_fields = ["sls__kelurahan__name", "building_no"]
    exclude = ["kk_ciphertext", "kk_hash", "data"]
    audit_views = True  # a family's page is a read of personal data: in the audit log

    @admin.display(description="No. KK")
    def kk_masked(self, obj: Family) -> str:
        return mask(obj.kk_hash)


@admin.register(PrelistFamily)
class PrelistAdmin(ReadOnly):
    audit_views = True  # names and addresses of VK1 families
    list_display = ["sls", "line_no", "head_name", "status", "family"]
    list_filter = ["status", "sls__kelurahan__kecamatan"]
    list_select_related = ["sls__kelurahan"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnly):
    list_display = ["family", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status"]


@admin.register(SLSConfirmation)
class SLSConfirmationAdmin(ReadOnly):
    list_display = ["sls", "action", "actor", "at"]


@admin.register(IdentifierReveal)
class IdentifierRevealAdmin(ReadOnly):
    list_display = ["at", "actor", "family", "kind", "reason"]
    list_filter = ["kind"]
