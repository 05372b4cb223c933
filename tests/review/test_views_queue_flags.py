"""The queue's flags beside rule warnings: geotag flags, duplicate NIK / No. KK, a required photo
missing, an interview too short; the "has flags" filter; one row query whatever the flags."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from geotag.models import Geotag, GeotagFlag
from households.models import Family
from tests.households.factories import create_family
from tests.review.conftest import named

pytestmark = pytest.mark.django_db


def distinct(record, n: int):
    """The record with its own No. KK and NIKs (the example's, with other sequence numbers)."""
    record["family"]["r114"] = record["family"]["r114"][:12] + f"{n:04d}"
    for i, member in enumerate(record["members"]):
        member["r403"] = member["r403"][:12] + f"{n * 10 + i:04d}"
    return record


def _rows(response) -> dict[str, str]:
    """Head's name -> the row's HTML."""
    body = response.content.decode()
    table = body[body.index("<tbody>") : body.index("</tbody>")]
    rows = {}
    for row in table.split("<tr>")[1:]:
        found = re.search(r'<a href="/review/families/\d+/[^"]*">([^<]*)</a>', row)
        if found:
            rows[found.group(1)] = row
    return rows


@pytest.fixture
def flagged(petugas, field) -> dict[str, Family]:
    own1, own2 = field["own1"], field["own2"]
    made = {
        "CLEAN": create_family(petugas, own1, distinct(named(own1, "CLEAN", "001"), 1)),
        "KK1": create_family(petugas, own1, distinct(named(own1, "KK1", "002"), 2)),
        "KK2": create_family(petugas, own2, distinct(named(own2, "KK2", "003"), 3)),
        "NIK": create_family(petugas, own2, distinct(named(own2, "NIK", "004"), 4)),
        "GEO": create_family(petugas, own1, distinct(named(own1, "GEO", "005"), 5)),
        "PHOTO": create_family(petugas, own1, distinct(named(own1, "PHOTO", "006"), 6)),
        "SHORT": create_family(petugas, own1, distinct(named(own1, "SHORT", "007"), 7)),
    }
    # KK1 and KK2 share a No. KK; NIK's second member has KK1's first member's NIK (hashes stand for
    # the numbers), so KK1 is flagged for both.
    Family.objects.filter(pk=made["KK2"].pk).update(kk_hash=made["KK1"].kk_hash)
    nik = made["KK1"].members.get(line_no=1).nik_hash
    made["NIK"].members.filter(line_no=2).update(nik_hash=nik)
    geotag = Geotag.objects.create(
        client_uuid=uuid.uuid4(),
        sls=own1,
        building_no="005",
        location=Point(106.7, -6.3, srid=4326),
        accuracy_m=80,
        captured_at=timezone.now(),
        provider="gps",
        collected_by=petugas,
    )
    GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.LOW_ACCURACY)
    Family.objects.filter(pk=made["GEO"].pk).update(geotag=geotag)
    Family.objects.filter(pk__in=[f.pk for f in made.values()]).update(photo_required=False)
    Family.objects.filter(pk=made["PHOTO"].pk).update(photo_required=True)
    start = timezone.now() - dt.timedelta(hours=1)
    Family.objects.filter(pk=made["SHORT"].pk).update(
        interview_started_at=start, interview_finished_at=start + dt.timedelta(minutes=4)
    )
    Family.objects.filter(pk=made["CLEAN"].pk).update(
        interview_started_at=start, interview_finished_at=start + dt.timedelta(minutes=25)
    )
    return made


def test_each_row_lists_its_flags(client, supervisor, flagged):
    client.force_login(supervisor)
    rows = _rows(client.get("/review/"))
    assert set(rows) == set(flagged)
    assert "No. KK ganda" in rows["KK1"] and "No. KK ganda" in rows["KK2"]
    assert "NIK ganda" in rows["KK1"] and "NIK ganda" in rows["NIK"] and "NIK ganda" not in rows["KK2"]
    assert "Geotag: Akurasi rendah" in rows["GEO"]
    assert "Foto rumah wajib belum ada" in rows["PHOTO"]
    assert "Wawancara terlalu singkat" in rows["SHORT"]
    assert '<ul class="flags">' not in rows["CLEAN"]


def test_the_has_flags_filter_keeps_flagged_families_and_the_counts_follow(client, supervisor, flagged):
    client.force_login(supervisor)
    response = client.get("/review/", {"flags": "1"})
    assert set(_rows(response)) == set(flagged) - {"CLEAN"}
    assert "6 keluarga" in response.content.decode()
    # A family with only a rule warning has a flag too.
    Family.objects.filter(pk=flagged["CLEAN"].pk).update(
        warnings=[{"variable": "r302", "number": "302", "member_index": None, "message": "x"}]
    )
    assert "CLEAN" in _rows(client.get("/review/", {"flags": "1"}))


def test_the_short_interview_threshold_is_a_setting(client, supervisor, flagged, settings):
    settings.REVIEW_MIN_INTERVIEW_MINUTES = 3
    client.force_login(supervisor)
    assert "Wawancara terlalu singkat" not in _rows(client.get("/review/"))["SHORT"]
    settings.REVIEW_MIN_INTERVIEW_MINUTES = 30
    rows = _rows(client.get("/review/"))
    assert "Wawancara terlalu singkat" in rows["SHORT"] and "Wawancara terlalu singkat" in rows["CLEAN"]


def test_a_family_met_by_a_photo_is_no_longer_flagged(client, supervisor, flagged, settings, tmp_path):
    from tests.review.test_views_family_where import _photo

    settings.MEDIA_ROOT = tmp_path
    _photo(flagged["PHOTO"])
    client.force_login(supervisor)
    assert "Foto rumah wajib belum ada" not in _rows(client.get("/review/"))["PHOTO"]


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_flags_cost_no_query_per_row(client, request, persona, flagged, django_assert_num_queries):
    client.force_login(request.getfixturevalue(persona))
    with django_assert_num_queries(7):
        client.get("/review/", {"flags": "1"})


def test_the_family_page_lists_the_flags(client, supervisor, flagged):
    client.force_login(supervisor)
    body = client.get(f"/review/families/{flagged['KK1'].pk}/").content.decode()
    flags = body[body.index('id="flags-title"') :]
    flags = flags[: flags.index("</section>")]
    assert "NIK ganda" in flags and "No. KK ganda" in flags
