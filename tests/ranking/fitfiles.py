"""Survey files for the fitting tests: a synthetic one with a known model, and the shipped Alatas
et al. (2012) data written in the upload format."""

from __future__ import annotations

import math

import numpy as np

from ranking.survey import Survey
from ranking.surveyfile import CLUSTER, CONSUMPTION

SYNTHETIC_FEATURES = ("floor_area_per_person", "household_size", "has_car")  # catalogue order


def synthetic_rows(rows: int = 240, clusters: int = 24, seed: int = 7) -> dict[str, np.ndarray]:
    """log consumption = 5 + 0.4 car - 0.12 size + 0.01 floor area per person + noise."""
    rng = np.random.default_rng(seed)
    car = (rng.random(rows) < 0.3).astype(float)
    size = rng.integers(1, 9, rows).astype(float)
    floor = np.round(rng.uniform(4, 40, rows), 1)
    noise = rng.normal(0, 0.3, rows)
    consumption = np.round(np.exp(5 + 0.4 * car - 0.12 * size + 0.01 * floor + noise), 3)
    return {
        "cluster": np.arange(rows) % clusters + 1,
        "consumption": consumption,
        "has_car": car,
        "household_size": size,
        "floor_area_per_person": floor,
    }


def to_csv(columns: dict[str, np.ndarray], *, delimiter: str = ",") -> bytes:
    names = list(columns)
    lines = [delimiter.join(names)]
    for index in range(len(columns[names[0]])):
        cells = []
        for name in names:
            value = columns[name][index]
            if isinstance(value, float | np.floating) and math.isnan(value):
                cells.append("")
            elif isinstance(value, np.integer):
                cells.append(str(int(value)))
            else:
                cells.append(repr(float(value)))
        lines.append(delimiter.join(cells))
    return ("\n".join(lines) + "\n").encode()


def alatas_csv(survey: Survey) -> bytes:
    """The households the default model is fitted on, in the upload format (features by name)."""
    matched = survey.matched
    columns: dict[str, np.ndarray] = {
        CLUSTER: survey.village[matched],
        CONSUMPTION: survey.consumption[matched],
    }
    for index, name in enumerate(survey.feature_names):
        columns[name] = survey.features[matched][:, index]
    return to_csv(columns)
