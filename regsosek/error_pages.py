"""Answers for a URL nothing matched and for an unhandled error: JSON under /api/ (the documented
refusal with its `code`), Django's plain pages elsewhere. Neither shows anything of the request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "not_found", "message": _("Tidak ditemukan.")}, status=404)
    return defaults.page_not_found(request, exception or Exception(), **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "server_error", "message": _("Kesalahan server; coba lagi nanti.")}, status=500)
    return defaults.server_error(request, **kwargs)
