"""Writes of the ranking app: loading PMT models; starting, cancelling and finalising ranking runs.

The run's computation itself is `ranking.jobs.ranking_run_execute`, called by the Celery task
`ranking.run` (ranking/tasks.py) or in-process by `manage.py rank_families`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal, get_args

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_pmt_model, audit_ranking_run
from enumeration import scoping
from enumeration.models import Kecamatan, User
from households.models import FamilyStatus
from households.questionnaire.definition import available_definitions
from ranking.crosswalk import FORM
from ranking.documents import ModelDocument, ModelDocumentError, parse_document
from ranking.models import ACTIVE_STATUSES, FitStatus, PMTFit, PMTModel, RankingRun, RunStatus
from ranking.selectors import pmt_model_current
from ranking.surveyfile import MAX_FOLDS, MIN_FOLDS, SurveyFileError, check_fittable, read_survey
from regsosek.errors import ApplicationError, ConflictError, NotAllowedError


class InvalidModelError(ApplicationError):
    code = "invalid_model"


@dataclass(frozen=True)
class ModelImport:
    model: PMTModel
    created: bool


def _from_document(document: ModelDocument) -> PMTModel:
    return PMTModel(
        version=document.version,
        title=document.title,
        form_id=document.form,
        form_version=document.form_version,
        target=document.target,
        features=document.features,
        intercept=document.intercept,
        provenance=document.provenance,
        accuracy=document.accuracy,
        strata=document.strata,
        document_sha256=document.sha256,
    )


@transaction.atomic
def pmt_model_import(*, data: Any, draft: bool = False) -> ModelImport:
    """Store a PMT model from its JSON document (already parsed from JSON). A loaded model is active
    (runs use the most recently activated one); `draft`: stored inactive, until `pmt_model_activate`.

    Idempotent: the same document again returns the stored model (`created` False). A model
    version is immutable, so another document under a stored version is refused.
    Raises InvalidModelError (every problem of the document, in `extra["problems"]`, e.g. a feature
    over a variable that is not in the form definition, or a stratum's kecamatan that is not an area
    of this deployment) and ConflictError.
    """
    try:
        document = parse_document(data)
    except ModelDocumentError as error:
        raise InvalidModelError(_("Model PMT tidak valid."), extra={"problems": error.problems}) from error
    codes = {code for stratum in document.strata for code in stratum["kecamatan"]}
    known = set(Kecamatan.objects.filter(bps_code__in=codes).values_list("bps_code", flat=True))
    if codes - known:
        problems = [f"strata: unknown kecamatan {code}" for code in sorted(codes - known)]
        raise InvalidModelError(_("Model PMT tidak valid."), extra={"problems": problems})
    current = PMTModel.objects.select_for_update().filter(version=document.version).first()
    if current is not None:
        if current.document_sha256 == document.sha256:
            return ModelImport(model=current, created=False)
        raise ConflictError(_("Versi model PMT ini sudah ada dengan isi lain; beri versi baru."))
    model = _from_document(document)
    if draft:
        model.activated_at = None
    model.full_clean()
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError:
        # A concurrent import of the same version won the race: answer as the retry it is.
        current = PMTModel.objects.get(version=document.version)
        if current.document_sha256 != document.sha256:
            raise ConflictError(_("Versi model PMT ini sudah ada dengan isi lain; beri versi baru.")) from None
        return ModelImport(model=current, created=False)
    return ModelImport(model=model, created=True)


# --- Ranking runs -------------------------------------------------------------------------------

AdjustmentAction = Literal["exclude", "welfare_higher", "welfare_lower"]
ADJUSTMENT_ACTIONS: Final = frozenset(get_args(AdjustmentAction))
# Upper desil of welfare groups 1, 2 and 3; group 4 is every desil above the last (docs/ranking.md).
DEFAULT_GROUP_MAX_DESIL: Final = (1, 2, 4)
# Serialises run starts (transaction-level) so two requests cannot both see "no active run".
_START_LOCK: Final = 7_110_001
# Serialises fit uploads, so two uploads cannot both take a free version name.
_FIT_LOCK: Final = 7_110_003


class RunRefusedError(ConflictError):
    code = "ranking_run_refused"


@dataclass(frozen=True)
class RankingAdjustment:
    """An FKP outcome a re-rank applies to one family (docs/ranking.md, "Adjustments").

    exclude: the family is not ranked, listed as unranked with `reason`;
    welfare_higher / welfare_lower: after ranking, the family moves one desil up (less poor) or
    down (poorer), within 1-10; its rank and percentile stay those of its score.
    `reason` is the forum's reason: a short text without personal data.
    """

    family_id: int
    action: AdjustmentAction
    reason: str


def _require_runner(user: User) -> None:
    if not scoping.can_run_rankings(user):
        raise NotAllowedError(_("Hanya admin BPS yang dapat menjalankan pemeringkatan."))


def _check_parameters(statuses: Sequence[str], group_max_desil: Sequence[int], adjustments: Sequence[Any]) -> None:
    known = set(FamilyStatus.values)
    if not statuses or any(s not in known for s in statuses):
        raise ApplicationError(_("Pilih setidaknya satu status keluarga yang dikenal."))
    cuts = list(group_max_desil)
    if len(cuts) != 3 or cuts != sorted(set(cuts)) or cuts[0] < 1 or cuts[-1] > 9:
        raise ApplicationError(_("Batas kelompok kesejahteraan harus tiga desil naik antara 1 dan 9."))
    for item in adjustments:
        if not isinstance(item, RankingAdjustment) or item.action not in ADJUSTMENT_ACTIONS:
            raise ApplicationError(_("Penyesuaian FKP tidak valid."))


def ranking_run_start(
    *,
    user: User,
    statuses: Sequence[str] = (FamilyStatus.APPROVED,),
    based_on: RankingRun | None = None,
    adjustments: Sequence[RankingAdjustment] = (),
    group_max_desil: Sequence[int] = DEFAULT_GROUP_MAX_DESIL,
    model: PMTModel | None = None,
    enqueue: bool = True,
) -> RankingRun:
    """Queue a ranking run of the families whose status is in `statuses`, by `model` (default: the
    most recently activated PMT model; a draft is refused). `based_on` is the run whose FKP outcomes `adjustments` come
    from. The task is enqueued when the transaction commits; its argument is the run id only
    (`enqueue=False`: the caller computes it in-process, e.g. `manage.py rank_families`).

    Preconditions: a BPS admin; no other run queued or running (checked under a transaction-level
    advisory lock, so two concurrent starts cannot both pass). Raises NotAllowedError,
    ApplicationError (unknown status, bad cut-offs or adjustments, no model loaded) and
    RunRefusedError (another run is active, or `based_on` is not finished).
    """
    _require_runner(user)
    _check_parameters(statuses, group_max_desil, adjustments)
    if model is not None and model.is_draft:
        raise ApplicationError(_("Model PMT ini masih draf; aktifkan dulu di halaman model."))
    if based_on is not None and based_on.status != RunStatus.FINISHED:
        raise RunRefusedError(_("Putaran dasar belum selesai."))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_START_LOCK])
        if RankingRun.objects.filter(status__in=ACTIVE_STATUSES).exists():
            raise RunRefusedError(_("Masih ada putaran pemeringkatan yang berjalan; tunggu atau batalkan dulu."))
        model = model or pmt_model_current()
        if model is None:
            raise ApplicationError(_("Belum ada model PMT yang dimuat."))
        run = RankingRun(
            model=model,
            based_on=based_on,
            created_by=user,
            parameters={
                "statuses": sorted(set(statuses)),
                "group_max_desil": list(group_max_desil),
                "adjustments": [asdict(a) for a in sorted(adjustments, key=lambda a: a.family_id)],
            },
        )
        run.full_clean()
        run.save()
        audit_ranking_run(actor=user, run_id=run.pk, event="started")
        if enqueue:
            transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from ranking.tasks import ranking_run_task  # imported late: tasks import the job module

    ranking_run_task.delay(run_id)  # type: ignore[attr-defined]  # a Celery task


def ranking_run_cancel(*, user: User, run: RankingRun) -> RankingRun:
    """Cancel a queued or running run. The job sees it between chunks and before writing its rows,
    under the run's row lock, so a cancelled run never gets rows. Cancelling a cancelled run again
    is answered as done (idempotent). Raises NotAllowedError and RunRefusedError (finished or failed)."""
    _require_runner(user)
    with transaction.atomic():
        current = RankingRun.objects.select_for_update().get(pk=run.pk)
        if current.status == RunStatus.CANCELLED:
            return current
        if current.status not in ACTIVE_STATUSES:
            raise RunRefusedError(_("Putaran yang sudah selesai atau gagal tidak dapat dibatalkan."))
        current.status = RunStatus.CANCELLED
        current.finished_at = timezone.now()
        current.save(update_fields=["status", "finished_at"])
        audit_ranking_run(actor=user, run_id=current.pk, event="cancelled")
    return current


def ranking_run_finalise(*, user: User, run: RankingRun) -> RankingRun:
    """Make a finished run the final one (the one FKP lists and Pemkot use); the previous final run
    stops being final. Idempotent. Raises NotAllowedError and RunRefusedError (not finished)."""
    _require_runner(user)
    with transaction.atomic():
        current = RankingRun.objects.select_for_update().get(pk=run.pk)
        if current.status != RunStatus.FINISHED:
            raise RunRefusedError(_("Hanya putaran yang selesai yang dapat ditetapkan sebagai final."))
        if current.is_final:
            return current
        RankingRun.objects.filter(is_final=True).update(is_final=False)
        current.is_final = True
        current.save(update_fields=["is_final"])
        audit_ranking_run(actor=user, run_id=current.pk, event="finalised")
    return current


# --- PMT models fitted from a survey file -------------------------------------------------------


class SurveyFileRefusedError(ApplicationError):
    code = "invalid_survey_file"


@dataclass(frozen=True)
class FitRequest:
    """What a BPS admin asks for when fitting from a survey file (docs/ranking.md). `features`: the
    catalogue features to fit on (empty: every one the file has). Poverty: `poverty_line` (in the
    file's consumption unit) or else `poor_share` (a quantile of the file's consumption)."""

    version: str
    title: str
    form_version: str
    features: Sequence[str]
    folds: int
    poor_share: float | None
    poverty_line: float | None


def _check_fit_request(request: FitRequest) -> None:
    if not request.version.strip() or len(request.version) > 80:
        raise ApplicationError(_("Nama (versi) model wajib diisi, paling banyak 80 karakter."))
    if (FORM, request.form_version) not in available_definitions():
        raise ApplicationError(_("Versi formulir tidak dikenal."))
    if not MIN_FOLDS <= request.folds <= MAX_FOLDS:
        raise ApplicationError(
            _("Jumlah lipatan (k) harus antara %(min)s dan %(max)s.") % {"min": MIN_FOLDS, "max": MAX_FOLDS}
        )
    if request.poor_share is not None and request.poverty_line is not None:
        raise ApplicationError(_("Isi bagian miskin atau garis kemiskinan, bukan keduanya."))
    if request.poor_share is not None and not 0 < request.poor_share < 1:
        raise ApplicationError(_("Bagian miskin harus di antara 0 dan 100 %."))
    if request.poverty_line is not None and not request.poverty_line > 0:
        raise ApplicationError(_("Garis kemiskinan harus lebih dari 0."))


def _version_taken(version: str) -> bool:
    pending = PMTFit.objects.filter(version=version, status__in=[FitStatus.QUEUED, FitStatus.RUNNING])
    return PMTModel.objects.filter(version=version).exists() or pending.exists()


def pmt_fit_start(*, user: User, survey_csv: bytes, request: FitRequest) -> PMTFit:
    """Check a survey file and queue the fit of a draft PMT model from it (Celery task
    `ranking.fit_pmt_model`, queue `ranking`, its argument the fit's id only; enqueued on commit).

    The file is read and checked here, so a bad file is refused at once and nothing is stored:
    every problem of the file (line and column named, never a value) is in `extra["problems"]`. The
    file is kept in the fit's row (the database), never on disk or in a log. Audited (`uploaded`).
    Raises NotAllowedError (not a BPS admin), ApplicationError (bad parameters), ConflictError (the
    version is taken by a model or a pending fit) and SurveyFileRefusedError.
    """
    if not scoping.can_run_rankings(user):
        raise NotAllowedError(_("Hanya admin BPS yang dapat mengestimasi model PMT."))
    _check_fit_request(request)
    try:
        survey = read_survey(survey_csv, features=list(request.features) or None)
        check_fittable(survey, folds=request.folds, poor_share=request.poor_share, poverty_line=request.poverty_line)
    except SurveyFileError as error:
        raise SurveyFileRefusedError(
            _("Berkas survei tidak dapat dipakai."), extra={"problems": error.problems}
        ) from error
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_FIT_LOCK])
        if _version_taken(request.version):
            raise ConflictError(_("Versi model ini sudah dipakai; beri nama lain."))
        fit = PMTFit(
            version=request.version,
            title=request.title.strip() or request.version,
            form_version=request.form_version,
            features=list(survey.feature_names),
            poor_share=request.poor_share if request.poverty_line is None else None,
            poverty_line=request.poverty_line,
            folds=request.folds,
            survey_csv=survey_csv,
            survey_sha256=survey.sha256,
            survey_rows=survey.rows,
            survey_clusters=survey.cluster_count,
            created_by=user,
        )
        fit.full_clean()
        fit.save()
        audit_pmt_model(
            actor=user,
            object_type="pmt_fit",
            object_id=fit.pk,
            event="uploaded",
            detail=f"rows={survey.rows} clusters={survey.cluster_count} sha256={survey.sha256[:16]}",
        )
        transaction.on_commit(lambda: _enqueue_fit(fit.pk))
    return fit


def _enqueue_fit(fit_id: int) -> None:
    from ranking.tasks import pmt_fit_task  # imported late: tasks import the job module

    pmt_fit_task.delay(fit_id)  # type: ignore[attr-defined]  # a Celery task


def pmt_model_activate(*, user: User, model: PMTModel) -> PMTModel:
    """Make `model` the one new runs use (it becomes the most recently activated); a draft stops
    being one. Runs already started keep their model. Audited (`activated`). Raises NotAllowedError."""
    _require_runner(user)
    with transaction.atomic():
        current = PMTModel.objects.select_for_update().get(pk=model.pk)
        current.activated_at = timezone.now()
        current.save(update_fields=["activated_at"])
        audit_pmt_model(actor=user, object_type="pmt_model", object_id=current.pk, event="activated")
    return current
