"""FKP forums, the families they discuss and what they decided (docs/fkp.md).

A forum belongs to one ranking run and one kelurahan: its list is that run's ranked families of
its SLS. A re-rank's run gets copies of its base run's forums (same SLS, same numbers). Outcomes
are append-only (a correction is a new row; the newest one per ranked family counts), so who
recorded what and when is never overwritten. Families a forum proposes to add are
typed by the forum's secretary: personal data, stored here, shown only in scope, never logged.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enumeration.models import SLS, Kelurahan, User
from fkp.grouping import DEFAULT_MAX_SLS


class Forum(models.Model):
    run = models.ForeignKey("ranking.RankingRun", on_delete=models.PROTECT, related_name="fkp_forums")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("nomor forum"))
    max_sls = models.PositiveSmallIntegerField(_("SLS paling banyak"), default=DEFAULT_MAX_SLS)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The forum of the run this one was re-ranked from, whose grouping it carries (fkp_rerank).
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    # When and where the forum meets (set by a BPS admin, fkp.services.forum_meeting_set), and its
    # "held" mark (forum_mark_held): after it, the date, place and SLS are fixed; outcomes stay
    # append-only corrections as before (docs/fkp.md, "Meeting date and the held mark").
    meeting_date = models.DateField(_("tanggal forum"), null=True, blank=True)
    meeting_place = models.CharField(_("tempat forum"), max_length=200, blank=True)
    held_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    held_at = models.DateTimeField(_("ditandai selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("forum FKP")
        verbose_name_plural = _("forum FKP")
        ordering = ["run_id", "kelurahan_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "kelurahan", "number"], name="fkp_forum_unique_number"),
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | Q(meeting_date__isnull=False),
                name="fkp_forum_held_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"FKP {self.kelurahan_id}-{self.number}"

    @property
    def is_held(self) -> bool:
        return self.held_at is not None


class ForumSLS(models.Model):
    """An SLS in a forum; an SLS is in at most one forum of a run (`run` is kept for that rule)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="memberships")
    run = models.ForeignKey("ranking.RankingRun", on_delete=models.PROTECT, related_name="+")
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "sls"], name="fkp_sls_one_forum_per_run")]

    def __str__(self) -> str:
        return f"{self.forum} {self.sls_id}"


class Decision(models.TextChoices):
    AGREED = "agreed", _("Sesuai (disepakati)")
    WELFARE_HIGHER = "welfare_higher", _("Lebih sejahtera dari peringkat")
    WELFARE_LOWER = "welfare_lower", _("Kurang sejahtera dari peringkat")
    NOT_FOUND = "not_found", _("Tidak ditemukan")
    MOVED = "moved", _("Pindah")
    DECEASED = "deceased", _("Meninggal")


# A move between welfare groups needs the forum's reason (domain.md A6: "move ... giving a reason").
REASON_REQUIRED = (Decision.WELFARE_HIGHER, Decision.WELFARE_LOWER)


class Outcome(models.Model):
    """One decision of a forum about one ranked family. Append-only: the newest row counts."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="outcomes")
    ranked = models.ForeignKey("ranking.RankedFamily", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("keputusan forum"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("alasan"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hasil FKP")
        verbose_name_plural = _("hasil FKP")
        indexes = [models.Index(fields=["ranked", "-id"], name="fkp_outcome_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decision__in=[d.value for d in REASON_REQUIRED]) | ~Q(reason=""),
                name="fkp_outcome_reason_for_group_move",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} {self.ranked_id} {self.decision}"


class ProposedFamily(models.Model):
    """A family the forum proposes to add (to be visited): what the secretary typed, nothing more."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="proposals")
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="+")
    head_name = models.CharField(_("nama kepala keluarga"), max_length=150)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # Not auto_now_add: a proposal carried to a re-rank's forum keeps who typed it and when.
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The proposal of the base run's forum this one was carried from on a re-rank (fkp_rerank).
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("keluarga usulan FKP")
        verbose_name_plural = _("keluarga usulan FKP")
        ordering = ["forum_id", "sls_id", "id"]

    def __str__(self) -> str:
        return f"{self.forum} usulan {self.pk}"


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("Antre")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Siap")
    FAILED = "failed", _("Gagal")


class DocumentKind(models.TextChoices):
    FORUM_PDF = "forum_pdf", _("Daftar forum (PDF)")
    KELURAHAN_PDF = "kelurahan_pdf", _("Daftar semua forum kelurahan (PDF)")
    RUN_XLSX = "run_xlsx", _("Semua keluarga berperingkat (XLSX)")


class ListDocument(models.Model):
    """A list file made by a Celery task, for what takes longer than a request may: a forum's PDF
    and a kelurahan's PDF of all its forums (WeasyPrint), and the XLSX of all ranked rows of a run
    (xlsxwriter cannot stream). The file lives under MEDIA_ROOT/fkp/ (never served as a static URL)
    under a name without personal data. A forum's PDF, and its kelurahan's, is dropped when the
    forum's SLS change; a run's rows never change."""

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    run = models.ForeignKey("ranking.RankingRun", on_delete=models.PROTECT, related_name="+")
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, null=True, blank=True, related_name="documents")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    file_name = models.CharField(max_length=200, blank=True)
    rows = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["forum"],
                condition=Q(kind="forum_pdf") & ~Q(status="failed"),
                name="fkp_one_live_pdf_per_forum",
            ),
            models.UniqueConstraint(
                fields=["run"],
                condition=Q(kind="run_xlsx") & ~Q(status="failed"),
                name="fkp_one_live_xlsx_per_run",
            ),
            models.UniqueConstraint(
                fields=["run", "kelurahan"],
                condition=Q(kind="kelurahan_pdf") & ~Q(status="failed"),
                name="fkp_one_live_pdf_per_kelurahan",
            ),
            models.CheckConstraint(
                condition=Q(kind="forum_pdf", forum__isnull=False, kelurahan__isnull=True)
                | Q(kind="kelurahan_pdf", forum__isnull=True, kelurahan__isnull=False)
                | Q(kind="run_xlsx", forum__isnull=True, kelurahan__isnull=True),
                name="fkp_document_kind_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.run_id}/{self.forum_id} {self.status}"
