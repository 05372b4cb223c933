"""Our middleware: the chosen language, and no caching of answers that carry personal data.

Indonesian first: the interface speaks Indonesian unless the user chose another language.
Django's LocaleMiddleware would follow the browser's Accept-Language, so a phone set to English
would get English without asking. Here only the explicit choice (the language cookie set by the
switcher at /i18n/setlang/) changes the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
