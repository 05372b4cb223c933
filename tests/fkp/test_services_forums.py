"""Forums of a kelurahan: grouping, regrouping, moving an SLS, and who may do it."""

from __future__ import annotations

import pytest

from enumeration.models import Kelurahan
from fkp import selectors, services
from fkp.models import Decision, Forum, ForumSLS
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError
from tests.helpers import KEL_A1, KEL_A2

pytestmark = pytest.mark.django_db


def test_grouping_puts_the_ranked_sls_in_code_order_into_forums(world, bps_admin):
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    forums = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=12)
    assert [f.number for f in forums] == [1]
    assert [s.code for s in selectors.forum_sls(forum=forums[0])] == ["0001", "0002", "0004"]
    two = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=2)
    assert [[s.code for s in selectors.forum_sls(forum=f)] for f in two] == [["0001", "0002"], ["0004"]]
    # The unassigned SLS of KEL_A2 has no ranked family, so no forum of KEL_A2 would list it.
    a2 = services.forum_group_kelurahan(
        user=bps_admin, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_A2), max_sls=12
    )
    assert [s.pk for s in selectors.forum_sls(forum=a2[0])] == [world.sls["own2"].pk]


def test_regrouping_replaces_the_forums_until_a_forum_has_outcomes(world, bps_admin, forums):
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    assert len(forums) == 3
    again = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=3)
    assert len(again) == 1 and Forum.objects.filter(run=world.run, kelurahan=kelurahan).count() == 1
    services.outcome_record(
        user=bps_admin, forum=again[0], ranked_id=world.ranked(world.families[0]).pk, decision=Decision.AGREED
    )
    with pytest.raises(ConflictError):
        services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=1)


@pytest.mark.parametrize("max_sls", [0, 41])
def test_a_maximum_outside_the_limits_is_refused(world, bps_admin, max_sls):
    with pytest.raises(ApplicationError, match="antara 1 dan 40"):
        services.forum_group_kelurahan(
            user=bps_admin, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_A1), max_sls=max_sls
        )


@pytest.mark.parametrize("persona", ["pemkot", "koseka", "supervisor", "petugas"])
def test_only_a_bps_admin_groups_forums(world, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowedError):
        services.forum_group_kelurahan(user=user, run=world.run, kelurahan=Kelurahan.objects.get(pk=KEL_A1), max_sls=12)


def test_moving_an_sls_respects_the_maximum_and_never_empties_a_forum(world, bps_admin):
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    first, second = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=2)
    team, extra = world.sls["team"], world.sls["extra"]
    with pytest.raises(ConflictError, match="kosong"):
        services.forum_sls_move(user=bps_admin, forum=second, sls=extra, to_forum=first)
    Forum.objects.filter(pk=second.pk).update(max_sls=1)
    second.refresh_from_db()
    with pytest.raises(ConflictError, match="batas"):
        services.forum_sls_move(user=bps_admin, forum=first, sls=team, to_forum=second)
    Forum.objects.filter(pk=second.pk).update(max_sls=2)
    second.refresh_from_db()
    services.forum_sls_move(user=bps_admin, forum=first, sls=team, to_forum=second)
    assert ForumSLS.objects.get(run=world.run, sls=team).forum_id == second.pk
    assert [s.code for s in selectors.forum_sls(forum=second)] == ["0002", "0004"]


def test_an_sls_with_outcomes_stays_in_its_forum(world, bps_admin):
    kelurahan = Kelurahan.objects.get(pk=KEL_A1)
    first, second = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kelurahan, max_sls=2)
    services.outcome_record(
        user=bps_admin, forum=first, ranked_id=world.ranked(world.families[3]).pk, decision=Decision.AGREED
    )
    with pytest.raises(ConflictError, match="hasil forum"):
        services.forum_sls_move(user=bps_admin, forum=first, sls=world.sls["team"], to_forum=second)


def test_forum_rows_are_ordered_by_sls_then_rank_and_masked(world, bps_admin, forums):
    rows = list(selectors.forum_rows(user=bps_admin, forum=forums[0]))  # SLS 0001: floors 30, 20, 25
    assert [r.ranked_id for r in rows] == [world.ranked(world.families[i]).pk for i in (1, 2, 0)]
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    assert all(r.nik.startswith("•" * 16) and r.kk.startswith("•" * 16) for r in rows)
    assert rows[1].address == "JL. MAWAR NO. 5" and rows[1].sls_code == "0001"
