"""The page where a BPS admin fits a PMT model from a survey file, its template and activation."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from ranking import fitjob, services
from ranking.models import FitStatus, PMTFit, PMTModel
from ranking.selectors import pmt_model_current
from ranking.surveyfile import FEATURE_CATALOGUE, template_header
from tests.ranking.factories import floor_model
from tests.ranking.fitfiles import synthetic_rows, to_csv
from tests.ranking.test_services_pmt_fit import BAD_FILES

pytestmark = pytest.mark.django_db

PERSONAS = ["petugas", "supervisor", "koseka", "pemkot", "bps_admin"]


@pytest.fixture
def no_enqueue(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setattr(services, "_enqueue_fit", queued.append)
    return queued


def _post(client, raw: bytes, **fields):
    data = {"version": "uji-survei-1", "title": "", "form_version": "1", "folds": "5", **fields}
    data["survey"] = SimpleUploadedFile("survei.csv", raw, content_type="text/csv")
    return client.post("/peringkat/model/estimasi/", data)


@pytest.mark.parametrize("persona", [*PERSONAS, "anonymous"])
def test_the_fit_page_template_and_activation_by_role(
    client, request, persona, no_enqueue, django_capture_on_commit_callbacks
):
    model = floor_model()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    admin = persona == "bps_admin"
    answers = [
        client.get("/peringkat/model/estimasi/"),
        client.get("/peringkat/model/estimasi/templat.csv"),
        client.post(f"/peringkat/model/{model.pk}/aktifkan/"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        answers.append(_post(client, to_csv(synthetic_rows())))
    for answer in answers:
        if persona == "anonymous":
            assert answer.status_code == 302 and answer["Location"].startswith("/masuk/")
        else:
            assert answer.status_code in ((200, 302) if admin else (403,))
    assert PMTFit.objects.count() == (1 if admin else 0)
    assert no_enqueue == list(PMTFit.objects.values_list("pk", flat=True))


def test_a_good_upload_is_queued_fitted_and_shown_as_a_draft_with_its_accuracy(client, bps_admin, pemkot, no_enqueue):
    loaded = floor_model()
    client.force_login(bps_admin)
    answer = _post(client, to_csv(synthetic_rows()), features=["has_car", "household_size"], poor_share="30")
    assert answer.status_code == 302 and answer["Location"] == "/peringkat/model/"
    fit = PMTFit.objects.get()
    assert (fit.poor_share, fit.poverty_line, fit.folds, fit.features) == (0.3, None, 5, ["household_size", "has_car"])
    page = client.get("/peringkat/model/").content.decode()
    assert 'id="fits"' in page and "Dalam antrean" in page

    fitjob.pmt_fit_execute(fit.pk)
    model = PMTModel.objects.get(version="uji-survei-1")
    page = html.unescape(client.get("/peringkat/model/").content.decode())
    assert "Draf: belum dipakai putaran" in page
    assert "Laporan akurasi" in page and "40 % termiskin" in page and "Cakupan pelatihan" in page
    exclusion = f"{model.accuracy['selections']['cutoff_20']['exclusion_error']:.3f}".replace(".", ",")
    assert exclusion in page  # floatformat in Indonesian
    assert "5 lipatan klaster utuh, 24 klaster" in page

    assert client.post(f"/peringkat/model/{model.pk}/aktifkan/").status_code == 302
    assert pmt_model_current() == model != loaded
    # Pemkot staff read the models, not the uploads, and cannot activate.
    client.force_login(pemkot)
    page = client.get("/peringkat/model/").content.decode()
    assert 'id="fits"' not in page and "aktifkan/" not in page and "Aktif: dipakai putaran baru" in page


def test_a_poverty_line_replaces_the_share(client, bps_admin, no_enqueue):
    client.force_login(bps_admin)
    assert _post(client, to_csv(synthetic_rows()), poverty_line="60").status_code == 302
    fit = PMTFit.objects.get()
    assert (fit.poor_share, fit.poverty_line) == (None, 60.0)
    fitjob.pmt_fit_execute(fit.pk)
    poverty = PMTModel.objects.get().accuracy["poverty"]
    assert poverty["rule"] == "poverty_line" and poverty["line"] == 60.0


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_shows_its_problems_and_saves_nothing(client, bps_admin, no_enqueue, case):
    raw, expected = BAD_FILES[case]
    client.force_login(bps_admin)
    answer = _post(client, raw)
    assert answer.status_code == 400
    page = html.unescape(answer.content.decode())
    assert expected in page, page[-3000:]
    assert not PMTFit.objects.exists() and not AuditEntry.objects.filter(object_type="pmt_fit").exists()
    assert no_enqueue == []


def test_both_poverty_rules_at_once_are_refused(client, bps_admin, no_enqueue):
    client.force_login(bps_admin)
    answer = _post(client, to_csv(synthetic_rows()), poor_share="30", poverty_line="60")
    assert answer.status_code == 400 and "bukan keduanya" in answer.content.decode()
    assert not PMTFit.objects.exists()


def test_a_failed_fit_shows_its_reason(client, bps_admin, no_enqueue):
    client.force_login(bps_admin)
    _post(client, to_csv(synthetic_rows()), version="uji-luas-lantai")
    floor_model("uji-luas-lantai")
    fitjob.pmt_fit_execute(PMTFit.objects.get().pk)
    assert PMTFit.objects.get().status == FitStatus.FAILED
    page = client.get("/peringkat/model/").content.decode()
    assert "Gagal" in page and "sudah dipakai" in page


def test_the_template_is_the_header_of_every_catalogue_feature(client, bps_admin):
    client.force_login(bps_admin)
    answer = client.get("/peringkat/model/estimasi/templat.csv")
    assert answer["Content-Type"].startswith("text/csv") and "attachment" in answer["Content-Disposition"]
    body = answer.content.decode()
    assert body == template_header()
    assert body.strip().split(",") == ["cluster", "consumption", *FEATURE_CATALOGUE]


def test_an_unknown_model_cannot_be_activated(client, bps_admin):
    client.force_login(bps_admin)
    assert client.post("/peringkat/model/999/aktifkan/").status_code == 404
