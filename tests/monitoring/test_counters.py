"""The counters kept per SLS by the database's triggers equal a fresh count after every kind of change:
pushes, edits, reviews, returns, resubmissions, moves to another SLS, deletions, geotags, VK1 rows."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from enumeration.models import SLS
from fieldapp import sync
from geotag.models import Geotag
from households import services
from households.models import Family, PrelistFamily, PrelistStatus
from monitoring import progress
from monitoring.models import SLSFamilyCount, SLSFamilyDay
from tests.households.factories import create_family, record_for
from tests.monitoring.conftest import POINT_A, POINT_B, _geotag

pytestmark = pytest.mark.django_db


def _assert_counters_equal_fresh() -> None:
    every = SLS.objects.all()
    assert progress.sls_counts(sls_qs=every) == progress.sls_counts_fresh(sls_qs=every)
    assert progress.trend_days(sls_qs=every) == progress.trend_days_fresh(sls_qs=every)
    # The centroid sums: the mean of each SLS's geotags, per status.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT f.sls_id, f.status, count(g.id), coalesce(sum(ST_X(g.location::geometry)), 0), "
            "coalesce(sum(ST_Y(g.location::geometry)), 0) FROM households_family f "
            "LEFT JOIN geotag_geotag g ON g.id = f.geotag_id GROUP BY 1, 2"
        )
        fresh = {(sls_id, status): (n, x, y) for sls_id, status, n, x, y in cursor.fetchall()}
    kept = {
        (c.sls_id, c.status): (c.geotagged, c.sum_lon, c.sum_lat) for c in SLSFamilyCount.objects.filter(families__gt=0)
    }
    assert kept.keys() == fresh.keys()
    for key, (n, x, y) in fresh.items():
        assert kept[key][0] == n
        assert kept[key][1] == pytest.approx(x, abs=1e-9) and kept[key][2] == pytest.approx(y, abs=1e-9)
    # Nothing left over: a counter that no family backs is zero.
    assert not SLSFamilyCount.objects.exclude(families__gt=0).exclude(families=0).exists()
    assert not SLSFamilyDay.objects.filter(collected__lt=0).exists()


def test_the_counters_equal_a_fresh_count_through_the_life_of_families(
    petugas, teammate, other_petugas, supervisor, field
):
    own1, own2, team, other = field["own1"], field["own2"], field["team"], field["other"]
    a = create_family(petugas, own1)
    b = create_family(petugas, own1, record_for(own1, r109="002"))
    c = create_family(teammate, team)
    d = create_family(other_petugas, other)
    _assert_counters_equal_fresh()
    assert progress.sls_counts(sls_qs=SLS.objects.filter(pk=own1.pk))[own1.pk].collected == 2

    # An edit of the answers (a second push of the same family) moves no counter.
    before = list(SLSFamilyCount.objects.order_by("pk").values_list("pk", "families"))
    a = services.family_save(
        user=petugas,
        sls=own1,
        client_uuid=a.client_uuid,
        record=record_for(own1, r108="BUDI"),
        base_revision=a.revision,
    ).family
    assert list(SLSFamilyCount.objects.order_by("pk").values_list("pk", "families")) == before
    _assert_counters_equal_fresh()

    # Geotags, one of them flagged; a review, a return, a resubmission and an approval.
    _geotag(a, petugas, *POINT_A)
    _geotag(b, petugas, POINT_A[0] + 0.001, POINT_A[1], flagged=True)
    _geotag(d, other_petugas, *POINT_B)
    _assert_counters_equal_fresh()
    a.refresh_from_db()
    b.refresh_from_db()
    services.family_approve(user=supervisor, family=a)
    services.family_return(user=supervisor, family=b, comment="Cek umur anggota 2")
    _assert_counters_equal_fresh()
    b.refresh_from_db()
    services.family_resubmit(user=petugas, family=b)
    _assert_counters_equal_fresh()
    b.refresh_from_db()
    services.family_approve(user=supervisor, family=b)
    _assert_counters_equal_fresh()
    day = timezone.localdate()
    assert progress.trend_days(sls_qs=SLS.objects.all())[1] == {day: 2}

    # An approval on another day, a family moved to another SLS, one arriving earlier.
    Family.objects.filter(pk=a.pk).update(reviewed_at=timezone.now() - dt.timedelta(days=3))
    Family.objects.filter(pk=b.pk).update(sls=own2)
    Family.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    _assert_counters_equal_fresh()
    assert progress.sls_counts(sls_qs=SLS.objects.filter(pk=own2.pk))[own2.pk].approved == 1

    # A geotag's point moved by hand: the centroid follows.
    Geotag.objects.filter(families__pk=d.pk).update(location="SRID=4326;POINT(106.7 -6.3)")
    _assert_counters_equal_fresh()

    # Deletions, one statement for several families.
    Family.objects.filter(pk__in=[a.pk, c.pk]).delete()
    _assert_counters_equal_fresh()
    assert progress.sls_counts(sls_qs=SLS.objects.filter(pk=own1.pk)).get(own1.pk, progress.Counts()).collected == 0


def test_the_vk1_counters_follow_every_row(petugas, field):
    own1 = field["own1"]
    rows = [PrelistFamily.objects.create(sls=own1, line_no=i + 1, head_name=f"KK {i}") for i in range(4)]
    _assert_counters_equal_fresh()
    services.prelist_set_status(user=petugas, row=rows[0], status=PrelistStatus.MOVED)
    services.prelist_set_status(user=petugas, row=rows[1], status=PrelistStatus.DECEASED)
    new = services.prelist_add_new(user=petugas, sls=own1, head_name="KK BARU")
    _assert_counters_equal_fresh()
    counts = progress.sls_counts(sls_qs=SLS.objects.filter(pk=own1.pk))[own1.pk]
    assert (counts.target, counts.closed) == (5, 2)
    PrelistFamily.objects.filter(pk=rows[1].pk).update(sls=field["own2"])
    PrelistFamily.objects.filter(pk__in=[rows[2].pk, new.pk]).delete()
    _assert_counters_equal_fresh()
    counts = progress.sls_counts(sls_qs=SLS.objects.filter(pk=own1.pk))[own1.pk]
    assert (counts.target, counts.closed) == (2, 1)


def test_the_low_zoom_map_clusters_each_sls_at_its_centroid(client, bps_admin, fieldwork):
    client.force_login(bps_admin)
    wide = "106.5,-6.5,106.9,-6.1"
    data = client.get("/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 11, "bbox": wide}).json()
    assert data["kind"] == "clusters"
    by_count = {f["properties"]["count"]: f for f in data["features"]}
    # The five geotags near POINT_A (one flagged) and the one at POINT_B.
    assert set(by_count) == {5, 1}
    near_a = by_count[5]
    assert near_a["geometry"]["coordinates"] == pytest.approx([POINT_A[0] + 0.0002, POINT_A[1]], abs=1e-6)
    assert near_a["properties"]["flagged"] == 1
    assert by_count[1]["geometry"]["coordinates"] == pytest.approx(list(POINT_B), abs=1e-6)
    # A viewport that holds neither centroid has no cluster.
    empty = client.get(
        "/pemantauan/peta/titik.json", {"level": "kota", "key": "", "zoom": 14, "bbox": "106.0,-6.0,106.1,-5.9"}
    ).json()
    assert empty["features"] == []


def test_the_counters_follow_a_batch_push_with_geotags(petugas, field):
    """The sync push writes its new families with one COPY per batch: the triggers count them too."""
    own1 = field["own1"]
    items = []
    for n in range(6):
        building = f"{100 + n:03d}"
        point = {
            "client_uuid": str(uuid.uuid4()),
            "latitude": -6.3445 + n * 1e-4,
            "longitude": 106.6528,
            "accuracy_m": 8.0,
            "captured_at": (timezone.now() - dt.timedelta(minutes=10 - n)).isoformat(),
            "provider": "gps",
            "building_no": building,
        }
        items.append(
            {
                "client_uuid": str(uuid.uuid4()),
                "sls": own1.pk,
                "base_revision": None,
                "record": record_for(own1, r109=building),
            }
            | {"geotag": point}
        )
    results = sync.sync_push(user=petugas, device=None, items=items)
    assert {r["result"] for r in results} == {"created"}
    _assert_counters_equal_fresh()
    kept = SLSFamilyCount.objects.get(sls=own1, families__gt=0)
    assert (kept.families, kept.geotagged) == (6, 6)
    assert kept.sum_lat / kept.geotagged == pytest.approx(-6.3445 + 2.5e-4)


def test_the_grouped_rows_equal_the_sum_of_their_sls_when_nothing_is_confirmed(client, bps_admin, petugas, field):
    create_family(petugas, field["own1"])
    create_family(petugas, field["own2"], record_for(field["own2"], r109="002"))
    client.force_login(bps_admin)
    kota = client.get("/pemantauan/").context["progress"]
    by_ppl = client.get("/pemantauan/?by=ppl").context["progress"]
    assert kota.total.collected == by_ppl.total.collected == 2
    assert kota.total.sls_confirmed == 0 and kota.total.sls == SLS.objects.count()
    mine = next(r for r in by_ppl.rows if r.key == str(petugas.pk))
    assert (mine.counts.collected, mine.counts.sls) == (2, 2)
