"""Forums of a kelurahan: its SLS, in code order, cut into groups of at most `max_sls`.

Plain Python, no Django: the rule is easy to test on its own. The groups are contiguous in SLS
code order (neighbouring RT meet together, and an SLS's sub-SLS stay next to each other) and as
even as the count allows: 25 SLS at 12 a forum make 9 + 8 + 8, not 12 + 12 + 1, so no forum is
left with one SLS head and the rest of the room waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

DEFAULT_MAX_SLS = 12  # domain.md A6: at most 12 SLS / sub-SLS per forum
MAX_SLS_LIMIT = 40  # an upper bound for the editable maximum: a forum lasts 2-3 hours


def forum_count(sls_count: int, max_sls: int) -> int:
    if max_sls < 1:
        raise ValueError("max_sls must be at least 1")
    return -(-sls_count // max_sls) if sls_count else 0


def group_sls(items: Sequence[T], max_sls: int = DEFAULT_MAX_SLS) -> list[list[T]]:
    """`items` (already in SLS code order) in `forum_count` contiguous groups whose sizes differ by
    at most one, the larger ones first."""
    count = forum_count(len(items), max_sls)
    if count == 0:
        return []
    size, extra = divmod(len(items), count)
    groups: list[list[T]] = []
    start = 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        groups.append(list(items[start:end]))
        start = end
    return groups
