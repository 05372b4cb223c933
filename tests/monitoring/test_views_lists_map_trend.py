"""The lists behind the numbers, the map's data and the daily trend."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from monitoring import charts, progress
from tests.helpers import KEC_A, KEL_A1

from .conftest import POINT_A, POINT_B

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("what", "expected"),
    [("collected", 3), ("submitted", 1), ("approved", 1), ("returned", 1), ("target", 5), ("closed", 1), ("sls", 1)],
)
def test_each_list_has_as_many_rows_as_its_number(client, supervisor, fieldwork, what, expected):
    client.force_login(supervisor)
    sls_id = fieldwork.sls["own1"].pk
    page = client.get(f"/pemantauan/sls/{sls_id}/")
    number = getattr(page.context["progress"].total, what if what != "sls" else "sls")
    response = client.get("/pemantauan/daftar/", {"level": "sls", "key": sls_id, "what": what})
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == number == expected


def test_family_lists_link_to_the_review_desk_and_show_no_names(client, koseka, fieldwork):
    client.force_login(koseka)
    response = client.get("/pemantauan/daftar/", {"level": "kelurahan", "key": KEL_A1, "what": "approved"})
    html = response.content.decode()
    for key in ("a1", "t1", "t2"):
        assert f'href="/review/families/{fieldwork.families[key].pk}/"' in html
    assert f"/review/families/{fieldwork.families['a3'].pk}/" not in html
    assert fieldwork.families["a1"].head_name not in html


def test_the_confirmed_sls_list_follows_the_latest_confirmation(client, koseka, fieldwork):
    client.force_login(koseka)
    response = client.get("/pemantauan/daftar/", {"level": "kecamatan", "key": KEC_A, "what": "sls_confirmed"})
    assert [s.pk for s in response.context["page_obj"]] == [fieldwork.sls["team"].pk]


def test_lists_outside_the_scope_are_not_found(client, supervisor, fieldwork):
    client.force_login(supervisor)
    other = fieldwork.sls["other"].pk
    assert client.get("/pemantauan/daftar/", {"level": "sls", "key": other, "what": "collected"}).status_code == 404
    assert client.get("/pemantauan/daftar/", {"level": "kota", "key": "", "what": "nope"}).status_code == 404


def test_boundaries_carry_the_percent_done_of_each_area(client, bps_admin, fieldwork):
    client.force_login(bps_admin)
    data = client.get("/pemantauan/peta/wilayah.json", {"level": "kota", "key": "", "zoom": 12}).json()
    features = {f["properties"]["key"]: f for f in data["features"]}
    assert set(features) == {KEC_A, "3674060"}
    assert features[KEC_A]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # Kecamatan A: VK1 7 rows (own1 5 with 1 moved, team 2), 3 approved: (3 + 1) / 7.
    assert features[KEC_A]["properties"]["percent_done"] == pytest.approx(round(400 / 7, 1))
    kel = client.get("/pemantauan/peta/wilayah.json", {"level": "kelurahan", "key": KEL_A1, "zoom": 15}).json()
    assert [f["properties"]["key"] for f in kel["features"]] == [KEL_A1]


def _bbox(point: tuple[float, float], pad: float = 0.01) -> str:
    return f"{point[0] - pad},{point[1] - pad},{point[0] + pad},{point[1] + pad}"


def test_points_come_one_by_one_when_zoomed_in_with_status_and_flag(client, koseka, fieldwork):
    client.force_login(koseka)
    data = client.get(
        "/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 18, "bbox": _bbox(POINT_A)}
    ).json()
    assert data["kind"] == "points"
    props = {f["properties"]["id"]: f["properties"] for f in data["features"]}
    fam = fieldwork.families
    assert set(props) == {fam[k].pk for k in ("a1", "a2", "a3", "t1", "t2")}
    assert props[fam["a2"].pk]["status"] == "returned"
    assert props[fam["a3"].pk]["flagged"] is True and props[fam["a1"].pk]["flagged"] is False
    # Single families' locations are a read of personal data: audited (clusters are not).
    entry = AuditEntry.objects.filter(action=AuditAction.FAMILY_VIEW, object_type="family_location").get()
    assert entry.actor_id == koseka.pk and entry.object_id == "5" and "zoom=18" in entry.detail


def test_points_are_clustered_when_zoomed_out_and_scoped(client, supervisor, bps_admin, fieldwork):
    wide = "106.5,-6.5,106.9,-6.1"
    client.force_login(bps_admin)
    data = client.get("/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 11, "bbox": wide}).json()
    assert data["kind"] == "clusters"
    assert sum(f["properties"]["count"] for f in data["features"]) == 6
    assert sum(f["properties"]["approved"] for f in data["features"]) == 3
    assert not AuditEntry.objects.filter(object_type="family_location").exists()
    client.force_login(supervisor)
    mine = client.get("/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 11, "bbox": wide}).json()
    assert sum(f["properties"]["count"] for f in mine["features"]) == 5
    other = client.get(
        "/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 18, "bbox": _bbox(POINT_B)}
    ).json()
    assert other["features"] == []


@pytest.mark.parametrize("bbox", ["", "a,b,c,d", "1,2,3", "106.9,-6.1,106.5,-6.5", "nan,1,2,3"])
def test_a_malformed_bbox_is_refused(client, bps_admin, fieldwork, bbox):
    client.force_login(bps_admin)
    response = client.get("/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 12, "bbox": bbox})
    assert response.status_code == 400


def test_the_trend_counts_each_day_and_spreads_the_plan(client, bps_admin, fieldwork, settings):
    today = timezone.localdate()
    settings.FIELDWORK_START = (today - dt.timedelta(days=4)).isoformat()
    settings.FIELDWORK_END = (today + dt.timedelta(days=5)).isoformat()
    client.force_login(bps_admin)
    trend = client.get("/pemantauan/").context["trend"]
    assert len(trend.days) == 10
    day = {d.day: d for d in trend.days}
    assert day[today].collected == 6 and day[today].approved == 3
    assert day[today].collected_total == 6 and trend.days[-1].approved_total == 3
    assert trend.days[0].collected == 0
    assert trend.days[-1].plan_total == pytest.approx(10) and trend.days[0].plan_total == pytest.approx(1)


def test_families_outside_the_fieldwork_period_are_counted_apart(client, bps_admin, fieldwork, settings):
    settings.FIELDWORK_START, settings.FIELDWORK_END = "2022-10-15", "2022-11-14"
    client.force_login(bps_admin)
    response = client.get("/pemantauan/")
    trend = response.context["trend"]
    assert trend.collected_after == 6 and trend.approved_after == 3
    assert trend.days[-1].collected_total == 0
    assert "Setelah periode: 6 terkumpul, 3 disetujui" in response.content.decode()


def test_the_chart_scales_to_the_largest_running_total():
    days = [progress.Day(dt.date(2022, 10, 15 + i), 10, 5, 10 * (i + 1), 5 * (i + 1), 8.0 * (i + 1)) for i in range(3)]
    trend = progress.Trend(dt.date(2022, 10, 15), dt.date(2022, 10, 17), 24, days, 0, 0, 0, 0)
    chart = charts.trend_chart(trend)
    assert chart.y_ticks[-1].label == "50"  # 30 collected at most, shown on a scale up to 50
    first, last = chart.collected.split()[0], chart.collected.split()[-1]
    assert float(first.split(",")[1]) > float(last.split(",")[1])  # rising line: smaller y
    assert len(chart.bars) == 3
