"""Loading, exporting and refusing PMT model documents (service and commands)."""

from __future__ import annotations

import copy
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ranking.default_model import DEFAULT_MODEL_JSON, LABEL, VERSION
from ranking.documents import score
from ranking.features import feature_vector
from ranking.models import PMTModel
from ranking.selectors import pmt_model_document
from ranking.services import InvalidModelError, pmt_model_import
from regsosek.errors import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8"))
    return data


def test_the_shipped_model_loads_and_exports_unchanged(shipped):
    result = pmt_model_import(data=shipped)
    assert result.created
    model = PMTModel.objects.get()
    assert model.version == VERSION
    assert LABEL in model.title and model.provenance["label"] == LABEL
    assert "NOT verified" in model.provenance["licence"]
    assert model.accuracy["selections"]["same_total_by_rank"]["exclusion_error"] <= 0.45
    assert pmt_model_document(model=model).as_json() == shipped


def test_loading_the_same_model_twice_changes_nothing(shipped):
    first = pmt_model_import(data=shipped)
    again = pmt_model_import(data=copy.deepcopy(shipped))
    assert not again.created
    assert again.model.pk == first.model.pk
    assert PMTModel.objects.count() == 1


def test_it_refuses_another_model_under_a_stored_version(shipped):
    pmt_model_import(data=shipped)
    changed = copy.deepcopy(shipped)
    changed["intercept"] += 1
    with pytest.raises(ConflictError):
        pmt_model_import(data=changed)
    assert PMTModel.objects.get().intercept == shipped["intercept"]


def test_it_refuses_a_feature_over_a_variable_not_in_the_form(shipped):
    changed = copy.deepcopy(shipped)
    changed["version"] = "other-1"
    changed["features"][0]["variable"] = "r399"
    with pytest.raises(InvalidModelError) as caught:
        pmt_model_import(data=changed)
    assert any("'r399' is not a family variable" in p for p in caught.value.extra["problems"])
    assert not PMTModel.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(form_version="9"), "unknown form 'regsosek22k' version '9'"),
        (lambda d: d["features"][0].update(coefficient="0.1"), "coefficient must be a finite number"),
        (lambda d: d.pop("intercept"), "missing key 'intercept'"),
        (lambda d: d.update(format="other"), "format must be"),
    ],
)
def test_it_refuses_a_malformed_document(shipped, change, expected):
    change(shipped)
    with pytest.raises(InvalidModelError) as caught:
        pmt_model_import(data=shipped)
    assert any(expected in p for p in caught.value.extra["problems"]), caught.value.extra


def test_the_commands_load_and_export_a_model(tmp_path, shipped):
    out = StringIO()
    call_command("load_pmt_model", stdout=out)
    assert f"PMT model {VERSION}: loaded" in out.getvalue()
    call_command("load_pmt_model", stdout=out)
    assert "unchanged" in out.getvalue()
    target = tmp_path / "model.json"
    call_command("export_pmt_model", VERSION, "--output", str(target))
    assert json.loads(target.read_text()) == shipped
    with pytest.raises(CommandError, match="no PMT model"):
        call_command("export_pmt_model", "nope")


def test_the_load_command_lists_every_problem(tmp_path, shipped):
    shipped["version"] = "bad-1"
    shipped["features"][0]["variable"] = "r399"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(shipped))
    with pytest.raises(CommandError, match="r399"):
        call_command("load_pmt_model", str(path))


def test_a_poorer_family_scores_lower_with_the_shipped_model(shipped):
    document = pmt_model_document(model=pmt_model_import(data=shipped).model)
    assets = {f"r502{letter}": 2 for letter in "abcdefghijklmn"}
    base = assets | {"r301a": 1, "r302": 60, "r303": 2, "r304": 1, "r305": 1, "r306a": 3, "r307a": 1, "r308": 4,
            "r309a": 1, "r502b": 1, "r502c": 1, "r502f": 1, "r502k": 1, "r502i": 1, "r502n": 1}  # fmt: skip
    members = [
        {"r404": 1, "r409": 1, "r407": 45, "r405": 1, "r408": 2, "r415": 19},
        {"r404": 1, "r409": 2, "r407": 42, "r405": 2, "r408": 2, "r415": 13},
    ]
    rich = {"family": base, "members": members}
    poor_family = {**base, "r302": 20, "r303": 8, "r304": 6, "r308": 10, "r309a": 6, "r502b": 2, "r502c": 2,
                   "r502f": 2, "r502k": 2, "r502i": 2, "r502n": 2}  # fmt: skip
    poor = {"family": poor_family, "members": [*members, *[{"r404": 1, "r409": 3, "r407": 3}] * 3]}
    features = document.features
    assert score(document, feature_vector(features, poor)) < score(document, feature_vector(features, rich))
