"""Outcomes, proposed families and the re-rank that applies them."""

from __future__ import annotations

import pytest

from enumeration.models import Kelurahan
from fkp import selectors, services
from fkp.models import Decision, Forum, Outcome, ProposedFamily
from ranking.jobs import ranking_run_execute
from ranking.models import RankedFamily, RankingRun, UnrankedFamily
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError
from tests.helpers import KEL_A1, KEL_B1
from tests.ranking.factories import floor_model, run_now

pytestmark = pytest.mark.django_db


def test_a_correction_is_a_new_row_and_the_newest_counts(world, bps_admin, forums):
    forum = forums[0]
    ranked = world.ranked(world.families[0])
    first = services.outcome_record(user=bps_admin, forum=forum, ranked_id=ranked.pk, decision=Decision.AGREED)
    second = services.outcome_record(
        user=bps_admin, forum=forum, ranked_id=ranked.pk, decision=Decision.WELFARE_HIGHER, reason="Punya usaha"
    )
    assert first.pk != second.pk and Outcome.objects.filter(ranked=ranked).count() == 2
    current = selectors.current_outcomes(forum=forum)[ranked.pk]
    assert (current.decision, current.reason, current.recorded_by) == (
        Decision.WELFARE_HIGHER,
        "Punya usaha",
        bps_admin,
    )
    assert [o.decision for o in selectors.outcome_history(forum=forum)] == [Decision.WELFARE_HIGHER, Decision.AGREED]


def test_recording_the_same_decision_twice_adds_nothing(world, bps_admin, forums):
    ranked = world.ranked(world.families[0])
    one = services.outcome_record(user=bps_admin, forum=forums[0], ranked_id=ranked.pk, decision="moved", reason=" x ")
    two = services.outcome_record(user=bps_admin, forum=forums[0], ranked_id=ranked.pk, decision="moved", reason="x")
    assert one.pk == two.pk and Outcome.objects.count() == 1


@pytest.mark.parametrize("decision", [Decision.WELFARE_HIGHER, Decision.WELFARE_LOWER])
def test_a_group_move_needs_a_reason(world, bps_admin, forums, decision):
    with pytest.raises(ApplicationError, match="alasan"):
        services.outcome_record(
            user=bps_admin, forum=forums[0], ranked_id=world.ranked(world.families[0]).pk, decision=decision, reason=" "
        )
    assert not Outcome.objects.exists()


def test_a_family_of_another_forum_or_an_unknown_decision_is_refused(world, bps_admin, forums):
    team_family = world.ranked(world.families[3])  # SLS 0002: forum 2
    with pytest.raises(NotFoundError):
        services.outcome_record(user=bps_admin, forum=forums[0], ranked_id=team_family.pk, decision=Decision.AGREED)
    with pytest.raises(ApplicationError, match="Pilih keputusan"):
        services.outcome_record(user=bps_admin, forum=forums[1], ranked_id=team_family.pk, decision="lost")


@pytest.mark.parametrize("persona", ["pemkot", "koseka"])
def test_readers_cannot_record(world, forums, persona, request):
    with pytest.raises(NotAllowedError):
        services.outcome_record(
            user=request.getfixturevalue(persona),
            forum=forums[0],
            ranked_id=world.ranked(world.families[0]).pk,
            decision=Decision.AGREED,
        )


def test_proposals_are_kept_with_who_and_when_and_withdrawn_not_deleted(world, bps_admin, forums):
    proposal = services.proposal_add(
        user=bps_admin, forum=forums[0], sls_id=world.sls["own1"].pk, head_name=" Warga Baru ", address="Gg. 3"
    )
    assert (proposal.head_name, proposal.recorded_by) == ("Warga Baru", bps_admin)
    with pytest.raises(ApplicationError, match="SLS forum"):
        services.proposal_add(user=bps_admin, forum=forums[0], sls_id=world.sls["team"].pk, head_name="X")
    with pytest.raises(ApplicationError, match="nama"):
        services.proposal_add(user=bps_admin, forum=forums[0], sls_id=world.sls["own1"].pk, head_name="  ")
    services.proposal_withdraw(user=bps_admin, proposal=proposal)
    assert list(selectors.proposal_list(forum=forums[0])) == []
    assert ProposedFamily.objects.get(pk=proposal.pk).withdrawn_by == bps_admin


