from __future__ import annotations

import pytest

from enumeration.models import Assignment
from enumeration.services import assignment_assign, assignment_end
from regsosek.errors import ApplicationError, NotAllowedError

pytestmark = pytest.mark.django_db


def test_reassignment_keeps_history(field, petugas, teammate, bps_admin):
    sls = field["own1"]
    first = Assignment.objects.get(sls=sls, ended_at__isnull=True)
    second = assignment_assign(sls=sls, ppl=teammate, by=bps_admin)
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == bps_admin and first.end_reason
    assert second.ppl == teammate and second.is_active
    history = list(Assignment.objects.filter(sls=sls).order_by("started_at"))
    assert [a.ppl for a in history] == [petugas, teammate]
    assert Assignment.objects.filter(sls=sls, ended_at__isnull=True).count() == 1


def test_assigning_the_same_ppl_twice_is_a_no_op(field, petugas, bps_admin):
    before = Assignment.objects.count()
    again = assignment_assign(sls=field["own1"], ppl=petugas, by=bps_admin)
    assert again.is_active and Assignment.objects.count() == before


def test_only_a_ppl_can_be_assigned(field, supervisor, bps_admin):
    with pytest.raises(ApplicationError):
        assignment_assign(sls=field["unassigned"], ppl=supervisor, by=bps_admin)


def test_a_ppl_or_pml_cannot_assign(field, petugas, supervisor, teammate):
    with pytest.raises(NotAllowedError):
        assignment_assign(sls=field["unassigned"], ppl=petugas, by=petugas)
    with pytest.raises(NotAllowedError):
        assignment_assign(sls=field["unassigned"], ppl=teammate, by=supervisor)


def test_a_koseka_assigns_only_in_own_kecamatan(field, koseka, petugas, other_petugas):
    assert assignment_assign(sls=field["unassigned"], ppl=petugas, by=koseka).is_active
    with pytest.raises(NotAllowedError):
        assignment_assign(sls=field["other"], ppl=petugas, by=koseka)


def test_ending_an_assignment_keeps_the_row(field, bps_admin):
    ended = assignment_end(sls=field["own1"], by=bps_admin, reason="PPL mengundurkan diri")
    assert ended is not None and ended.ended_at is not None
    assert Assignment.objects.filter(sls=field["own1"]).count() == 1
    assert assignment_end(sls=field["own1"], by=bps_admin, reason="lagi") is None


def test_the_database_refuses_two_active_ppl_for_one_sls(field, teammate):
    from django.db import IntegrityError
    from django.utils import timezone

    with pytest.raises(IntegrityError):
        Assignment.objects.create(sls=field["own1"], ppl=teammate, started_at=timezone.now())
