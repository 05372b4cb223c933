"""Strata of a PMT model: one equation per group of kecamatan, the model's own for the others.
Imported and exported with the document, checked on import, scored alike in SQL and in Python."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from django.db import connection

from households.form import definition_for_family
from households.models import Family, FamilyStatus
from households.records import compose
from households.synthetic import synthetic_record
from ranking.benchmark import RAW_TABLE, raw_statement
from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.documents import score
from ranking.features import feature_vector
from ranking.models import PMTModel, RankedFamily
from ranking.selectors import pmt_model_document
from ranking.services import InvalidModelError, pmt_model_import
from tests.helpers import KEC_A, KEC_B
from tests.households.factories import create_family
from tests.ranking.factories import run_now

pytestmark = pytest.mark.django_db


def floor_document(strata: list[dict[str, Any]]) -> dict[str, Any]:
    """score = 0.5 * floor area, and in each stratum its own intercept and floor coefficient."""
    data: dict[str, Any] = copy.deepcopy(json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8")))
    data.update(
        version="uji-strata",
        title="Model uji strata",
        intercept=0.0,
        features=[{"name": "floor", "kind": "number", "of": "family", "variable": "r302", "coefficient": 0.5}],
        accuracy={"note": "uji"},
        strata=strata,
    )
    return data


SOUTH = {"name": "selatan", "kecamatan": [KEC_B], "intercept": 100.0, "coefficients": {"floor": 1.0}}


def test_a_model_with_strata_round_trips_through_import_and_export(field):
    data = floor_document([SOUTH])
    model = pmt_model_import(data=data).model
    assert model.strata == [SOUTH]
    assert pmt_model_document(model=model).as_json() == data
    assert pmt_model_import(data=data).created is False  # the same document again: unchanged


def test_a_document_without_strata_exports_without_the_key(field):
    data = floor_document([])
    del data["strata"]
    model = pmt_model_import(data=data).model
    assert "strata" not in pmt_model_document(model=model).as_json()


@pytest.mark.parametrize(
    ("strata", "problem"),
    [
        ([{**SOUTH, "kecamatan": ["3674999"]}], "strata: unknown kecamatan 3674999"),
        ([SOUTH, {**SOUTH, "name": "dua"}], f"strata[1]: kecamatan {KEC_B} is already in stratum 'selatan'"),
        ([SOUTH, {**SOUTH, "kecamatan": [KEC_A]}], "strata[1]: the name must be a non-empty string, unique"),
        ([{**SOUTH, "kecamatan": [KEC_B, KEC_B]}], f"strata[0]: kecamatan {KEC_B} is already in stratum"),
        ([{**SOUTH, "kecamatan": ["36740"]}], "strata[0]: kecamatan code '36740' must be 7 digits"),
        ([{**SOUTH, "kecamatan": []}], "strata[0]: kecamatan must be a non-empty list"),
        ([{**SOUTH, "coefficients": {}}], "strata[0]: no coefficient for feature 'floor'"),
        ([{**SOUTH, "coefficients": {"floor": 1, "roof": 2}}], "strata[0]: unknown feature 'roof'"),
        ([{**SOUTH, "coefficients": {"floor": "1"}}], "strata[0]: coefficient of 'floor' must be a finite number"),
        ([{**SOUTH, "intercept": None}], "strata[0]: intercept must be a finite number"),
        ([{**SOUTH, "colour": "red"}], "strata[0]: unknown key 'colour'"),
        ({"selatan": SOUTH}, "strata must be a list"),
    ],
)
def test_bad_strata_are_refused_with_the_reason(field, strata, problem):
    with pytest.raises(InvalidModelError) as refused:
        pmt_model_import(data=floor_document(strata))
    assert any(p.startswith(problem) for p in refused.value.extra["problems"]), refused.value.extra
    assert not PMTModel.objects.exists()


def test_a_small_population_is_scored_by_its_strata_equation(population, bps_admin):
    model = pmt_model_import(data=floor_document([SOUTH])).model
    run = run_now(bps_admin, model=model)
    rows = list(RankedFamily.objects.filter(run=run).select_related("family"))
    assert len(rows) == 12
    by_hand = {}
    for row in rows:
        floor = row.family.data["r302"]
        by_hand[row.family_id] = 100.0 + floor if row.kecamatan_id == KEC_B else 0.5 * floor
    assert {row.family_id: row.score for row in rows} == by_hand
    assert {row.kecamatan_id for row in rows} == {KEC_A, KEC_B}
    # The kelurahan of KEC_B score above every family of KEC_A: 100 + floor > 0.5 * 90.
    poorest_south = min(row.rank for row in rows if row.kecamatan_id == KEC_B)
    assert poorest_south == 1 + sum(1 for row in rows if row.kecamatan_id == KEC_A)


def test_sql_python_and_the_raw_statement_agree_on_the_shipped_model_with_a_stratum(
    petugas, other_petugas, field, bps_admin
):
    data = json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8"))
    rng = random.Random(5)
    coefficients = {f["name"]: f["coefficient"] * rng.uniform(0.5, 1.5) for f in data["features"]}
    data.update(
        version="alatas-strata-uji",
        strata=[
            {"name": "b", "kecamatan": [KEC_B], "intercept": data["intercept"] + 0.3, "coefficients": coefficients}
        ],
    )
    model = pmt_model_import(data=data).model
    for i in range(16):
        user, sls = (petugas, field["own1"]) if i % 2 else (other_petugas, field["other"])
        create_family(user, sls, synthetic_record(rng, sls, "367401", building=i + 1, serial=i * 5))
    Family.objects.update(status=FamilyStatus.APPROVED)

    run = run_now(bps_admin, model=model)
    scores = dict(RankedFamily.objects.filter(run=run).values_list("family_id", "score"))
    assert len(scores) == 16
    document = pmt_model_document(model=model)
    stratum_scores = set()
    for family in Family.objects.select_related("sls__kelurahan"):
        record = compose(definition_for_family(family), family, list(family.members.all()), reveal=False)
        kecamatan = family.sls.kelurahan.kecamatan_id
        expected = score(document, feature_vector(model.features, record), kecamatan=kecamatan)
        assert scores[family.pk] == pytest.approx(expected, abs=1e-9), family.pk
        default = score(document, feature_vector(model.features, record))
        if kecamatan == KEC_B:
            stratum_scores.add(family.pk)
            assert expected != pytest.approx(default)  # the stratum's equation, not the model's
        else:
            assert expected == default
    assert len(stratum_scores) == 8

    raw = _raw_scores(model)
    assert raw.keys() == scores.keys()
    assert all(raw[k] == pytest.approx(scores[k], abs=1e-9) for k in scores)


def _raw_scores(model: PMTModel) -> dict[int, float]:
    """The benchmark's raw statement (ranking/benchmark.py) over the approved families."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(raw_statement(model.intercept, model.features, model.strata), [[FamilyStatus.APPROVED]])
        cursor.execute(f"SELECT id, score FROM {RAW_TABLE}")  # noqa: S608 - a constant
        raw = dict(cursor.fetchall())
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    return raw


def test_the_raw_statement_of_a_model_without_strata_agrees_with_the_run(population, bps_admin):
    data = floor_document([])
    del data["strata"]
    model = pmt_model_import(data=data).model
    run = run_now(bps_admin, model=model)
    scores = dict(RankedFamily.objects.filter(run=run).values_list("family_id", "score"))
    assert _raw_scores(model) == scores and len(scores) == 12


def test_the_models_page_lists_the_strata(client, field, pemkot):
    pmt_model_import(data=floor_document([SOUTH]))
    client.force_login(pemkot)
    page = client.get("/peringkat/model/").content.decode()
    assert "Strata (persamaan sendiri)" in page and f"kecamatan {KEC_B}" in page