def test_a_rerank_applies_the_current_outcomes_as_a_new_run(world, bps_admin, forums):
    own1 = forums[0]
    moved, higher, agreed = (world.ranked(world.families[i]) for i in (1, 2, 0))
    services.outcome_record(user=bps_admin, forum=own1, ranked_id=moved.pk, decision=Decision.AGREED)
    services.outcome_record(user=bps_admin, forum=own1, ranked_id=moved.pk, decision=Decision.MOVED)  # correction
    services.outcome_record(
        user=bps_admin, forum=own1, ranked_id=higher.pk, decision=Decision.WELFARE_HIGHER, reason="Anak bekerja"
    )
    services.outcome_record(user=bps_admin, forum=own1, ranked_id=agreed.pk, decision=Decision.AGREED)

    new_run = services.fkp_rerank(user=bps_admin, run=world.run)
    assert new_run.based_on == world.run and new_run.status == "queued"
    adjustments = {a["family_id"]: a for a in new_run.parameters["adjustments"]}
    assert {k: a["action"] for k, a in adjustments.items()} == {
        moved.family_id: "exclude",
        higher.family_id: "welfare_higher",
    }
    # The forum's free text stays in the FKP app: the ranking gets codes only.
    assert "Anak bekerja" not in str(new_run.parameters)

    ranking_run_execute(new_run.pk)
    new_run.refresh_from_db()
    assert new_run.status == "finished"
    assert UnrankedFamily.objects.get(run=new_run, family_id=moved.family_id).reason_code == "excluded_by_fkp"
    assert RankedFamily.objects.get(run=new_run, family_id=higher.family_id).adjustment == "welfare_higher"
    assert RankedFamily.objects.filter(run=new_run).count() == RankedFamily.objects.filter(run=world.run).count() - 1
    assert list(selectors.derived_runs(user=bps_admin, run=world.run)) == [new_run]


def test_a_rerank_without_a_change_is_refused(world, bps_admin, forums):
    services.outcome_record(
        user=bps_admin, forum=forums[0], ranked_id=world.ranked(world.families[0]).pk, decision=Decision.AGREED
    )
    with pytest.raises(ConflictError, match="Belum ada hasil"):
        services.fkp_rerank(user=bps_admin, run=world.run)
    assert RankingRun.objects.count() == 1


def _grouping(run: RankingRun) -> list[tuple[str, int, int, list[str]]]:
    """(kelurahan, number, maximum, SLS codes) of every forum of a run."""
    return [
        (forum.kelurahan_id, forum.number, forum.max_sls, [s.code for s in selectors.forum_sls(forum=forum)])
        for forum in Forum.objects.filter(run=run).order_by("kelurahan_id", "number")
    ]


