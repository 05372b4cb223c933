"""Synthetic families placed and dated for the monitoring demo, and copied for its benchmark."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from enumeration.models import SLS
from enumeration.synthetic import synthetic_generate
from geotag.models import Geotag
from households.models import Family, Member, PrelistFamily
from households.synthetic import families_copy_into_empty_sls, families_generate, families_place_in_fieldwork

pytestmark = pytest.mark.django_db

START, END = dt.date(2022, 10, 15), dt.date(2022, 11, 14)


def test_families_get_a_geotag_in_their_kelurahan_and_dates_in_the_period():
    synthetic_generate(families=300, seed=3)
    made = families_generate(families_per_sls=2, seed=3)
    assert families_place_in_fieldwork(start=START, end=END) == 2 * made  # placed, then dated
    assert Geotag.objects.count() == made
    assert not Family.objects.filter(geotag__isnull=True).exists()
    # Each point lies within (about 170 m of) its kelurahan: jitter around an anchor drawn inside it.
    outside = Family.objects.extra(
        where=[
            "NOT EXISTS (SELECT 1 FROM geotag_geotag g JOIN enumeration_sls s ON s.id = g.sls_id "
            "JOIN enumeration_kelurahan k ON k.bps_code = s.kelurahan_id WHERE g.id = households_family.geotag_id "
            "AND ST_DWithin(g.location, k.boundary::geography, 200))"
        ]
    )
    assert not outside.exists()
    tz = timezone.get_default_timezone()
    days = {f.created_at.astimezone(tz).date() for f in Family.objects.all()}
    assert min(days) >= START and max(days) <= END and len(days) > 5
    for family in Family.objects.filter(status__in=["approved", "returned"]):
        assert family.reviewed_at is not None and family.reviewed_at > family.created_at
    geotags = dict(Family.objects.values_list("pk", "geotag_id"))
    dates = dict(Family.objects.values_list("pk", "created_at"))
    assert families_place_in_fieldwork(start=START, end=END) == 0  # again: nothing changes
    assert dict(Family.objects.values_list("pk", "geotag_id")) == geotags
    assert dict(Family.objects.values_list("pk", "created_at")) == dates
    with pytest.raises(ValueError, match="ends before"):
        families_place_in_fieldwork(start=END, end=START)


def test_benchmark_copies_fill_every_empty_sls_with_members_and_vk1_rows():
    synthetic_generate(families=400, seed=3)
    made = families_generate(families_per_sls=2, seed=3, max_sls=5)
    assert made == 10
    members = Member.objects.count()
    sls_count = SLS.objects.count()
    added = families_copy_into_empty_sls()
    assert added == 2 * (sls_count - 5)
    assert Family.objects.count() == PrelistFamily.objects.count() == 2 * sls_count
    per_sls = Family.objects.values("sls_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_sls} == {2} and len(per_sls) == sls_count
    assert Member.objects.count() > members
    assert not Family.objects.filter(members__isnull=True).exists()
    # A copy belongs to its SLS's PPL, with a fresh UUID.
    copy = Family.objects.exclude(sls_id__in=Family.objects.order_by("pk").values("sls_id")[:10]).first()
    assert copy is not None
    assert copy.created_by_id == copy.sls.assignments.get(ended_at__isnull=True).ppl_id
    assert Family.objects.values("client_uuid").distinct().count() == Family.objects.count()
    assert families_copy_into_empty_sls() == 0
