from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from enumeration import scoping


class RegsosekAdminSite(admin.AdminSite):
    """The admin, for BPS Kota admins only: field staff never reach it, whatever their flags."""

    site_header = _("Administrasi Regsosek")
    site_title = _("Administrasi Regsosek")
    index_title = _("Data induk: wilayah, petugas, penugasan")

    def has_permission(self, request: HttpRequest) -> bool:
        return scoping.can_use_admin(request.user)  # type: ignore[arg-type]  # AnonymousUser handled inside