def test_a_rerank_carries_the_forums_over_and_leaves_the_outcomes_behind(world, bps_admin):
    kel_a1, kel_b1 = Kelurahan.objects.get(pk=KEL_A1), Kelurahan.objects.get(pk=KEL_B1)
    first, second = services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kel_a1, max_sls=2)
    services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kel_b1, max_sls=12)
    # An edited grouping: SLS 0002 (team) moves from forum 1 to forum 2, whose maximum is raised first.
    Forum.objects.filter(pk=second.pk).update(max_sls=3)
    second.refresh_from_db()
    services.forum_sls_move(user=bps_admin, forum=first, sls=world.sls["team"], to_forum=second)
    before = _grouping(world.run)
    assert before[:2] == [(KEL_A1, 1, 2, ["0001"]), (KEL_A1, 2, 3, ["0002", "0004"])]
    deceased = world.ranked(world.families[0])
    services.outcome_record(user=bps_admin, forum=first, ranked_id=deceased.pk, decision=Decision.DECEASED)
    services.proposal_add(user=bps_admin, forum=first, sls_id=world.sls["own1"].pk, head_name="Usulan")

    new_run = services.fkp_rerank(user=bps_admin, run=world.run)
    assert _grouping(new_run) == before
    carried = Forum.objects.filter(run=new_run).order_by("kelurahan_id", "number")
    assert [f.carried_from_id for f in carried] == [
        f.pk for f in Forum.objects.filter(run=world.run).order_by("kelurahan_id", "number")
    ]
    assert not Outcome.objects.filter(forum__run=new_run).exists()
    # The open proposal goes along (still to be visited), in the same SLS of the same forum.
    assert list(ProposedFamily.objects.filter(forum__run=new_run).values_list("forum__number", "sls_id")) == [
        (1, world.sls["own1"].pk)
    ]
    assert Outcome.objects.filter(forum=first).count() == 1  # the old run keeps its history

    ranking_run_execute(new_run.pk)
    new_run.refresh_from_db()
    new_first = carried.get(kelurahan=kel_a1, number=1)
    rows = list(selectors.forum_rows(user=bps_admin, forum=new_first))
    assert {r.sls_code for r in rows} == {"0001"} and len(rows) == 2  # the deceased head's family is gone
    assert selectors.current_outcomes(forum=new_first) == {}
    # The new run's forums are its own: those without outcomes or proposals can be regrouped; the
    # old run's cannot, nor the new run's forums that a proposal was carried to.
    services.forum_group_kelurahan(user=bps_admin, run=new_run, kelurahan=kel_b1, max_sls=1)
    with pytest.raises(ConflictError):
        services.forum_group_kelurahan(user=bps_admin, run=world.run, kelurahan=kel_a1, max_sls=12)
    with pytest.raises(ConflictError):
        services.forum_group_kelurahan(user=bps_admin, run=new_run, kelurahan=kel_a1, max_sls=12)


def test_a_refused_rerank_carries_no_forum(world, bps_admin, forums):
    services.outcome_record(
        user=bps_admin, forum=forums[0], ranked_id=world.ranked(world.families[0]).pk, decision=Decision.DECEASED
    )
    blocking = services.fkp_rerank(user=bps_admin, run=world.run)  # queued: a second start is refused
    with pytest.raises(ApplicationError):
        services.fkp_rerank(user=bps_admin, run=world.run)
    assert RankingRun.objects.filter(based_on=world.run).get() == blocking
    assert Forum.objects.filter(run=blocking).count() == len(forums)
    assert Forum.objects.count() == 2 * len(forums)  # the old run's and the queued re-rank's, nothing more


def test_a_rerank_keeps_the_model_and_cutoffs_of_the_run_the_forums_judged(bps_admin, world):
    # A BPS admin loads another model after the forums met: the forums' corrections are applied to
    # the ranking they judged (its model and welfare-group cut-offs), not to another model's.
    base = run_now(bps_admin, group_max_desil=(1, 3, 5))
    forum = services.forum_group_kelurahan(
        user=bps_admin, run=base, kelurahan=Kelurahan.objects.get(pk=KEL_A1), max_sls=1
    )[0]
    newer = floor_model("uji-model-baru")
    assert newer.pk != base.model_id
    family = next(f for f in world.families if f.sls_id == forum.memberships.get().sls_id)
    ranked = RankedFamily.objects.get(run=base, family_id=family.pk)
    services.outcome_record(user=bps_admin, forum=forum, ranked_id=ranked.pk, decision=Decision.MOVED)

    new_run = services.fkp_rerank(user=bps_admin, run=base)

    assert new_run.model_id == base.model_id
    assert new_run.parameters["group_max_desil"] == [1, 3, 5]
