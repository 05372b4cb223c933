"""The enumerator app as Django serves it: shell, manifest, service worker, translations."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from fieldapp import views as pwa

pytestmark = pytest.mark.django_db


def sw_config(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = client.get("/app/sw.js").content
    match = re.match(rb"self\.REGSOSEK_SW = (\{.*?\});\n", body)
    assert match, body[:200]
    config: dict[str, Any] = json.loads(match.group(1))
    return config


def test_the_shell_loads_the_bundle_the_catalog_and_the_manifest_without_signing_in(client):
    response = client.get("/app/")
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
    assert 'src="/static/dist/app.js"' in page and 'href="/app/manifest.webmanifest"' in page
    assert 'src="/app/jsi18n/"' in page and 'data-sw="/app/sw.js"' in page and 'data-max-accuracy="30.0"' in page
    assert client.head("/app/").status_code == 200
    assert client.post("/app/").status_code == 405


def test_the_manifest_makes_the_app_installable(client):
    manifest = client.get("/app/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["start_url"] == data["scope"] == "/app/" and data["display"] == "standalone"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert isinstance(path, str)
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_precaches_the_shell_and_never_the_api(client):
    response = client.get("/app/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-store" in response["Cache-Control"] and response["Service-Worker-Allowed"] == "/app/"
    config = sw_config(client)
    assert config["shell"] == "/app/" and re.fullmatch(r"[0-9a-f]{16}", config["version"])
    assert {"/app/", "/app/manifest.webmanifest", "/app/jsi18n/", "/static/dist/app.js", "/static/dist/app.css"} <= set(
        config["precache"]
    )
    assert not [url for url in config["precache"] if url.startswith("/api/")]


def test_the_version_changes_when_an_asset_changes(monkeypatch, settings):
    before = pwa.app_version()
    real = pwa._static_bytes
    monkeypatch.setattr(
        pwa, "_static_bytes", lambda path: real(path) + (b"/* changed */" if path == pwa.APP_SCRIPT else b"")
    )
    settings.DEBUG = True  # the version is cached per process except in DEBUG
    try:
        assert pwa.app_version() != before
    finally:
        pwa._version_for.cache_clear()


def test_the_shell_carries_the_lock_and_retention_settings_and_a_change_makes_a_new_version(client, settings):
    settings.APP_LOCK_IDLE_SECONDS, settings.APP_LOCK_MAX_PIN_ATTEMPTS, settings.APPROVED_RETENTION_HOURS = 120, 3, 48
    page = client.get("/app/").content.decode()
    assert 'data-lock-idle-seconds="120"' in page and 'data-pin-max-attempts="3"' in page
    assert 'data-retention-hours="48"' in page
    settings.DEBUG = True  # the version is cached per process except in DEBUG
    try:
        before = pwa.app_version()
        settings.APP_LOCK_IDLE_SECONDS = 600
        assert pwa.app_version() != before, "the cached shell would keep the old setting"
    finally:
        pwa._version_for.cache_clear()


def test_the_translations_follow_the_chosen_language(client):
    assert "Kirim & perbarui" not in client.get("/app/jsi18n/").content.decode()  # Indonesian: the source
    client.post("/i18n/setlang/", {"language": "en", "next": "/app/"})
    catalog = client.get("/app/jsi18n/").content.decode()
    assert "Send & update" in catalog and "Sign in again" in catalog


def test_a_missing_bundle_is_reported_by_the_system_checks(monkeypatch):
    monkeypatch.setattr(pwa, "_static_bytes", lambda path: (_ for _ in ()).throw(FileNotFoundError(path)))
    (warning,) = pwa.check_app_built(None)
    assert warning.id == "fieldapp.W001" and "npm run build" in (warning.hint or "")
