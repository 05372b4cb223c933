"""PMT models as data: features over questionnaire variables, coefficients, provenance, accuracy.

A model version is immutable once loaded: ranking runs record which one they used, so a
changed model is a new `version`, never an edit. Ranking runs and their rows (docs/ranking.md).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enumeration.models import SLS, Kecamatan, Kelurahan, User
from households.models import Family


class PMTModel(models.Model):
    """One PMT model version: score = intercept + the sum of coefficient * feature (log per-capita consumption)."""

    version = models.CharField(_("versi"), max_length=80, unique=True)
    title = models.CharField(_("judul"), max_length=200)
    form_id = models.CharField(_("formulir"), max_length=40)
    form_version = models.CharField(_("versi formulir"), max_length=20)
    target = models.CharField(_("yang diprediksi"), max_length=200)
    features = models.JSONField(help_text=_("Daftar fitur, masing-masing dengan koefisiennya (docs/ranking.md)."))
    intercept = models.FloatField(_("intersep"))
    provenance = models.JSONField(_("asal-usul"), default=dict)
    accuracy = models.JSONField(_("laporan akurasi"), default=dict)
    strata = models.JSONField(
        _("strata"),
        default=list,
        blank=True,
        help_text=_("Persamaan per kecamatan (opsional): nama, kode kecamatan, intersep, koefisien."),
    )
    document_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 dokumen JSON kanonis model."))
    created_at = models.DateTimeField(auto_now_add=True)
    # Runs use the most recently activated model by default; a model fitted from an uploaded survey is
    # a draft (None) until a BPS admin activates it. Not part of the model's document.
    activated_at = models.DateTimeField(_("diaktifkan"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("model PMT")
        verbose_name_plural = _("model PMT")
        ordering = ["-created_at", "version"]

    def __str__(self) -> str:
        return self.version

    @property
    def is_draft(self) -> bool:
        return self.activated_at is None


class FitStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Berjalan")
    FINISHED = "finished", _("Selesai")
    FAILED = "failed", _("Gagal")


class PMTFit(models.Model):
    """A BPS admin's request to fit a PMT model from an uploaded survey CSV (docs/ranking.md,
    "Fitting from a survey file"). The Celery job stores the fitted model as a draft `model`."""

    status = models.CharField(_("status"), max_length=10, choices=FitStatus.choices, default=FitStatus.QUEUED)
    version = models.CharField(_("versi model"), max_length=80)
    title = models.CharField(_("judul"), max_length=200)
    form_version = models.CharField(_("versi formulir"), max_length=20)
    features = models.JSONField(_("fitur"), default=list, help_text=_("Nama fitur yang dipilih, urut katalog."))
    poor_share = models.FloatField(_("bagian miskin"), null=True, blank=True)
    poverty_line = models.FloatField(_("garis kemiskinan"), null=True, blank=True)
    folds = models.PositiveSmallIntegerField(_("jumlah lipatan (k)"))
    survey_csv = models.BinaryField(_("berkas survei"))
    survey_sha256 = models.CharField(max_length=64)
    survey_rows = models.PositiveIntegerField(_("baris survei"))
    survey_clusters = models.PositiveIntegerField(_("klaster survei"))
    model = models.OneToOneField(
        PMTModel, on_delete=models.PROTECT, null=True, blank=True, related_name="fit", verbose_name=_("model PMT")
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(_("galat"), blank=True, help_text=_("Alasan gagal, tanpa isi baris survei."))

    class Meta:
        verbose_name = _("estimasi model PMT")
        verbose_name_plural = _("estimasi model PMT")
        ordering = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(poor_share__isnull=True) | Q(poverty_line__isnull=True), name="pmt_fit_one_poverty_rule"
            ),
        ]

    def __str__(self) -> str:
        return f"Estimasi #{self.pk} {self.version} ({self.status})"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Berjalan")
    FINISHED = "finished", _("Selesai")
    FAILED = "failed", _("Gagal")
    CANCELLED = "cancelled", _("Dibatalkan")


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class WelfareGroup(models.IntegerChoices):
    """The four groups shown to the FKP (docs/ranking.md, "Welfare groups")."""

    SANGAT_MISKIN = 1, _("Sangat miskin")
    MISKIN = 2, _("Miskin")
    RENTAN_MISKIN = 3, _("Rentan miskin")
    TIDAK_MISKIN = 4, _("Tidak miskin")


class RankingRun(models.Model):
    """One ranking of the families in scope by a PMT model (docs/ranking.md, "Ranking runs").

    Immutable once finished: its rows, parameters, counts and timings stay as computed. The job
    writes every row together with the status `finished` in one transaction, so a run is either
    finished with all its rows or has none.
    """

    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    model = models.ForeignKey(PMTModel, on_delete=models.PROTECT, related_name="runs", verbose_name=_("model PMT"))
    parameters = models.JSONField(
        _("parameter"),
        default=dict,
        help_text=_("Status keluarga yang diperingkat, batas kelompok kesejahteraan, penyesuaian FKP."),
    )
    is_final = models.BooleanField(_("final"), default=False)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reranks",
        verbose_name=_("berdasarkan putaran"),
    )
    counts = models.JSONField(_("jumlah"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Berapa kali pekerjaan ini dimulai."))
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(_("waktu"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True, help_text=_("Tanpa data pribadi."))

    class Meta:
        verbose_name = _("putaran pemeringkatan")
        verbose_name_plural = _("putaran pemeringkatan")
        ordering = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["is_final"], condition=Q(is_final=True), name="ranking_one_final_run"),
            models.CheckConstraint(
                condition=Q(is_final=False) | Q(status="finished"), name="ranking_final_run_is_finished"
            ),
        ]

    def __str__(self) -> str:
        return f"Putaran #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))


class RankedFamily(models.Model):
    """A family's place in a run. Areas are copied from the family's SLS so lists need no join."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="rows")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="rankings")
    # The areas are a copy of the family's at the run (docs/ranking.md, "The run"): Django's PROTECT
    # still refuses to delete an area a row names; the database does not check each row's areas
    # again at commit (three foreign-key checks per row, about a third of a run's time at 300,000).
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    score = models.FloatField(_("skor PMT"))
    rank = models.PositiveIntegerField(_("peringkat di kota"), help_text=_("1 = termiskin di kota."))
    rank_kelurahan = models.PositiveIntegerField(_("peringkat di kelurahan"))
    percentile = models.FloatField(_("persentil"))
    desil = models.PositiveSmallIntegerField(_("desil"))
    welfare_group = models.PositiveSmallIntegerField(_("kelompok kesejahteraan"), choices=WelfareGroup.choices)
    adjustment = models.CharField(
        _("penyesuaian FKP"), max_length=16, blank=True, help_text=_("welfare_higher / welfare_lower, atau kosong.")
    )

    class Meta:
        verbose_name = _("keluarga berperingkat")
        verbose_name_plural = _("keluarga berperingkat")
        ordering = ["run_id", "rank"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["run", "family"], name="ranked_family_once_per_run"),
            models.UniqueConstraint(fields=["run", "rank"], name="ranked_rank_unique_per_run"),
            models.CheckConstraint(condition=Q(desil__gte=1, desil__lte=10), name="ranked_desil_1_10"),
            models.CheckConstraint(condition=Q(welfare_group__gte=1, welfare_group__lte=4), name="ranked_group_1_4"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["run", "kelurahan", "rank_kelurahan"], name="ranked_run_kelurahan"),
            models.Index(fields=["run", "kecamatan", "desil"], name="ranked_run_kecamatan"),
            models.Index(fields=["family"], name="ranked_family"),
        ]

    def __str__(self) -> str:
        return f"#{self.family_id} rank {self.rank} (run {self.run_id})"


class UnrankedFamily(models.Model):
    """A family in scope that the run could not rank, and why (never dropped silently)."""

    run = models.ForeignKey(RankingRun, on_delete=models.CASCADE, related_name="unranked")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="+")
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="+")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(_("kode alasan"), max_length=32)
    reason = models.CharField(_("alasan"), max_length=255, help_text=_("Tanpa data pribadi."))

    class Meta:
        verbose_name = _("keluarga tanpa peringkat")
        verbose_name_plural = _("keluarga tanpa peringkat")
        ordering = ["run_id", "sls_id", "family_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["run", "family"], name="unranked_family_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"#{self.family_id} {self.reason_code} (run {self.run_id})"
