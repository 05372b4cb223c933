"""The job that fits a PMT model from an uploaded survey file (Celery task `ranking.fit_pmt_model`,
ranking/tasks.py; queued by `services.pmt_fit_start`). docs/ranking.md, "Fitting from a survey file".

It reads the stored file again with the same checks as the upload, fits log per-capita consumption by
OLS with k-fold cross-validation by cluster (`fitting.evaluate_rows`) and stores the model as a draft
with its accuracy report, in one transaction with the fit's status. Nothing of the file's rows is
logged or written to the fit's error: reasons name lines and columns, a bug its exception class.
"""

from __future__ import annotations

import logging
from typing import Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_pmt_model
from ranking import crosswalk
from ranking.documents import FORMAT, ModelDocument
from ranking.fitting import evaluate_rows
from ranking.models import FitStatus, PMTFit, PMTModel
from ranking.services import pmt_model_import
from ranking.surveyfile import FEATURE_CATALOGUE, SurveyFileError, SurveyRows, check_fittable, read_survey

logger = logging.getLogger(__name__)

TARGET: Final = "log of per-capita consumption, in the survey file's unit"


def fitted_document(fit: PMTFit, survey: SurveyRows) -> ModelDocument:
    """Fit the survey's rows as `fit` asks and describe the result as a model document."""
    evaluation = evaluate_rows(
        survey.features,
        survey.consumption,
        survey.clusters,
        folds=fit.folds,
        poor_share=fit.poor_share,
        poverty_line=fit.poverty_line,
    )
    features = [
        {**FEATURE_CATALOGUE[name], "coefficient": round(float(coefficient), 8)}
        for name, coefficient in zip(survey.feature_names, evaluation.fit.coefficients, strict=True)
    ]
    return ModelDocument(
        version=fit.version,
        title=fit.title,
        form=crosswalk.FORM,
        form_version=fit.form_version,
        target=TARGET,
        intercept=round(evaluation.fit.intercept, 8),
        features=features,
        provenance={
            "format": FORMAT,
            "fitted_from": "survey file uploaded by a BPS admin",
            "fit_id": fit.pk,
            "data_sha256": survey.sha256,
            "data_rows": survey.rows,
            "data_clusters": survey.cluster_count,
            "method": (
                "OLS of log per-capita consumption on the chosen features over every row of the file; missing "
                f"values take the column median; accuracy cross-validated in {fit.folds} folds of whole clusters "
                "(ranking/fitting.py, evaluate_rows)"
            ),
            "medians": [round(float(m), 8) for m in evaluation.fit.medians],
        },
        accuracy=evaluation.report,
    )


def _fail(fit_id: int, reason: str) -> None:
    with transaction.atomic():
        fit = PMTFit.objects.select_for_update().get(pk=fit_id)
        if fit.status != FitStatus.RUNNING:
            return
        fit.status = FitStatus.FAILED
        fit.error = reason[:2000]
        fit.finished_at = timezone.now()
        fit.save(update_fields=["status", "error", "finished_at"])
        audit_pmt_model(actor=None, object_type="pmt_fit", object_id=fit_id, event="failed")


def pmt_fit_execute(fit_id: int) -> PMTFit | None:
    """Run fit `fit_id`. Idempotent by claim: a queued fit (or a running one, redelivered after its
    worker died) becomes running; a finished or failed fit is left alone (returns None). A bad file
    or a taken version marks the fit failed with the reason; an unexpected error marks it failed
    with the exception's class name and is raised again."""
    claimed = PMTFit.objects.filter(pk=fit_id, status__in=[FitStatus.QUEUED, FitStatus.RUNNING]).update(
        status=FitStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    fit = PMTFit.objects.get(pk=fit_id)
    try:
        survey = read_survey(bytes(fit.survey_csv), features=list(fit.features))
        check_fittable(survey, folds=fit.folds, poor_share=fit.poor_share, poverty_line=fit.poverty_line)
        document = fitted_document(fit, survey)
    except SurveyFileError as error:
        _fail(fit_id, " ".join(error.problems))
        return PMTFit.objects.get(pk=fit_id)
    except Exception as error:
        logger.error("PMT fit %s failed: %s", fit_id, type(error).__name__)
        _fail(fit_id, type(error).__name__)
        raise
    with transaction.atomic():
        fit = PMTFit.objects.select_for_update().get(pk=fit_id)
        if fit.status != FitStatus.RUNNING:
            return fit
        if PMTModel.objects.filter(version=fit.version).exists():
            taken = _("Versi model ini sudah dipakai model lain; unggah lagi dengan nama lain.")
            fit.status, fit.error, fit.finished_at = FitStatus.FAILED, taken, timezone.now()
            fit.save(update_fields=["status", "error", "finished_at"])
            audit_pmt_model(actor=None, object_type="pmt_fit", object_id=fit_id, event="failed")
            return fit
        fit.model = pmt_model_import(data=document.as_json(), draft=True).model
        fit.status = FitStatus.FINISHED
        fit.finished_at = timezone.now()
        fit.save(update_fields=["model", "status", "finished_at"])
        audit_pmt_model(
            actor=None, object_type="pmt_fit", object_id=fit_id, event="finished", detail=f"model={fit.model.pk}"
        )
    return fit
