"""The queue's "has flags" as one set (`review.flags.flagged_family_ids`, used for a Koseka's
kecamatan and a BPS admin's city) against the per-row definition (`review.flags.has_flags`, used
for a PML's team): the same families for each flag kind, as each appears and as each goes away."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from geotag.models import GeotagFlag
from households import conflicts
from households.models import Family, FamilyConflict, Member
from photos.models import Photo
from review import flags
from review.selectors import QueueFilters, review_queue_counts, review_queue_qs
from tests.review.test_views_family_where import _photo
from tests.review.test_views_queue_flags import flagged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

WARNING = [{"variable": "r302", "number": "302", "member_index": None, "message": "x"}]


def _flagged_heads() -> set[str]:
    """The heads of the flagged families, after checking both definitions agree on the ids."""
    by_row = set(Family.objects.filter(flags.has_flags()).values_list("pk", flat=True))
    as_set = set(Family.objects.filter(pk__in=flags.flagged_family_ids()).values_list("pk", flat=True))
    assert as_set == by_row
    return set(Family.objects.filter(pk__in=as_set).values_list("head_name", flat=True))


def _update(family: Family, **values) -> None:
    Family.objects.filter(pk=family.pk).update(**values)


ALL = {"KK1", "KK2", "NIK", "GEO", "PHOTO", "SHORT"}


@pytest.fixture(autouse=True)
def _no_rule_warnings(flagged):  # noqa: F811
    """The names with digits (KK1, KK2) break a naming rule: each test sets warnings itself."""
    Family.objects.update(warnings=[])


def test_rule_warnings_and_geotag_flags(flagged):  # noqa: F811
    assert _flagged_heads() == ALL
    _update(flagged["CLEAN"], warnings=WARNING)
    assert _flagged_heads() == ALL | {"CLEAN"}
    _update(flagged["CLEAN"], warnings=[])
    assert _flagged_heads() == ALL
    geotag = Family.objects.get(pk=flagged["GEO"].pk).geotag
    assert geotag is not None
    GeotagFlag.objects.filter(geotag=geotag).delete()
    assert _flagged_heads() == ALL - {"GEO"}
    GeotagFlag.objects.create(geotag=geotag, kind=GeotagFlag.Kind.SHARED_POINT)
    _update(flagged["CLEAN"], geotag=geotag)
    assert _flagged_heads() == ALL | {"CLEAN"}
    _update(flagged["GEO"], geotag=None)
    assert _flagged_heads() == (ALL - {"GEO"}) | {"CLEAN"}


def test_duplicate_nik_appears_and_goes_away_with_another_family(flagged):  # noqa: F811
    nik_member = flagged["NIK"].members.get(line_no=2)
    shared = nik_member.nik_hash
    # Another family's member takes the same NIK: a third holder.
    flagged["CLEAN"].members.filter(line_no=1).update(nik_hash=shared)
    assert _flagged_heads() == ALL | {"CLEAN"}
    flagged["CLEAN"].members.filter(line_no=1).update(nik_hash="c" * 64)
    # The NIK family's member gets their own NIK: NIK is clean, KK1 keeps its No. KK flag.
    Member.objects.filter(pk=nik_member.pk).update(nik_hash="d" * 64)
    assert _flagged_heads() == ALL - {"NIK"}
    # Twice in one family.
    flagged["CLEAN"].members.filter(line_no=2).update(nik_hash="c" * 64)
    assert _flagged_heads() == (ALL - {"NIK"}) | {"CLEAN"}
    # A member removed (the roster rewritten) ends it.
    flagged["CLEAN"].members.filter(line_no=2).delete()
    assert _flagged_heads() == ALL - {"NIK"}
    # Members without a NIK share the empty hash: no flag.
    flagged["CLEAN"].members.update(nik_hash="")
    flagged["NIK"].members.update(nik_hash="")
    assert _flagged_heads() == ALL - {"NIK"}


def test_duplicate_kk_appears_and_goes_away(flagged):  # noqa: F811
    flagged["NIK"].members.filter(line_no=2).update(nik_hash="e" * 64)  # KK1 by its No. KK only
    assert _flagged_heads() == ALL - {"NIK"}
    _update(flagged["KK2"], kk_hash="f" * 64)
    assert _flagged_heads() == ALL - {"NIK", "KK1", "KK2"}
    _update(flagged["CLEAN"], kk_hash="f" * 64)
    assert _flagged_heads() == (ALL - {"NIK", "KK1"}) | {"CLEAN"}
    # Families without a No. KK share the empty hash: no flag.
    Family.objects.filter(pk__in=[flagged["CLEAN"].pk, flagged["KK2"].pk]).update(kk_hash="")
    assert _flagged_heads() == ALL - {"NIK", "KK1", "KK2"}


def test_a_required_photo_until_one_is_ready(flagged, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    _photo(flagged["PHOTO"], status=Photo.Status.RECEIVED)
    _photo(flagged["PHOTO"], status=Photo.Status.REJECTED)
    assert _flagged_heads() == ALL
    ready = _photo(flagged["PHOTO"])
    assert _flagged_heads() == ALL - {"PHOTO"}
    Photo.objects.filter(pk=ready.pk).update(status=Photo.Status.RECEIVED)
    assert _flagged_heads() == ALL
    _update(flagged["PHOTO"], photo_required=False)
    assert _flagged_heads() == ALL - {"PHOTO"}
    _photo(flagged["CLEAN"])  # a photo nobody required flags nothing
    assert _flagged_heads() == ALL - {"PHOTO"}


def test_interview_times_at_the_edges(flagged, settings):  # noqa: F811
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    short = flagged["SHORT"]
    _update(short, interview_finished_at=start + dt.timedelta(minutes=10), interview_started_at=start)
    assert _flagged_heads() == ALL - {"SHORT"}  # exactly the minimum is long enough
    _update(short, interview_finished_at=start + dt.timedelta(minutes=10, microseconds=-1))
    assert _flagged_heads() == ALL
    _update(short, interview_finished_at=start - dt.timedelta(days=3))  # finished before it started
    assert _flagged_heads() == ALL
    _update(short, interview_finished_at=None)
    assert _flagged_heads() == ALL - {"SHORT"}
    _update(short, interview_started_at=None, interview_finished_at=start)
    assert _flagged_heads() == ALL - {"SHORT"}
    _update(short, interview_started_at=start, interview_finished_at=start + dt.timedelta(minutes=4))
    settings.REVIEW_MIN_INTERVIEW_MINUTES = 3
    assert _flagged_heads() == ALL - {"SHORT"}
    settings.REVIEW_MIN_INTERVIEW_MINUTES = 30  # CLEAN's 25 minutes are short now
    assert _flagged_heads() == ALL | {"CLEAN"}
    # Across a day: a 23-hour interview is long, whatever the minimum in minutes.
    settings.REVIEW_MIN_INTERVIEW_MINUTES = 24 * 60
    _update(short, interview_finished_at=start + dt.timedelta(hours=23))
    _update(flagged["CLEAN"], interview_started_at=start, interview_finished_at=start + dt.timedelta(days=1, hours=1))
    assert _flagged_heads() == ALL


def test_an_open_conflict_until_resolved(flagged, petugas):  # noqa: F811
    clean = flagged["CLEAN"]
    conflicts.family_conflict_record(
        family=clean, user=petugas, device=None, reason=FamilyConflict.Reason.CHANGED, base_revision=1
    )
    assert _flagged_heads() == ALL | {"CLEAN"}
    conflicts.family_conflicts_resolve(family_ids=[clean.pk], resolution=FamilyConflict.Resolution.STORED)
    assert _flagged_heads() == ALL
    # One kept for a family not stored yet flags nothing, until that family exists.
    geotag = Family.objects.get(pk=flagged["GEO"].pk).geotag
    assert geotag is not None
    key = uuid.uuid4()
    conflicts.family_conflict_record_pending(family_uuid=key, user=petugas, device=None, geotag=geotag)
    assert _flagged_heads() == ALL
    Family.objects.filter(pk=clean.pk).update(client_uuid=key)
    conflicts.family_conflicts_join(client_uuids=[key])
    assert _flagged_heads() == ALL | {"CLEAN"}


@pytest.mark.parametrize("persona", ["supervisor", "koseka", "bps_admin"])
def test_each_desk_filters_and_counts_the_same_flagged_families(request, persona, flagged, other_family):  # noqa: F811
    user = request.getfixturevalue(persona)
    # Its record is the example's: its own No. KK and NIKs, and a rule warning.
    _update(other_family, warnings=WARNING, kk_hash="a" * 64)
    for member in other_family.members.all():
        Member.objects.filter(pk=member.pk).update(nik_hash=f"{member.pk:064d}")
    filters = QueueFilters(has_flags=True)
    rows = set(review_queue_qs(user=user, filters=filters).values_list("head_name", flat=True))
    expected = ALL | ({"DEDI LAIN"} if persona == "bps_admin" else set())
    assert rows == expected
    counts = review_queue_counts(user=user, filters=filters)
    assert counts["submitted"] == len(expected)
