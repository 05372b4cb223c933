"""Fitting a PMT model: OLS of log per-capita consumption on features, cross-validated by
village, and the accuracy report stored with the model (docs/ranking.md, "Accuracy").

Pure functions over numpy arrays; the database is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from ranking import accuracy
from ranking.accuracy import BoolArray, FloatArray, IntArray
from ranking.survey import Survey

FOLDS: Final = 10
SEED: Final = 2012
CUTOFFS: Final = (0.10, 0.20, 0.30, 0.40)


@dataclass(frozen=True)
class Fit:
    intercept: float
    coefficients: FloatArray
    medians: FloatArray  # stand-ins for missing survey values, from the training rows


def fill_missing(features: FloatArray, medians: FloatArray) -> FloatArray:
    return np.where(np.isnan(features), medians, features)


def fit_ols(features: FloatArray, target: FloatArray) -> Fit:
    """Least squares with an intercept; missing feature values take the column's median."""
    medians = np.nanmedian(features, axis=0)
    design = np.column_stack([np.ones(len(target)), fill_missing(features, medians)])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return Fit(intercept=float(solution[0]), coefficients=solution[1:].astype(np.float64), medians=medians)


def predict(fit: Fit, features: FloatArray) -> FloatArray:
    return np.asarray(fill_missing(features, fit.medians) @ fit.coefficients + fit.intercept, dtype=np.float64)


def group_folds(groups: IntArray, *, folds: int = FOLDS, seed: int = SEED) -> IntArray:
    """A fold number per row; every row of a group (village) lands in the same fold."""
    unique = np.unique(groups)
    order = np.random.default_rng(seed).permutation(unique)
    fold_of = {int(group): index % folds for index, group in enumerate(order)}
    return np.array([fold_of[int(g)] for g in groups], dtype=np.int64)


def cross_validated_predictions(
    features: FloatArray, target: FloatArray, groups: IntArray, *, folds: int = FOLDS, seed: int = SEED
) -> FloatArray:
    """Each row predicted by a model fitted without any row of its group."""
    fold = group_folds(groups, folds=folds, seed=seed)
    predictions = np.full(len(target), np.nan)
    for k in range(folds):
        held_out = fold == k
        predictions[held_out] = predict(fit_ols(features[~held_out], target[~held_out]), features[held_out])
    return predictions


def r_squared(target: FloatArray, predictions: FloatArray) -> float:
    residual = float(((target - predictions) ** 2).sum())
    total = float(((target - target.mean()) ** 2).sum())
    return 1 - residual / total


def _errors(poor: BoolArray, selected: BoolArray) -> dict[str, float | int]:
    found = accuracy.targeting_errors(poor=poor, selected=selected).as_dict()
    return {key: round(value, 4) if isinstance(value, float) else value for key, value in found.items()}


@dataclass(frozen=True)
class Evaluation:
    """The survey's fit and how its cross-validated scores target the PMT arm's poor."""

    fit: Fit
    predictions: FloatArray  # cross-validated, every matched household
    report: dict[str, Any]


