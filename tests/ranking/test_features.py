"""Features on hand-made records, and their checks against the form definition."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from households.questionnaire.definition import load_definition
from ranking import crosswalk
from ranking.features import FeatureError, check_features, feature_vector

DEFINITION = load_definition("regsosek22k", "1")


def _member(relationship: int, age: int, **answers: Any) -> dict[str, Any]:
    return {"r404": 1, "r409": relationship, "r407": age, "r405": 2, "r408": 1, **answers}


def _record(**family: Any) -> dict[str, Any]:
    answers = {
        "r301a": 1, "r302": 36, "r303": 8, "r304": 1, "r305": 2, "r306a": 2, "r307a": 1, "r308": 4,
        "r309a": 1, "r502b": 1, "r502f": 2, "r504a": 0, "r504b": 0,
    }  # fmt: skip
    answers.update({f"r502{letter}": 2 for letter in "abcdefghijklmn"} | {"r502b": 1})
    answers.update(family)
    return {
        "form": "regsosek22k",
        "version": "1",
        "family": answers,
        "members": [
            _member(1, 40, r405=1, r408=2, r416a=1, r417=8, r415=13),
            _member(2, 38, r415=3),
            _member(3, 3),
            _member(3, 70, r404=3),  # moved out: not counted
            _member(6, 70),
        ],
    }


def _values(features: list[dict[str, Any]], record: dict[str, Any]) -> dict[str, float]:
    return dict(zip([f["name"] for f in features], feature_vector(features, record), strict=True))


def test_it_evaluates_the_default_features_on_a_hand_made_family():
    values = _values(crosswalk.FEATURES, _record())
    assert values["household_size"] == 4  # the member who moved out does not count
    assert values["household_size_sq"] == 16
    assert values["floor_area_per_person"] == 9.0
    assert values["floor_not_earth"] == 0.0  # 303 = 8, earth
    assert values["wall_masonry"] == 1.0
    assert values["roof_concrete_or_sheet"] == 0.0  # roof tiles
    assert values["head_age"] == 40 and values["head_age_sq"] == 1600
    assert values["head_male"] == 1.0 and values["head_married"] == 1.0
    assert (values["head_primary"], values["head_junior_secondary"], values["head_senior_secondary"]) == (0, 0, 1)
    assert (values["head_agriculture"], values["head_industry"], values["head_services"]) == (0, 1, 0)
    assert values["children_0_4"] == 1
    # Dependents: the 3-year-old and the 70-year-old parent; working age: the head and spouse.
    assert values["dependency_ratio"] == 1.0
    assert values["any_member_primary_or_more"] == 1.0
    assert values["any_member_junior_or_more"] == 1.0
    assert values["any_member_senior_or_more"] == 1.0
    assert values["has_refrigerator"] == 1.0 and values["has_flat_tv"] == 0.0
    assert values["has_cattle"] == 0.0
    assert values["cooks_with_gas_or_electricity"] == 1.0 and values["cooks_with_firewood"] == 0.0


def test_an_elderly_couple_has_their_number_as_dependency_ratio_and_a_buffalo_counts_as_cattle():
    record = _record(r504b=2)
    record["members"] = [_member(1, 70), _member(2, 66)]
    values = _values(crosswalk.FEATURES, record)
    assert values["dependency_ratio"] == 2.0
    assert values["has_cattle"] == 1.0
    # A head who did not work has no industry answer (skipped by design): no sector, not an error.
    assert (values["head_agriculture"], values["head_industry"], values["head_services"]) == (0, 0, 0)


@pytest.mark.parametrize(
    ("change", "reason", "variable"),
    [
        (lambda r: r["family"].pop("r303"), "missing_answer", "r303"),
        (lambda r: r["family"].pop("r302"), "missing_answer", "r302"),
        (lambda r: r["members"][0].update(r409=3), "no_head", "r409"),
        (lambda r: [m.update(r404=2) for m in r["members"]], "no_members", "r404"),
        (lambda r: r["members"][0].pop("r407"), "missing_answer", "r407"),
    ],
)
def test_a_record_that_cannot_be_scored_says_why(change, reason, variable):
    record = _record()
    change(record)
    with pytest.raises(FeatureError) as caught:
        feature_vector(crosswalk.FEATURES, record)
    assert (caught.value.reason, caught.value.variable) == (reason, variable)


def test_the_default_features_fit_the_form_definition():
    assert check_features(crosswalk.FEATURES, DEFINITION) == []


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        ({"name": "x", "kind": "code_in", "of": "family", "variable": "r999", "codes": [1]}, "'r999' is not a family"),
        ({"name": "x", "kind": "code_in", "of": "family", "variable": "r407", "codes": [1]}, "'r407' is not a family"),
        ({"name": "x", "kind": "code_in", "of": "head", "variable": "r303", "codes": [1]}, "'r303' is not a member"),
        ({"name": "x", "kind": "code_in", "of": "family", "variable": "r303", "codes": [42]}, "has no code 42"),
        ({"name": "x", "kind": "number", "of": "family", "variable": "r303"}, "not a number"),
        ({"name": "x", "kind": "code_in", "of": "family", "variable": "r302", "codes": [1]}, "not a code"),
        ({"name": "x", "kind": "positive", "variables": ["r504a", "r504z"]}, "'r504z' is not a family"),
        ({"name": "x", "kind": "derived", "derived": "income"}, "unknown derived value"),
        ({"name": "x", "kind": "regression"}, "unknown kind"),
        ({"name": "x", "kind": "number", "of": "family", "variable": "r302", "power": 3}, "'power' must be 1 or 2"),
        ({"name": "x", "kind": "number", "of": "family", "variable": "r302", "weight": 1}, "unknown key 'weight'"),
    ],
)
def test_it_refuses_a_feature_the_form_cannot_answer(feature, expected):
    problems = check_features([feature], DEFINITION)
    assert any(expected in problem for problem in problems), problems


def test_it_refuses_duplicate_names():
    features = copy.deepcopy(crosswalk.FEATURES[:2])
    features[1]["name"] = features[0]["name"]
    assert any("unique" in p for p in check_features(features, DEFINITION))
