"""The survey file the default model is fitted on (Alatas et al. 2012, `data/alatas2012/`), read
into arrays through the crosswalk. Reading only: nothing here fits or scores.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from ranking.accuracy import BoolArray, FloatArray, IntArray
from ranking.crosswalk import ENTRIES, Entry

DATA_DIR: Final = Path(__file__).resolve().parent / "data" / "alatas2012"
SURVEY_CSV: Final = DATA_DIR / "alatas2012_households.csv"
SURVEY_SHA256: Final = "752c4d1517d568c3b7f6cf64363fd6a3af51a673d3962a39796cdf521abc6d94"


@dataclass(frozen=True)
class Survey:
    """One row per household. `features` holds NaN where the survey has no value."""

    consumption: FloatArray  # per capita per month, thousand rupiah (2008)
    village: IntArray  # `ea`, the experiment's village, 1-640
    pmt_arm: BoolArray  # the village was in the PMT arm
    treated: BoolArray  # the 2008 programme selected the household
    matched: BoolArray  # the household has the survey's characteristics (X) and a consumption
    features: FloatArray  # households x entries
    feature_names: tuple[str, ...]
    sha256: str


def _column(rows: Sequence[dict[str, str]], name: str) -> FloatArray:
    return np.array([float(row[name]) if row[name] != "" else np.nan for row in rows], dtype=np.float64)


def load_survey(path: Path = SURVEY_CSV, entries: Sequence[Entry] = ENTRIES) -> Survey:
    """Read the survey CSV. Raises KeyError if a column the crosswalk names is missing."""
    raw = path.read_bytes()
    rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
    columns: list[FloatArray] = []
    for entry in entries:
        value = sum((_column(rows, name) for name in entry.columns), np.zeros(len(rows)))
        if entry.fill_from is not None:
            value = np.where(np.isnan(value), _column(rows, entry.fill_from), value)
        columns.append(value)
    consumption = _column(rows, "consumption")
    # Households with no characteristics at all were not matched to the survey's X variables.
    matched = ~np.isnan(_column(rows, "hhsize")) & ~np.isnan(consumption)
    return Survey(
        consumption=consumption,
        village=_column(rows, "ea").astype(np.int64),
        pmt_arm=_column(rows, "pmt") == 1,
        treated=_column(rows, "treated") == 1,
        matched=matched,
        features=np.column_stack(columns) if columns else np.empty((len(rows), 0)),
        feature_names=tuple(str(entry.feature["name"]) for entry in entries),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
