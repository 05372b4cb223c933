"""Scoped reads of runs and their rows: BPS admins and Pemkot the kota, a Koseka their kecamatan,
PPL and PML nothing."""

from __future__ import annotations

import pytest

from ranking.selectors import ranked_rows, ranking_run_get, ranking_run_list, run_summary, unranked_rows
from tests.helpers import KEC_A, KEL_A1, KEL_B1
from tests.ranking.factories import floor_model, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(population, bps_admin):
    floor_model()
    return run_now(bps_admin)


@pytest.mark.parametrize(
    ("persona", "ranked", "unranked"),
    [
        ("bps_admin", 12, 2),
        ("pemkot", 12, 2),
        ("koseka", 8, 2),
        ("other_koseka", 4, 0),
        ("supervisor", 0, 0),
        ("petugas", 0, 0),
    ],
)
def test_rows_by_role(request, run, persona, ranked, unranked):
    user = request.getfixturevalue(persona)
    assert ranked_rows(user=user, run=run).count() == ranked
    assert unranked_rows(user=user, run=run).count() == unranked
    assert (ranking_run_get(user=user, run_id=run.pk) is not None) is (ranked > 0)
    assert ranking_run_list(user=user).count() == (1 if ranked else 0)


def test_ranked_rows_of_a_kelurahan_in_sls_then_rank_order(run, koseka):
    rows = list(ranked_rows(user=koseka, run=run, kelurahan=KEL_A1))
    assert {r.kelurahan_id for r in rows} == {KEL_A1}
    keys = [(r.sls.code, r.sls.sub_code, r.rank) for r in rows]
    assert keys == sorted(keys) and len(rows) == 5
    assert ranked_rows(user=koseka, run=run, kelurahan=KEL_B1).count() == 0  # another kecamatan


def test_summary_counts_per_desil_and_group_by_area(run, koseka, bps_admin, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        summary = run_summary(user=bps_admin, run=run)
    assert summary.total.ranked == 12 and summary.total.unranked == 2
    assert summary.total.desil == [2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    assert summary.total.groups == [2, 2, 2, 6]
    assert sum(k.ranked for k in summary.kecamatan) == 12
    assert all(sum(c.ranked for c in k.children) == k.ranked for k in summary.kecamatan)
    mine = run_summary(user=koseka, run=run)
    assert [k.code for k in mine.kecamatan] == [KEC_A] and mine.total.ranked == 8