def evaluate(survey: Survey, *, folds: int = FOLDS, seed: int = SEED) -> Evaluation:
    """Fit on every matched household of the survey (all arms) and report accuracy on the PMT arm.

    Poor: consumption below the 35.25 % quantile of every household with a consumption (all arms),
    the definition that reproduces the paper's Table 3 (tests/ranking/test_accuracy.py).
    """
    matched = survey.matched
    target = np.log(survey.consumption[matched])
    features = survey.features[matched]
    groups = survey.village[matched]
    fit = fit_ols(features, target)
    predictions = cross_validated_predictions(features, target, groups, folds=folds, seed=seed)
    line = accuracy.poverty_line(survey.consumption)
    in_arm = survey.pmt_arm[matched]
    poor = accuracy.poor_flags(survey.consumption[matched], line=line)[in_arm]
    scores = predictions[in_arm]
    treated = survey.treated[matched][in_arm]
    villages = groups[in_arm]
    per_village = accuracy.counts_per_group(groups=villages, selected=treated)
    report: dict[str, Any] = {
        "households_fitted": int(matched.sum()),
        "villages_fitted": int(np.unique(groups).size),
        "folds": folds,
        "fold_seed": seed,
        "r2_in_sample": round(r_squared(target, predict(fit, features)), 4),
        "r2_cross_validated": round(r_squared(target, predictions), 4),
        "poverty": {
            "share": accuracy.POOR_SHARE,
            "line_thousand_rupiah": round(line, 4),
            "of": "all households with a consumption, all arms",
        },
        "evaluated": {
            "households": int(in_arm.sum()),
            "villages": int(np.unique(villages).size),
            "of": "PMT-arm households with the survey's characteristics",
        },
        "government_2008": _errors(poor, treated),
        "selections": {
            "per_village_as_2008": _errors(
                poor, accuracy.select_lowest_per_group(scores, groups=villages, counts=per_village)
            ),
            "same_total_by_rank": _errors(poor, accuracy.select_lowest(scores, count=int(treated.sum()))),
            "training_coverage": _errors(poor, accuracy.select_share(scores, share=accuracy.POOR_SHARE)),
            **{
                f"cutoff_{round(share * 100)}": _errors(poor, accuracy.select_share(scores, share=share))
                for share in CUTOFFS
            },
        },
    }
    return Evaluation(fit=fit, predictions=predictions, report=report)


def dependent_columns(features: FloatArray) -> list[int]:
    """The feature columns (missing values taken as the column's median, as in `fit_ols`) that add
    nothing to the intercept and the columns before them: constant, or a linear combination of
    earlier ones. Any of them makes the design singular."""
    medians = np.nanmedian(features, axis=0)
    design = np.column_stack([np.ones(features.shape[0]), fill_missing(features, medians)])
    dependent: list[int] = []
    kept = [0]
    for column in range(1, design.shape[1]):
        if np.linalg.matrix_rank(design[:, [*kept, column]]) < len(kept) + 1:
            dependent.append(column - 1)
        else:
            kept.append(column)
    return dependent


def evaluate_rows(
    features: FloatArray,
    consumption: FloatArray,
    clusters: IntArray,
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    poor_share: float | None = None,
    poverty_line: float | None = None,
) -> Evaluation:
    """Fit log consumption on every row of a survey file and report how the cross-validated scores
    (folds of whole clusters) target its poor: R², and the errors at the training coverage (as many
    selected as are poor) and at the CUTOFFS.

    Poor: consumption below `poverty_line` if given, else below the `poor_share` quantile of the
    file's consumption (default accuracy.POOR_SHARE). Raises ValueError if nobody or everybody is poor.
    """
    target = np.log(consumption)
    fit = fit_ols(features, target)
    predictions = cross_validated_predictions(features, target, clusters, folds=folds, seed=seed)
    share = accuracy.POOR_SHARE if poor_share is None else poor_share
    line = poverty_line if poverty_line is not None else accuracy.poverty_line(consumption, share=share)
    poor = accuracy.poor_flags(consumption, line=line)
    coverage = float(poor.mean())
    report: dict[str, Any] = {
        "households_fitted": int(target.size),
        "villages_fitted": int(np.unique(clusters).size),
        "folds": folds,
        "fold_seed": seed,
        "r2_in_sample": round(r_squared(target, predict(fit, features)), 4),
        "r2_cross_validated": round(r_squared(target, predictions), 4),
        "poverty": {
            "share": round(coverage, 4) if poverty_line is not None else share,
            "line": round(line, 4),
            "rule": "poverty_line" if poverty_line is not None else "share",
            "of": "every row of the survey file",
        },
        "evaluated": {
            "households": int(target.size),
            "villages": int(np.unique(clusters).size),
            "of": "every row of the survey file, scored by a model fitted without its cluster",
        },
        "selections": {
            "training_coverage": _errors(poor, accuracy.select_share(predictions, share=coverage)),
            **{
                f"cutoff_{round(cut * 100)}": _errors(poor, accuracy.select_share(predictions, share=cut))
                for cut in CUTOFFS
            },
        },
    }
    return Evaluation(fit=fit, predictions=predictions, report=report)
