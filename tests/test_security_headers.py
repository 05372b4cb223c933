"""Deployment hardening (docs/reliability.md): a strict Content-Security-Policy and a
Permissions-Policy on every answer, templates that need no inline script or style, and house
photos never served from a public /media/ URL."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _directives(header: str) -> dict[str, list[str]]:
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("url", ["/masuk/", "/app/", "/app/sw.js", "/app/manifest.webmanifest", "/api/v1/me/", "/"])
def test_every_answer_has_a_strict_csp_and_a_permissions_policy(client: Client, petugas, url: str) -> None:
    client.force_login(petugas)
    answer = client.get(url)
    policy = _directives(answer["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in answer["Content-Security-Policy"]
    assert "'unsafe-eval'" not in answer["Content-Security-Policy"]
    assert "blob:" in policy["img-src"]  # the app shows photos from IndexedDB as blob: URLs
    assert "geolocation=(self)" in answer["Permissions-Policy"] and "microphone=()" in answer["Permissions-Policy"]
    assert answer["X-Content-Type-Options"] == "nosniff" and answer["Referrer-Policy"] == "same-origin"


def test_templates_carry_no_inline_script_handler_or_style_attribute() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for kind, pattern in (("inline script", inline_script), ("event handler", handler), ("style=", style)):
            # json_script output is data (type="application/json"), not a script the browser runs.
            hits = [m for m in pattern.finditer(text) if "application/json" not in m.group(0)]
            found += [f"{path.relative_to(ROOT)}: {kind}" for _ in hits]
    assert not found, found


def test_the_csp_allows_map_tiles_only_from_a_configured_origin() -> None:
    img = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert all(source in ("'self'", "data:", "blob:") or source.startswith("https://") for source in img)


def test_media_files_are_never_served_by_the_app(client: Client, bps_admin, settings, tmp_path) -> None:
    """House photos are personal data: no URL of the app serves MEDIA_ROOT, whoever asks."""
    settings.MEDIA_ROOT = tmp_path
    photo = tmp_path / "photos" / "ready" / "rumah.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff foto")
    client.force_login(bps_admin)
    for url in ("/media/photos/ready/rumah.jpg", "/media/", "/static/../media/photos/ready/rumah.jpg"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert b"foto" not in answer.content


def test_the_documented_proxy_configuration_serves_no_media() -> None:
    """docs/operations.md's proxy configuration passes everything to gunicorn and has no location
    that reads the media volume."""
    text = (ROOT / "docs" / "operations.md").read_text()
    for block in re.findall(r"```nginx\n(.*?)```", text, re.DOTALL):
        assert "/media" not in block and "alias" not in block and "root " not in block


def test_the_admin_boundary_field_needs_no_cdn_and_no_inline_script(client: Client, bps_admin, field) -> None:
    """Django's OpenLayers widget loaded ol.js from a CDN with an inline script; boundaries are WKT
    text now, read by GEOS (GeoJSON is refused: it would reach GDAL)."""
    client.force_login(bps_admin)
    page = client.get(f"/admin/enumeration/sls/{field['own1'].pk}/change/").content.decode()
    assert "cdn.jsdelivr.net" not in page and "new MapWidget" not in page and "ol.js" not in page
    assert re.search(r"<textarea[^>]*name=\"boundary\"", page)
    from enumeration.admin import WKTGeometryField

    form_field = WKTGeometryField(srid=4326, geom_type="MULTIPOLYGON")
    assert form_field.clean("MULTIPOLYGON(((106.6 -6.3, 106.7 -6.3, 106.7 -6.4, 106.6 -6.3)))").num_geom == 1
    with pytest.raises(ValidationError):
        form_field.clean('{"type": "MultiPolygon", "coordinates": []}')


def test_the_admin_draws_a_stored_boundary_from_its_own_files(client: Client, bps_admin, field) -> None:
    """A kelurahan's admin page shows its boundary on a map (the page's GeoJSON, Leaflet from the
    project's bundle), not its WKT; an SLS without a boundary says so."""
    client.force_login(bps_admin)
    kelurahan = field["own1"].kelurahan
    page = client.get(f"/admin/enumeration/kelurahan/{kelurahan.pk}/change/").content.decode()
    found = re.search(r'<div class="boundary-map" data-boundary-map data-geojson="([^"]+)"', page)
    assert found is not None
    shape = json.loads(html.unescape(found.group(1)))
    assert shape["type"] == "MultiPolygon" and shape["coordinates"]
    assert '<script src="/static/dist/pages/admin-boundary.js" type="module">' in page
    assert "MULTIPOLYGON" not in page  # the WKT text is not shown
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page)  # no inline script
    sls_page = client.get(f"/admin/enumeration/sls/{field['own1'].pk}/change/").content.decode()
    assert "Batas wilayah belum ada." in sls_page and "data-boundary-map" not in sls_page
