"""The enumerator app (PWA) as served by Django: the app shell, the web app manifest and the
service worker (docs/pwa.md).

The service worker is the built `dist/sw.js` with its configuration put in front: the list of
URLs to precache and a version, the SHA-256 of everything precached. Any change to an asset changes
the service worker's bytes, which is what makes the browser install the new version.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.checks import CheckMessage, Warning, register
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from geotag.rules import geotag_rules

APP_SCRIPT = "dist/app.js"
APP_STYLES = "dist/app.css"
SW_SCRIPT = "dist/sw.js"
ICONS = [
    ("pwa/icon-192.png", "192x192", "any"),
    ("pwa/icon-512.png", "512x512", "any"),
    ("pwa/icon-maskable-512.png", "512x512", "maskable"),
]
PRECACHED_STATIC = [APP_SCRIPT, APP_STYLES, *(path for path, _size, _purpose in ICONS)]
SHELL_TEMPLATE = "fieldapp/app.html"


def _static_bytes(path: str) -> bytes:
    found = finders.find(path)
    if isinstance(found, str):
        return Path(found).read_bytes()
    with staticfiles_storage.open(path) as handle:
        data: bytes = handle.read()
    return data


def missing_assets() -> list[str]:
    missing = []
    for path in [*PRECACHED_STATIC, SW_SCRIPT]:
        try:
            _static_bytes(path)
        except (FileNotFoundError, OSError, ValueError):
            missing.append(path)
    return missing


@register()
def check_app_built(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    missing = missing_assets()
    if not missing:
        return []
    return [
        Warning(
            f"The enumerator app is not built: {', '.join(missing)} missing.",
            hint="Run `npm run build` (make run / make test do it).",
            id="fieldapp.W001",
        )
    ]


def precache_urls() -> list[str]:
    return [
        reverse("pwa-shell"),
        reverse("pwa-manifest"),
        reverse("pwa-i18n"),
        *(static(path) for path in PRECACHED_STATIC),
    ]


def _app_settings() -> dict[str, object]:
    """Server settings the app reads from the shell's data attributes (static/js/app/main.js)."""
    return {
        "lock_idle_seconds": settings.APP_LOCK_IDLE_SECONDS,
        "pin_max_attempts": settings.APP_LOCK_MAX_PIN_ATTEMPTS,
        "approved_retention_hours": settings.APPROVED_RETENTION_HOURS,
        # The doorstep check of a geotag applies the server's thresholds (static/js/geo/rules.js).
        "geotag_rules": json.dumps(geotag_rules(), sort_keys=True),
    }


@functools.cache
def _version_for(debug_token: str) -> str:
    digest = hashlib.sha256()
    for path in [*PRECACHED_STATIC, SW_SCRIPT]:
        digest.update(path.encode() + b"\0" + _static_bytes(path))
    template = get_template(SHELL_TEMPLATE).template  # type: ignore[attr-defined]
    digest.update(template.source.encode())
    for locale_file in sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po")):
        digest.update(locale_file.read_bytes())
    digest.update(settings.APP_RELEASE.encode())
    # The shell is served from the worker's cache: a changed setting must make a new version.
    digest.update(json.dumps(_app_settings(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def app_version() -> str:
    """Changes whenever a precached asset, the shell template, a translation, APP_RELEASE or a
    setting the app reads (`_app_settings`) changes.
    Cached for the life of the process (assets change only with a deploy), except in DEBUG."""
    if settings.DEBUG:
        _version_for.cache_clear()
    return _version_for("")


@require_safe
@gzip_page
def app_shell(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        SHELL_TEMPLATE,
        {
            "app_version": app_version(),
            "app_script": APP_SCRIPT,
            "app_styles": APP_STYLES,
            "geotag_max_accuracy_m": str(settings.GEOTAG_MAX_ACCURACY_M),
            **{name: str(value) for name, value in _app_settings().items()},
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
@cache_control(no_cache=True)
def manifest(request: HttpRequest) -> JsonResponse:
    shell = reverse("pwa-shell")
    return JsonResponse(
        {
            "name": _("Regsosek: aplikasi PPL"),
            "short_name": "Regsosek",
            "description": _("Pendataan keluarga Regsosek, bekerja tanpa sinyal."),
            "lang": "id",
            "id": shell,
            "start_url": shell,
            "scope": shell,
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f6f7f9",
            "theme_color": "#0b5cad",
            "icons": [
                {"src": static(path), "sizes": size, "type": "image/png", "purpose": purpose}
                for path, size, purpose in ICONS
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@gzip_page
def service_worker(request: HttpRequest) -> HttpResponse:
    config = {"version": app_version(), "precache": precache_urls(), "shell": reverse("pwa-shell")}
    body = f"self.REGSOSEK_SW = {json.dumps(config)};\n".encode() + _static_bytes(SW_SCRIPT)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    # The browser checks this script for a new version on every navigation; never from a cache.
    response["Cache-Control"] = "no-cache, no-store"
    response["Service-Worker-Allowed"] = reverse("pwa-shell")
    return response
