"""Fitting a PMT model from an uploaded survey file: the service, the job, drafts and activation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audit.models import AuditAction, AuditEntry
from ranking import fitjob, services
from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.fitting import evaluate_rows
from ranking.models import FitStatus, PMTFit, PMTModel
from ranking.selectors import pmt_model_current
from ranking.services import FitRequest, SurveyFileRefusedError, pmt_fit_start, pmt_model_activate
from ranking.surveyfile import MAX_BYTES, read_survey
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError
from tests.ranking.factories import floor_model
from tests.ranking.fitfiles import SYNTHETIC_FEATURES, alatas_csv, synthetic_rows, to_csv

pytestmark = pytest.mark.django_db


def _request(**changes: Any) -> FitRequest:
    values: dict[str, Any] = {
        "version": "uji-survei-1",
        "title": "Model uji dari survei",
        "form_version": "1",
        "features": [],
        "folds": 5,
        "poor_share": 0.3525,
        "poverty_line": None,
    }
    values.update(changes)
    return FitRequest(**values)


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue_fit", queued.append)
    return queued


def test_a_good_file_is_fitted_into_a_draft_with_the_figures_of_ranking_fitting(
    bps_admin, no_enqueue, django_capture_on_commit_callbacks
):
    columns = synthetic_rows()
    with django_capture_on_commit_callbacks(execute=True):
        fit = pmt_fit_start(user=bps_admin, survey_csv=to_csv(columns), request=_request())
    assert no_enqueue == [fit.pk]  # the task gets the fit's id, nothing of the file
    assert (fit.status, fit.survey_rows, fit.survey_clusters) == (FitStatus.QUEUED, 240, 24)
    assert fit.features == list(SYNTHETIC_FEATURES)

    done = fitjob.pmt_fit_execute(fit.pk)
    assert done is not None and done.status == FitStatus.FINISHED and done.error == ""
    model = PMTModel.objects.get(version="uji-survei-1")
    assert done.model == model and model.is_draft

    features = np.column_stack([columns[name] for name in SYNTHETIC_FEATURES])
    expected = evaluate_rows(features, columns["consumption"], columns["cluster"] - 1, folds=5, poor_share=0.3525)
    assert model.accuracy == json.loads(json.dumps(expected.report))
    assert model.intercept == round(expected.fit.intercept, 8)
    assert [f["coefficient"] for f in model.features] == [round(float(c), 8) for c in expected.fit.coefficients]
    assert [f["name"] for f in model.features] == list(SYNTHETIC_FEATURES)
    # The known model is found, and the report has every row the page shows.
    assert model.features[-1]["coefficient"] == pytest.approx(0.4, abs=0.1)  # has_car
    assert set(model.accuracy["selections"]) == {
        "training_coverage",
        "cutoff_10",
        "cutoff_20",
        "cutoff_30",
        "cutoff_40",
    }
    assert model.accuracy["folds"] == 5 and model.accuracy["villages_fitted"] == 24
    assert model.provenance["data_sha256"] == fit.survey_sha256

    events = list(
        AuditEntry.objects.filter(object_type="pmt_fit", object_id=str(fit.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert [e.split()[0] for e in events] == ["event=uploaded", "event=finished"]
    assert fitjob.pmt_fit_execute(fit.pk) is None  # a redelivered task finds it done


def test_the_shipped_survey_through_the_upload_gives_the_default_models_coefficients(
    bps_admin, survey, evaluation, no_enqueue
):
    fit = pmt_fit_start(user=bps_admin, survey_csv=alatas_csv(survey), request=_request(folds=10))
    fitjob.pmt_fit_execute(fit.pk)
    model = PMTModel.objects.get(version="uji-survei-1")
    shipped = json.loads(DEFAULT_MODEL_JSON.read_text(encoding="utf-8"))
    assert [f["name"] for f in model.features] == [f["name"] for f in shipped["features"]]
    assert [f["coefficient"] for f in model.features] == pytest.approx(
        [f["coefficient"] for f in shipped["features"]], abs=2e-8
    )
    assert model.intercept == pytest.approx(shipped["intercept"], abs=2e-8)
    # Whole-number clusters give the default model's folds of villages, so the same CV R².
    assert model.accuracy["r2_in_sample"] == shipped["accuracy"]["r2_in_sample"]
    assert model.accuracy["r2_cross_validated"] == evaluation.report["r2_cross_validated"]


def test_a_semicolon_file_with_decimal_commas_reads_as_the_comma_file():
    columns = synthetic_rows(rows=40, clusters=8)
    plain = read_survey(to_csv(columns))
    excel = read_survey(to_csv(columns, delimiter=";").replace(b".", b","))
    assert np.array_equal(plain.features, excel.features) and np.array_equal(plain.consumption, excel.consumption)


def _good_text() -> str:
    return to_csv(synthetic_rows(rows=60, clusters=12)).decode()


BAD_FILES = {
    "empty": (b"", "Berkas kosong."),
    "header only": (b"cluster,consumption,has_car\n", "tidak berisi baris data"),
    "missing column": (
        _good_text().replace("consumption", "spending").encode(),
        'Baris 1: kolom "consumption" tidak ada.',
    ),
    "no feature column": (b"cluster,consumption,x\n1,2,3\n", "tidak ada kolom fitur"),
    "non-number": (
        b"cluster,consumption,has_car\n1,100,1\n2,90,0\n3,abc,1\n",
        'Baris 4, kolom "consumption": harus angka lebih dari 0.',
    ),
    "feature not a number": (
        b"cluster,consumption,has_car\n1,100,ya\n2,90,0\n",
        'Baris 2, kolom "has_car": bukan angka.',
    ),
    "zero consumption": (b"cluster,consumption,has_car\n1,0,1\n2,90,0\n", 'Baris 2, kolom "consumption": harus angka'),
    "wrong cell count": (b"cluster,consumption,has_car\n1,100\n2,90,0\n", "Baris 2: 2 kolom, tajuk punya 3."),
    "empty cluster": (b"cluster,consumption,has_car\n,100,1\n2,90,0\n", 'Baris 2, kolom "cluster": kosong.'),
    "non-UTF-8": (b"cluster,consumption,has_car\n1,100,1\n2,90,0\n3,\xe9,1\n", "Baris 4: berkas bukan teks UTF-8"),
    "too large": (b"cluster,consumption,has_car\n" + b"1,100,1\n" * (MAX_BYTES // 8 + 1), "Berkas terlalu besar"),
    "too few clusters": (to_csv(synthetic_rows(rows=60, clusters=3)), "Hanya 3 klaster; validasi silang 5 lipatan"),
    "collinear": (
        to_csv({**synthetic_rows(rows=60, clusters=12), "has_ac": np.ones(60)}),
        'Kolom "has_ac": kolinear',
    ),
    "column without values": (
        to_csv({**synthetic_rows(rows=60, clusters=12), "has_ac": np.full(60, np.nan)}),
        'Kolom "has_ac": tidak ada satu pun nilai.',
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_its_line_and_column_and_nothing_is_saved(bps_admin, no_enqueue, case):
    raw, expected = BAD_FILES[case]
    with pytest.raises(SurveyFileRefusedError) as refused:
        pmt_fit_start(user=bps_admin, survey_csv=raw, request=_request())
    assert any(expected in problem for problem in refused.value.extra["problems"]), refused.value.extra
    assert not PMTFit.objects.exists() and not AuditEntry.objects.filter(object_type="pmt_fit").exists()
    assert no_enqueue == []


def test_a_file_where_every_or_no_household_is_poor_is_refused(bps_admin, no_enqueue):
    with pytest.raises(SurveyFileRefusedError) as refused:
        pmt_fit_start(
            user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(poor_share=None, poverty_line=1e9)
        )
    assert "semua atau tidak satu pun baris miskin" in " ".join(refused.value.extra["problems"])


def test_a_chosen_feature_missing_from_the_file_is_named(bps_admin, no_enqueue):
    with pytest.raises(SurveyFileRefusedError) as refused:
        pmt_fit_start(
            user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(features=["has_car", "has_ac"])
        )
    assert refused.value.extra["problems"] == ['Baris 1: kolom fitur "has_ac" tidak ada.']


def test_only_the_chosen_features_are_fitted(bps_admin, no_enqueue):
    fit = pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(features=["has_car"]))
    fitjob.pmt_fit_execute(fit.pk)
    assert [f["name"] for f in PMTModel.objects.get(version="uji-survei-1").features] == ["has_car"]


@pytest.mark.parametrize(
    "changes",
    [{"folds": 1}, {"folds": 21}, {"poor_share": 1.0}, {"poor_share": None, "poverty_line": -1.0}, {"version": " "},
     {"form_version": "9"}, {"poor_share": 0.3, "poverty_line": 100.0}],
)  # fmt: skip
def test_bad_parameters_are_refused(bps_admin, no_enqueue, changes):
    with pytest.raises(ApplicationError):
        pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(**changes))
    assert not PMTFit.objects.exists()


def test_a_taken_version_is_refused_and_uploading_twice_queues_once(bps_admin, no_enqueue):
    floor_model("uji-luas-lantai")
    with pytest.raises(ConflictError):
        pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(version="uji-luas-lantai"))
    pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request())
    with pytest.raises(ConflictError):
        pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request())
    assert PMTFit.objects.count() == 1


def test_a_version_taken_while_queued_fails_the_fit_with_the_reason(bps_admin, no_enqueue):
    fit = pmt_fit_start(
        user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request(version="uji-luas-lantai")
    )
    floor_model("uji-luas-lantai")
    done = fitjob.pmt_fit_execute(fit.pk)
    assert done is not None and done.status == FitStatus.FAILED and "sudah dipakai" in done.error
    assert done.model is None


@pytest.mark.parametrize("persona", ["petugas", "supervisor", "koseka", "pemkot"])
def test_only_a_bps_admin_may_fit_or_activate(request, persona, no_enqueue):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowedError):
        pmt_fit_start(user=user, survey_csv=to_csv(synthetic_rows()), request=_request())
    with pytest.raises(NotAllowedError):
        pmt_model_activate(user=user, model=floor_model())
    assert not PMTFit.objects.exists()


def test_a_draft_is_not_used_by_runs_until_activated(bps_admin, no_enqueue):
    loaded = floor_model()
    fit = pmt_fit_start(user=bps_admin, survey_csv=to_csv(synthetic_rows()), request=_request())
    draft = fitjob.pmt_fit_execute(fit.pk).model  # type: ignore[union-attr]
    assert pmt_model_current() == loaded
    with pytest.raises(ApplicationError, match="draf"):
        services.ranking_run_start(user=bps_admin, model=draft, enqueue=False)
    assert services.ranking_run_start(user=bps_admin, enqueue=False).model == loaded

    pmt_model_activate(user=bps_admin, model=draft)
    assert pmt_model_current() == draft
    entry = AuditEntry.objects.get(object_type="pmt_model", object_id=str(draft.pk))
    assert (entry.action, entry.detail, entry.actor_username) == (
        AuditAction.ADMIN_CHANGE,
        "event=activated",
        bps_admin.username,
    )
    pmt_model_activate(user=bps_admin, model=loaded)  # back to the older one
    assert pmt_model_current() == loaded


def test_the_example_file_of_the_docs_reads():
    text = (Path(__file__).resolve().parents[2] / "docs" / "ranking.md").read_text(encoding="utf-8")
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    survey = read_survey(example.encode())
    assert (survey.rows, survey.cluster_count) == (4, 2)
    assert survey.feature_names == ("floor_area_per_person", "household_size", "has_car")
    assert np.isnan(survey.features[3, 0])
