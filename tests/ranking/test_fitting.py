"""Fitting: OLS, folds by village, and the default model's cross-validated accuracy."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from ranking import fitting
from ranking.default_model import DEFAULT_MODEL_JSON, build_default_model
from ranking.documents import dump_document
from ranking.fitting import Evaluation
from ranking.survey import Survey


def test_ols_recovers_exact_coefficients_and_fills_missing_values_with_the_median():
    rng = np.random.default_rng(1)
    features = rng.normal(size=(50, 3))
    target = 2.0 + features @ np.array([0.5, -1.0, 0.25])
    fit = fitting.fit_ols(features, target)
    assert fit.intercept == pytest.approx(2.0)
    assert fit.coefficients == pytest.approx([0.5, -1.0, 0.25])
    with_gap = features[:1].copy()
    with_gap[0, 1] = np.nan
    expected = 2.0 + 0.5 * features[0, 0] - 1.0 * np.median(features[:, 1]) + 0.25 * features[0, 2]
    assert fitting.predict(fit, with_gap)[0] == pytest.approx(expected)


def test_folds_keep_each_village_whole_and_are_reproducible():
    groups = np.repeat(np.arange(30), 4)
    folds = fitting.group_folds(groups, folds=5, seed=7)
    for group in range(30):
        assert np.unique(folds[groups == group]).size == 1
    assert set(folds.tolist()) == set(range(5))
    assert (fitting.group_folds(groups, folds=5, seed=7) == folds).all()


def test_no_household_is_scored_by_a_model_that_saw_its_village():
    # A target that is pure village noise: a leaking model would predict it; a clean one cannot.
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(40), 10)
    dummies = (groups[:, None] == np.arange(40)[None, :]).astype(float)
    target = dummies @ rng.normal(size=40)
    predictions = fitting.cross_validated_predictions(dummies, target, groups, folds=5)
    assert fitting.r_squared(target, predictions) < 0.1


def test_the_model_explains_about_half_of_log_consumption(evaluation: Evaluation):
    assert evaluation.report["households_fitted"] == 5352
    assert 0.45 < evaluation.report["r2_cross_validated"] <= evaluation.report["r2_in_sample"] < 0.55


def test_the_government_pmt_on_the_evaluated_households_is_as_published(evaluation: Evaluation):
    government = evaluation.report["government_2008"]
    assert government["households"] == 1724
    assert government["inclusion_error"] == pytest.approx(0.18, abs=0.01)
    assert government["exclusion_error"] == pytest.approx(0.52, abs=0.01)


def test_per_village_selection_beats_the_government_pmt(evaluation: Evaluation):
    # (a) each village selects as many households as the 2008 programme did there.
    government = evaluation.report["government_2008"]
    ours = evaluation.report["selections"]["per_village_as_2008"]
    assert ours["selected"] == government["selected"]
    assert ours["inclusion_error"] <= 0.18
    assert ours["exclusion_error"] < 0.52
    assert ours["exclusion_error"] < government["exclusion_error"]


def test_city_wide_ranking_selection_meets_the_target(evaluation: Evaluation):
    # (b) the same total as 2008, chosen by rank across the whole PMT arm.
    ours = evaluation.report["selections"]["same_total_by_rank"]
    assert ours["selected"] == evaluation.report["government_2008"]["selected"]
    assert ours["inclusion_error"] <= 0.18
    assert ours["exclusion_error"] <= 0.45


def test_cut_offs_trade_exclusion_for_inclusion(evaluation: Evaluation):
    selections = evaluation.report["selections"]
    cutoffs = [selections[f"cutoff_{share}"] for share in (10, 20, 30, 40)]
    assert [c["selected"] for c in cutoffs] == [172, 345, 517, 690]
    assert all(a["inclusion_error"] < b["inclusion_error"] for a, b in itertools.pairwise(cutoffs))
    assert all(a["exclusion_error"] > b["exclusion_error"] for a, b in itertools.pairwise(cutoffs))


def test_the_shipped_model_is_what_fitting_the_shipped_file_gives(survey: Survey):
    # If this fails after a change to the crosswalk or the fitting: `python manage.py fit_pmt_model`.
    shipped = json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8"))
    assert json.loads(dump_document(build_default_model(survey))) == shipped
