"""Read-only admin of house photos for BPS admins. The files are never linked as /media/ URLs (the
web server does not serve MEDIA_ROOT): the page shows the thumbnail through the review desk's
scoped, no-store view, linked to the full image there (docs/review.md)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enumeration.admin import ReadOnly
from photos.models import Photo


@admin.register(Photo)
class PhotoAdmin(ReadOnly):
    list_display = ["id", "family", "status", "size_bytes", "width", "height", "created_at"]
    list_filter = ["status"]
    exclude = ["original", "image", "thumbnail"]
    readonly_fields = ["preview"]

    @admin.display(description=_("foto"))
    def preview(self, obj: Photo) -> str:
        if obj.status != Photo.Status.READY or not obj.thumbnail:
            return str(_("Belum ada gambar yang siap (foto belum diproses atau ditolak)."))
        return format_html(
            '<a href="{}"><img src="{}" alt="{}"></a>',
            reverse("review:photo", args=[obj.client_uuid]),
            reverse("review:photo_thumb", args=[obj.client_uuid]),
            _("Foto rumah (buka ukuran penuh)"),
        )
