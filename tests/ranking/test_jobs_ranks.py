"""Ranks, desil, welfare groups and unrankable families of a run, on populations checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ranking.jobs import ntile, rank_families
from ranking.models import RankedFamily, RunStatus, UnrankedFamily
from ranking.services import RankingAdjustment
from tests.helpers import KEL_A1, KEL_A2, KEL_B1
from tests.ranking.factories import floor_model, run_now

pytestmark = pytest.mark.django_db


def test_ntile_matches_sql_sizes():
    # 23 rows in 10 buckets: the first three buckets take 3 rows, the others 2 (as SQL's ntile).
    got = ntile(np.arange(23), 23).tolist()
    assert got == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]
    assert ntile(np.arange(4), 4).tolist() == [1, 2, 3, 4]


def test_rank_families_breaks_ties_by_family_id_and_ranks_within_kelurahan():
    family = np.array([30, 10, 20, 40, 50])
    kelurahan = ["B", "A", "A", "B", "A"]
    score = np.array([1.0, 2.0, 1.0, 1.0, 0.5])
    ranked = rank_families(family, kelurahan, score, group_max_desil=[1, 2, 4], moves={})
    # order: 50 (0.5), then the tie at 1.0 by id: 20, 30, 40, then 10 (2.0)
    assert ranked.rank.tolist() == [3, 5, 2, 4, 1]
    assert [int(family[i]) for i in ranked.order] == [50, 20, 30, 40, 10]
    # kelurahan A: 50, 20, 10; kelurahan B: 30, 40
    assert ranked.rank_kelurahan.tolist() == [1, 3, 2, 2, 1]
    assert ranked.percentile.tolist() == [60.0, 100.0, 40.0, 80.0, 20.0]


def test_adjustments_move_one_desil_within_bounds_and_regroup():
    family = np.arange(1, 11)
    score = np.arange(10, dtype=float)
    ranked = rank_families(
        family,
        ["A"] * 10,
        score,
        group_max_desil=[1, 2, 4],
        moves={1: "welfare_lower", 2: "welfare_lower", 10: "welfare_higher", 5: "welfare_higher"},
    )
    assert ranked.desil.tolist() == [1, 1, 3, 4, 6, 6, 7, 8, 9, 10]
    assert ranked.group.tolist() == [1, 1, 3, 3, 4, 4, 4, 4, 4, 4]
    assert ranked.rank.tolist() == list(range(1, 11))  # rank stays the score's
    assert ranked.adjustment[1] == "welfare_lower" and ranked.adjustment[2] == ""


def test_a_run_ranks_the_approved_families_as_checked_by_hand(
    population, bps_admin, django_capture_on_commit_callbacks
):
    floor_model()
    run = run_now(bps_admin)
    assert run.status == RunStatus.FINISHED
    fam = population["families"]
    rows = {r.family_id: r for r in RankedFamily.objects.filter(run=run)}
    # poorest first: 18, then the three 20s by family id, 30, 33, 45, the two 60s by id, 75, 90, 120
    expected = [fam[11], fam[1], fam[2], fam[6], fam[0], fam[8], fam[4], fam[5], fam[10], fam[7], fam[3], fam[9]]
    assert [rows[f.pk].rank for f in expected] == list(range(1, 13))
    # 12 families in 10 desil: desil 1 and 2 take two families each
    assert [rows[f.pk].desil for f in expected] == [1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert [rows[f.pk].welfare_group for f in expected] == [1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4, 4]
    assert rows[fam[11].pk].score == pytest.approx(9.0)
    assert rows[fam[0].pk].percentile == pytest.approx(500 / 12)
    # kelurahan A1 (own1 + team): 20, 20, 30, 75, 90 by family id on the tie
    assert [rows[f.pk].rank_kelurahan for f in (fam[1], fam[2], fam[0], fam[7], fam[3])] == [1, 2, 3, 4, 5]
    assert {rows[f.pk].kelurahan_id for f in fam[:4]} == {KEL_A1}
    assert rows[fam[4].pk].kelurahan_id == KEL_A2 and rows[fam[8].pk].kelurahan_id == KEL_B1
    # not in scope: the submitted family; unrankable: listed with their reason
    assert population["submitted"].pk not in rows
    unranked = {u.family_id: u for u in UnrankedFamily.objects.filter(run=run)}
    assert unranked.keys() == {population["headless"].pk, population["no_floor"].pk}
    assert unranked[population["headless"].pk].reason_code == "no_head"
    assert unranked[population["no_floor"].pk].reason_code == "missing_answer"
    assert "r302" in unranked[population["no_floor"].pk].reason
    assert run.counts["ranked"] == 12 and run.counts["unranked"] == 2 and run.counts["in_scope"] == 14
    assert run.counts["desil"] == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert run.progress_done == run.progress_total == 14
    assert set(run.timings) >= {"features_s", "rank_s", "write_s", "total_s"}


def test_statuses_and_cutoffs_are_parameters(population, bps_admin):
    floor_model()
    run = run_now(bps_admin, statuses=["approved", "submitted"], group_max_desil=[2, 3, 5])
    assert run.counts["ranked"] == 13
    poorest = RankedFamily.objects.get(run=run, rank=1)
    assert poorest.family_id == population["submitted"].pk
    groups = list(RankedFamily.objects.filter(run=run).order_by("rank").values_list("desil", "welfare_group"))
    assert all(g == (1 if d <= 2 else 2 if d == 3 else 3 if d <= 5 else 4) for d, g in groups)


def test_fkp_adjustments_exclude_and_move(population, bps_admin):
    floor_model()
    first = run_now(bps_admin)
    fam = population["families"]
    rerank = run_now(
        bps_admin,
        based_on=first,
        adjustments=[
            RankingAdjustment(family_id=fam[11].pk, action="exclude", reason="Pindah domisili"),
            RankingAdjustment(family_id=fam[0].pk, action="welfare_higher", reason="Usaha baru"),
        ],
    )
    assert rerank.based_on == first
    assert rerank.parameters["adjustments"][0]["action"] in ("exclude", "welfare_higher")
    excluded = UnrankedFamily.objects.get(run=rerank, family=fam[11])
    assert (excluded.reason_code, excluded.reason) == ("excluded_by_fkp", "Pindah domisili")
    moved = RankedFamily.objects.get(run=rerank, family=fam[0])
    # without fam[11], fam[0] (30 m2) is 4th of 11: desil 3 (ntile), moved up one
    assert (moved.rank, moved.desil, moved.adjustment) == (4, 4, "welfare_higher")
    assert rerank.counts["excluded_by_fkp"] == 1 and rerank.counts["moved_by_fkp"] == 1
