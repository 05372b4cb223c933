"""What a locked-out login attempt gets (django-axes): JSON for the API, the page otherwise."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    message = _("Terlalu banyak percobaan masuk. Coba lagi nanti atau minta PML/Koseka membuka kuncinya.")
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "locked_out", "message": message, "wipe": False}, status=429)
    return render(request, "registration/locked_out.html", status=429)
