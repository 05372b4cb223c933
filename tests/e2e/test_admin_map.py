"""The admin's boundary map in a real browser: a BPS admin opens a kelurahan and Leaflet, from the
project's own bundle, draws its stored boundary with no base map and no script from elsewhere."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from enumeration.models import Role, User
from tests.e2e.conftest import PASSWORD, LiveStack

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"


def test_a_bps_admin_sees_a_kelurahan_boundary_on_its_admin_page(
    live_stack: LiveStack, browser: Any, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():
        admin = User.objects.create_user(
            username=f"admin.peta{uuid.uuid4().hex[:6]}", password=PASSWORD, role=Role.BPS_ADMIN
        )
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(30_000)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status >= 400 else None)
    page.goto(f"{live_stack.url}/masuk/?next=/admin/enumeration/kelurahan/{KELURAHAN}/change/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-boundary-map][data-drawn='1']")
    assert page.locator("[data-boundary-map] .leaflet-overlay-pane path").count() == 1
    box = page.locator("[data-boundary-map] .leaflet-overlay-pane path").bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50  # fitted to the map, not a dot
    assert all(url.startswith(live_stack.url) for url in requests), [u for u in requests if live_stack.url not in u]
    assert missing == []
    context.close()
