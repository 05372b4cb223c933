"""Outcomes, proposed families and the re-rank that applies them."""

from __future__ import annotations

import pytest

from fkp import selectors, services
from fkp.models import Decision, Outcome, ProposedFamily
from ranking.jobs import ranking_run_execute
from ranking.models import RankedFamily, RankingRun, UnrankedFamily
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError, NotFoundError

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
