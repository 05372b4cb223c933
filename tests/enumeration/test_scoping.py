"""Each role sees exactly its areas and staff (enumeration.scoping)."""

from __future__ import annotations

import pytest

from enumeration import scoping
from enumeration.models import Kelurahan, Role, User
from tests.helpers import KEC_A, KEL_A1, KEL_A2, make_user

pytestmark = pytest.mark.django_db


def names(qs) -> set[str]:  # type: ignore[no-untyped-def]
    return {s.full_code[-6:] + "@" + s.kelurahan_id for s in qs}


def test_ppl_sees_only_own_sls(petugas, field):
    assert set(scoping.visible_sls(petugas)) == {field["own1"], field["own2"]}


def test_pml_sees_the_sls_of_the_whole_team(supervisor, field):
    assert set(scoping.visible_sls(supervisor)) == {field["own1"], field["own2"], field["team"]}


def test_koseka_sees_every_sls_of_the_kecamatan_including_unassigned(koseka, field):
    assert set(scoping.visible_sls(koseka)) == {
        field["own1"],
        field["own2"],
        field["team"],
        field["unassigned"],
    }


def test_bps_admin_sees_all(bps_admin, field):
    assert set(scoping.visible_sls(bps_admin)) == set(field.values())


def test_other_kecamatan_is_invisible(other_petugas, other_koseka, field):
    assert set(scoping.visible_sls(other_petugas)) == {field["other"]}
    assert set(scoping.visible_sls(other_koseka)) == {field["other"]}


def test_kelurahan_and_kecamatan_follow_the_sls(petugas, koseka, bps_admin, field):
    assert set(scoping.visible_kelurahan(petugas).values_list("bps_code", flat=True)) == {KEL_A1, KEL_A2}
    assert scoping.visible_kelurahan(koseka).count() == Kelurahan.objects.filter(kecamatan_id=KEC_A).count()
    assert scoping.visible_kelurahan(bps_admin).count() == 54
    assert list(scoping.visible_kecamatan(petugas).values_list("bps_code", flat=True)) == [KEC_A]


def test_staff_visibility_per_role(petugas, teammate, supervisor, koseka, other_petugas, other_supervisor, bps_admin):
    assert set(scoping.visible_staff(petugas)) == {petugas}
    assert set(scoping.visible_staff(supervisor)) == {supervisor, petugas, teammate}
    assert set(scoping.visible_staff(koseka)) == {koseka, supervisor, petugas, teammate}
    assert set(scoping.visible_staff(bps_admin)) >= {
        koseka,
        supervisor,
        petugas,
        other_petugas,
        other_supervisor,
    }


def test_pemkot_sees_areas_but_no_staff(pemkot, field, petugas):
    assert set(scoping.visible_staff(pemkot)) == {pemkot}
    assert scoping.visible_kelurahan(pemkot).count() == 54


def test_inactive_or_anonymous_users_see_nothing(petugas, field):
    from django.contrib.auth.models import AnonymousUser

    User.objects.filter(pk=petugas.pk).update(is_active=False)
    petugas.refresh_from_db()
    assert not scoping.visible_sls(petugas).exists()
    assert not scoping.visible_sls(AnonymousUser()).exists()  # type: ignore[arg-type]
    assert not scoping.visible_staff(AnonymousUser()).exists()  # type: ignore[arg-type]


def test_a_ppl_loses_an_sls_when_it_is_reassigned(petugas, teammate, field, bps_admin):
    from enumeration.services import assignment_assign

    assignment_assign(sls=field["own1"], ppl=teammate, by=bps_admin)
    assert set(scoping.visible_sls(petugas)) == {field["own2"]}
    assert field["own1"] in set(scoping.visible_sls(teammate))


def test_a_koseka_without_kecamatan_cannot_exist(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_user("koseka.x", Role.KOSEKA)
