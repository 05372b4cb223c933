"""Answers for a URL nothing matched and for an unhandled error: JSON under /api/ (the documented
refusal with its `code`), Django's plain pages elsewhere. Neither shows anything of the request.
An error caused by the database or Redis being away is a 503 with Retry-After (phones retry it),
not a 500: Django calls handler500 while handling the exception, so sys.exc_info() names it."""

from __future__ import annotations

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from regsosek.errors import RETRY_AFTER_S, retry_later_body, unavailable_part


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception | None = None, **kwargs: Any) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"code": "not_found", "message": _("Tidak ditemukan.")}, status=404)
    return defaults.page_not_found(request, exception or Exception(), **kwargs)


def server_error(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    if unavailable_part(sys.exc_info()[1]) is not None:
        body = retry_later_body()
        if _is_api(request):
            response: HttpResponse = JsonResponse(body, status=503)
        else:
            response = HttpResponse(body["message"], status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_S)
        return response
    if _is_api(request):
        return JsonResponse({"code": "server_error", "message": _("Kesalahan server; coba lagi nanti.")}, status=500)
    return defaults.server_error(request, **kwargs)
