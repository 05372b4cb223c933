"""The quality report: figures per PPL and per SLS, the lists behind them, outliers, scope."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from enumeration.models import Device
from households.models import Family
from monitoring import quality
from photos.models import Photo
from tests.households.factories import create_family, record_for

pytestmark = pytest.mark.django_db


def interview(family: Family, minutes: float | None, *, day: dt.datetime | None = None) -> None:
    end = day or timezone.now() - dt.timedelta(hours=2)
    start = None if minutes is None else end - dt.timedelta(minutes=minutes)
    Family.objects.filter(pk=family.pk).update(interview_started_at=start, interview_finished_at=end)


def by_key(rows):
    return {row.key: row for row in rows}


def test_per_ppl_figures_and_outliers(supervisor, petugas, teammate, families, field, settings):
    settings.QUALITY_SHORT_INTERVIEW_MINUTES = 10
    interview(families["own1"], 4)
    interview(families["own2"], 30)
    interview(families["team"], None)
    Family.objects.update(warnings=[])
    Family.objects.filter(pk=families["own2"].pk).update(
        warnings=[{"variable": "r303", "number": "303", "check": "x", "message": "m"}] * 2
    )
    Device.objects.create(id="00000000-0000-0000-0000-000000000001", user=petugas, last_seen_at=timezone.now())
    rows = by_key(quality.quality_by_ppl(user=supervisor))
    assert set(rows) == {petugas.pk, teammate.pk}
    mine = rows[petugas.pk]
    assert (mine.families, mine.warnings, mine.counts["warnings"]) == (2, 2, 1)
    assert mine.median_minutes == 17.0 and mine.shortest_minutes == 4.0
    assert mine.counts["short_interview"] == 1 and mine.counts["unknown_duration"] == 0
    assert "shortest" in mine.outliers and "median" not in mine.outliers
    assert mine.days_since_sync == 0 and "sync" not in mine.outliers
    team = rows[teammate.pk]
    assert team.median_minutes is None and team.counts["unknown_duration"] == 1
    assert "sync" in team.outliers  # never synced
    assert team.counts["low_accuracy"] == 1 and "low_accuracy" in team.outliers


def test_families_per_day_over_the_threshold_is_an_outlier(supervisor, petugas, field, families, settings):
    settings.QUALITY_MAX_FAMILIES_PER_DAY = 2
    day = timezone.now() - dt.timedelta(days=1)
    extra = [create_family(petugas, field["own1"], record_for(field["own1"], r109=f"00{i}")) for i in (2, 3)]
    for family in [families["own1"], families["own2"], *extra]:
        interview(family, 20, day=day)
    mine = by_key(quality.quality_by_ppl(user=supervisor))[petugas.pk]
    assert mine.families == 4 and mine.days == 1 and mine.max_per_day == 4 and mine.per_day == 4.0
    assert "per_day" in mine.outliers


def test_duplicate_kk_and_nik_are_counted_and_listed(bps_admin, petugas, field, families):
    copy = record_for(field["own2"], r109="009", r114="3674070101200001")
    copy["members"][0]["r403"] = "3674071503800001"
    twin = create_family(petugas, field["own2"], copy)
    # Every family but own1 and the twin shares the example record's No. KK and NIKs.
    shared = Family.objects.exclude(pk__in=[families["own1"].pk, twin.pk]).values_list("kk_hash", flat=True)
    assert len(set(shared)) == 1
    rows = by_key(quality.quality_by_sls(user=bps_admin))
    assert rows[field["own1"].pk].counts["dup_kk"] == 1 and rows[field["own2"].pk].counts["dup_kk"] == 2
    assert rows[field["own1"].pk].counts["dup_nik"] == 1
    listed, total = quality.quality_family_list(
        user=bps_admin, filters=quality.ListFilter(check="dup_kk", sls_id=field["own1"].pk)
    )
    assert [f.pk for f in listed] == [families["own1"].pk] and total == 1
    Family.objects.filter(pk=twin.pk).delete()
    rows = by_key(quality.quality_by_sls(user=bps_admin))
    assert rows[field["own1"].pk].counts["dup_kk"] == 0


def test_photo_required_but_missing(supervisor, petugas, families):
    Family.objects.update(photo_required=False)
    Family.objects.filter(pk__in=[families["own1"].pk, families["own2"].pk]).update(photo_required=True)
    Photo.objects.create(
        client_uuid=uuid.uuid4(), family=families["own2"], sha256="0" * 64, size_bytes=1,
        status=Photo.Status.READY, uploaded_by=petugas,
    )  # fmt: skip
    listed, total = quality.quality_family_list(user=supervisor, filters=quality.ListFilter(check="photo_missing"))
    assert [f.pk for f in listed] == [families["own1"].pk] and total == 1


def test_lists_and_tables_keep_to_the_scope(other_supervisor, supervisor, families, field):
    rows = quality.quality_by_sls(user=other_supervisor)
    assert [r.key for r in rows] == [field["other"].pk]
    listed, _ = quality.quality_family_list(user=supervisor, filters=quality.ListFilter(check="low_accuracy"))
    assert [f.pk for f in listed] == [families["team"].pk]
    listed, total = quality.quality_family_list(
        user=supervisor, filters=quality.ListFilter(check="low_accuracy", sls_id=field["other"].pk)
    )
    assert listed == [] and total == 0


@pytest.mark.parametrize("persona", ["petugas", "pemkot"])
def test_ppl_and_pemkot_get_403(client, request, families, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/pemantauan/kualitas/").status_code == 403
    assert client.get("/pemantauan/kualitas/warnings/").status_code == 403


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_supervisors_open_the_report_and_every_list(client, request, families, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/pemantauan/kualitas/")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    for check in quality.CHECKS:
        assert client.get(f"/pemantauan/kualitas/{check}/").status_code == 200, check
    assert client.get("/pemantauan/kualitas/nope/").status_code == 404


def test_a_count_links_to_its_list(client, supervisor, teammate, families):
    client.force_login(supervisor)
    page = client.get("/pemantauan/kualitas/").content.decode()
    assert f'/pemantauan/kualitas/low_accuracy/?ppl={teammate.pk}"' in page
    listed = client.get(f"/pemantauan/kualitas/low_accuracy/?ppl={teammate.pk}").content.decode()
    assert f"/review/families/{families['team'].pk}/" in listed
