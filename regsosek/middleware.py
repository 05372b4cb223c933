"""Our middleware: the chosen language, no caching of answers that carry personal data, and no NUL
characters in what reaches a query.

Indonesian first: the interface speaks Indonesian unless the user chose another language.
Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to English
would get English without asking. Here only the explicit choice (the language cookie set by the
switcher at /i18n/setlang/) changes the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class ChosenLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer that may carry personal data: everything under
    `/api/` (whoever asks: device tokens are read later, by DRF) and every page for a signed-in user.

    A view that sets its own Cache-Control keeps it (the public questionnaire definition, the app
    shell); static files never get here (WhiteNoise answers them first). Browsers, proxies and the
    phone's HTTP cache then keep no copy of a family record, a masked list or a revealed number.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store"
        return response


class RejectNulMiddleware:
    """400 for a NUL character in the path, a query parameter or a cookie, before any view runs.

    PostgreSQL text cannot hold NUL, so such a value reaching a query (an API filter, an admin
    list filter, a session key) was a 500 from a database error. No legitimate client sends one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            message = _("Permintaan memuat karakter NUL.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"code": "invalid", "message": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _carries_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    return any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items())


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every answer (settings.PERMISSIONS_POLICY): the browser features a
    page may use. Django's SecurityMiddleware does not send this header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
