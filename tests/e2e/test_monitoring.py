"""The monitoring dashboard in a real browser: a Koseka signs in, opens the dashboard, drills down
kota → kecamatan → kelurahan → PPL, and the map draws the kelurahan's boundary (Leaflet's SVG path)
and the families' geotags (cluster markers, then single points on the canvas after zooming in)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from enumeration.models import SLS, Assignment, Kelurahan, Role, User
from geotag.models import Geotag
from households import services
from households.models import Family
from tests.e2e.conftest import PASSWORD, LiveStack
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.e2e

KELURAHAN = "3674010001"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def team(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """A Koseka, a PML and a PPL with one SLS and three families geotagged inside the kelurahan."""
    tag = uuid.uuid4().hex[:6]
    with django_db_blocker.unblock():
        kelurahan = Kelurahan.objects.get(pk=KELURAHAN)
        kec = kelurahan.kecamatan_id
        koseka = User.objects.create_user(
            username=f"koseka.mon{tag}", password=PASSWORD, role=Role.KOSEKA, kecamatan_id=kec
        )
        pml = User.objects.create_user(
            username=f"pml.mon{tag}", password=PASSWORD, role=Role.PML, supervisor=koseka, kecamatan_id=kec
        )
        ppl = User.objects.create_user(
            username=f"ppl.mon{tag}", password=PASSWORD, full_name="PPL Pantau", role=Role.PPL, supervisor=pml,
            kecamatan_id=kec,
        )  # fmt: skip
        sls = SLS.objects.create(kelurahan=kelurahan, code=tag[:4].upper(), name=f"RT {tag}")
        Assignment.objects.create(sls=sls, ppl=ppl, started_at=timezone.now())
        inside = kelurahan.boundary.point_on_surface
        families = []
        for i in range(3):
            family = create_family(ppl, sls, record_for(sls, r109=f"{i + 1:03d}"))
            geotag = Geotag.objects.create(
                client_uuid=uuid.uuid4(), sls=sls, location=Point(inside.x + i * 0.00005, inside.y, srid=4326),
                accuracy_m=6, captured_at=timezone.now(), provider="gps", collected_by=ppl,
            )  # fmt: skip
            Family.objects.filter(pk=family.pk).update(geotag=geotag)
            families.append(family)
        services.family_approve(user=pml, family=families[0])
    yield {"koseka": koseka, "ppl": ppl, "sls": sls, "kelurahan": kelurahan}


def test_a_koseka_drills_down_to_a_ppl_and_sees_the_map(live_stack: LiveStack, browser: Any, team: dict[str, Any]):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_stack.url}/masuk/?next=/pemantauan/")
    page.fill("#id_username", team["koseka"].username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/pemantauan/")
    page.click(f"#progress-table a[href='/pemantauan/kecamatan/{team['kelurahan'].kecamatan_id}/']")
    page.wait_for_url("**/pemantauan/kecamatan/**")
    page.click(f"#progress-table a[href='/pemantauan/kelurahan/{KELURAHAN}/']")
    page.wait_for_url("**/pemantauan/kelurahan/**")
    row = page.locator("#progress-table tbody tr", has=page.locator(f"a[href='/pemantauan/sls/{team['sls'].pk}/']"))
    assert row.locator("td").nth(1).inner_text() == "3"  # collected
    row.locator(f"a[href='/pemantauan/ppl/{team['ppl'].pk}/']").click()
    page.wait_for_url(f"**/pemantauan/ppl/{team['ppl'].pk}/")
    assert "PPL Pantau" in page.locator("h1").inner_text()
    assert page.locator("#progress-table tfoot td").nth(3).inner_text() == "1"  # approved

    # The map: the kelurahan's boundary as Leaflet's SVG path, the families as a cluster marker.
    page.wait_for_selector("#monitoring-map[data-areas-drawn='1']")
    assert page.locator("#monitoring-map .leaflet-overlay-pane path").count() >= 1
    page.wait_for_selector("#monitoring-map[data-points-drawn]")
    for _ in range(6):  # each click on a cluster zooms in two levels, until the points come one by one
        if page.get_attribute("#monitoring-map", "data-points-kind") == "points":
            break
        cluster = page.locator("#monitoring-map .leaflet-marker-icon.cluster").first
        assert cluster.inner_text() in ("1", "2", "3")
        before = page.get_attribute("#monitoring-map", "data-points-zoom")
        cluster.click()
        page.wait_for_function(
            "(before) => document.querySelector('#monitoring-map').dataset.pointsZoom !== before", arg=before
        )
    assert page.get_attribute("#monitoring-map", "data-points-kind") == "points"
    assert page.get_attribute("#monitoring-map", "data-points-drawn") == "3"
    assert page.locator("#monitoring-map canvas").count() == 1
    context.close()
