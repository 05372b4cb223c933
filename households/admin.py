"""Read-only admin views of family records for BPS admins (identifiers stay masked here)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    # The head's name is a plain column (`head_name`, Blok I 108), so the search finds it; members'
    # names are in `Member.name`, not searched here (the review desk shows them).
    search_fields = ["head_name", "sls__kelurahan__name", "building_no"]
    exclude = ["kk_ciphertext", "kk_hash", "data"]
    readonly_fields = ["review_link"]
    audit_views = True  # a family's page is a read of personal data: in the audit log

    @admin.display(description="No. KK")
    def kk_masked(self, obj: Family) -> str:
        return mask(obj.kk_hash)

    @admin.display(description=_("anggota dan jawaban"))
    def review_link(self, obj: Family) -> str:
        # The members and answers are laid out (labels, masks, history) on the review desk's page.
        return format_html(
            '<a href="{}">{}</a>', reverse("review:family", args=[obj.pk]), _("Buka di meja pemeriksaan")
        )


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
