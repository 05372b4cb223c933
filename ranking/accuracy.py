"""Targeting accuracy: who is poor, who is selected, and the three error rates.

Pure functions over numpy arrays (no database). The definitions are those of Alatas et al. (2012),
Table 3 (docs/ranking.md, "Accuracy"):

- poor: in the bottom `share` of per-capita consumption of the reference population;
- mistargeting: share of households that are poor and not selected, or selected and not poor;
- inclusion error: non-poor selected / non-poor;
- exclusion error: poor not selected / poor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

# Alatas et al. (2012): 35.25 % of households were below the PPP$2 a day line.
POOR_SHARE: Final = 0.3525

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TargetingErrors:
    households: int
    poor: int
    selected: int
    mistargeting: float
    inclusion_error: float
    exclusion_error: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def poverty_line(consumption: FloatArray, *, share: float = POOR_SHARE) -> float:
    """The consumption below which `share` of the households fall (the `share` quantile)."""
    values = consumption[~np.isnan(consumption)]
    if values.size == 0:
        raise ValueError("no consumption values")
    return float(np.quantile(values, share))


def poor_flags(consumption: FloatArray, *, line: float) -> BoolArray:
    """Poor: consumption strictly below the line."""
    return np.asarray(consumption < line, dtype=np.bool_)


def targeting_errors(*, poor: BoolArray, selected: BoolArray) -> TargetingErrors:
    """The error rates of a selection. Raises ValueError on mismatched or degenerate input."""
    if poor.shape != selected.shape or poor.ndim != 1:
        raise ValueError("poor and selected must be 1-d arrays of the same length")
    n_poor = int(poor.sum())
    n_non_poor = int(poor.size - n_poor)
    if n_poor == 0 or n_non_poor == 0:
        raise ValueError("both poor and non-poor households are needed")
    included = int((selected & ~poor).sum())
    excluded = int((poor & ~selected).sum())
    return TargetingErrors(
        households=int(poor.size),
        poor=n_poor,
        selected=int(selected.sum()),
        mistargeting=(included + excluded) / poor.size,
        inclusion_error=included / n_non_poor,
        exclusion_error=excluded / n_poor,
    )


def _lowest(scores: FloatArray, count: int) -> IntArray:
    # Stable: equal scores keep the input order, so a selection is reproducible.
    return np.argsort(scores, kind="stable")[: max(count, 0)].astype(np.int64)


def select_lowest(scores: FloatArray, *, count: int) -> BoolArray:
    """The `count` households with the lowest scores (a city-wide ranking)."""
    selected = np.zeros(scores.shape, dtype=np.bool_)
    selected[_lowest(scores, count)] = True
    return selected


def select_share(scores: FloatArray, *, share: float) -> BoolArray:
    """The lowest-scored `share` of the households (rounded to the nearest household)."""
    return select_lowest(scores, count=round(share * scores.size))


def select_lowest_per_group(scores: FloatArray, *, groups: IntArray, counts: Mapping[int, int]) -> BoolArray:
    """In each group (e.g. a village), its `counts[group]` lowest-scored households (0 if absent)."""
    selected = np.zeros(scores.shape, dtype=np.bool_)
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        chosen = members[_lowest(scores[members], counts.get(int(group), 0))]
        selected[chosen] = True
    return selected


def counts_per_group(*, groups: IntArray, selected: BoolArray) -> dict[int, int]:
    """How many households each group selected."""
    return {int(g): int(selected[groups == g].sum()) for g in np.unique(groups)}
