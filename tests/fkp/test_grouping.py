"""Forum grouping: contiguous, even groups of at most `max_sls` SLS (fkp/grouping.py)."""

from __future__ import annotations

import pytest

from fkp.grouping import forum_count, group_sls


def test_twenty_five_sls_at_twelve_make_three_even_forums():
    groups = group_sls(list(range(25)), 12)
    assert [len(g) for g in groups] == [9, 8, 8]
    assert [x for g in groups for x in g] == list(range(25))  # code order kept, nothing lost


@pytest.mark.parametrize(
    ("count", "max_sls", "sizes"),
    [
        (0, 12, []),
        (1, 12, [1]),
        (12, 12, [12]),
        (13, 12, [7, 6]),
        (24, 12, [12, 12]),
        (5, 1, [1] * 5),
        (7, 3, [3, 2, 2]),
    ],
)
def test_groups_never_exceed_the_maximum_and_differ_by_at_most_one(count, max_sls, sizes):
    groups = group_sls(list(range(count)), max_sls)
    assert [len(g) for g in groups] == sizes
    assert len(groups) == forum_count(count, max_sls)
    assert all(len(g) <= max_sls for g in groups)


def test_a_maximum_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        group_sls([1, 2], 0)
