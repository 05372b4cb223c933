"""Family records (REGSOSEK22-K), members, the VK1 prelist, revisions and the review trail.

Storage layout (docs/records.md): what is queried, ranked, reviewed or exported has a typed
column; the remaining answers of a block live in `data` (JSONB), keyed by the questionnaire's
variable ids. NIK and No. KK never appear in `data`: they are encrypted columns plus a keyed hash.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from enumeration.models import SLS, Device, User


class FamilyStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    RETURNED = "returned", _("Dikembalikan")
    APPROVED = "approved", _("Disetujui PML")


# The review queue's statuses and the moment a family entered its current one (`since`: submitted, or
# last reviewed); the queue orders by it, so an index holds the same expression (review/selectors.py).
QUEUE_STATUSES = (FamilyStatus.SUBMITTED, FamilyStatus.RETURNED, FamilyStatus.APPROVED)


def queue_since() -> models.Case:
    return models.Case(
        models.When(status=FamilyStatus.SUBMITTED, then=models.F("submitted_at")),
        default=Coalesce(models.F("reviewed_at"), models.F("submitted_at")),
    )


class Family(models.Model):
    """One family (one Kartu Keluarga) and its REGSOSEK22-K answers."""

    client_uuid = models.UUIDField(_("UUID dari perangkat"), unique=True)
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="families")
    form_id = models.CharField(max_length=40)
    form_version = models.CharField(max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=FamilyStatus.choices, default=FamilyStatus.DRAFT)
    revision = models.PositiveIntegerField(default=1)
    payload_sha256 = models.CharField(max_length=64)

    building_no = models.CharField(_("no. urut bangunan (109)"), max_length=3, blank=True)
    family_no = models.CharField(_("no. urut keluarga (110)"), max_length=3, blank=True)
    landmark_id = models.CharField(_("ID landmark (113)"), max_length=6, blank=True)
    head_name = models.CharField(_("nama kepala keluarga (108)"), max_length=150, blank=True)
    welfare_estimate = models.PositiveSmallIntegerField(_("status keluarga (111)"), null=True, blank=True)
    result_code = models.PositiveSmallIntegerField(_("hasil pendataan (205)"), null=True, blank=True)
    member_count = models.PositiveSmallIntegerField(_("jumlah anggota"), default=0)
    photo_required = models.BooleanField(default=False)
    geotag = models.ForeignKey(
        "geotag.Geotag",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="families",
        help_text=_("Titik bangunan tempat tinggal; keluarga dalam satu bangunan berbagi satu geotag."),
    )

    kk_ciphertext = models.BinaryField(null=True, editable=False)
    kk_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    data = models.JSONField(default=dict)
    warnings = models.JSONField(default=list, help_text=_("Peringatan validasi terakhir (bukan galat)."))

    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="families_created")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the interview began and was finalised on the phone (the phone's clock, sent with the family):
    # the review desk and the quality report flag interviews that were too short.
    interview_started_at = models.DateTimeField(_("wawancara dimulai"), null=True, blank=True)
    interview_finished_at = models.DateTimeField(_("wawancara selesai"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    review_comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("keluarga")
        verbose_name_plural = _("keluarga")
        ordering = ["sls_id", "building_no", "family_no", "id"]
        indexes: ClassVar = [
            models.Index(fields=["sls", "status"], name="family_sls_status"),
            models.Index(fields=["status", "updated_at"], name="family_status_updated"),
            # The monitoring trend and map read these columns of every family in scope: covering
            # indexes let PostgreSQL answer from the index, not the wide table (docs/monitoring.md).
            models.Index(fields=["sls", "created_at"], name="family_sls_created"),
            models.Index(fields=["sls", "reviewed_at"], name="family_sls_approved_at", condition=Q(status="approved")),
            models.Index(fields=["geotag"], include=["status", "sls"], name="family_geotag_status"),
            # The review queue's first page in its default order (and reversed) without sorting every
            # family in scope: 500,000 at the city level (docs/performance.md, "Review desk").
            # With the status as the last key, the queue's counts per status read this index alone.
            models.Index(
                queue_since(), "id", "status", name="family_queue_since", condition=Q(status__in=QUEUE_STATUSES)
            ),
            # The queue's "has flags" over a kecamatan or the city reads the flagged families as a
            # set, one indexed query per flag kind (review/flags.py, `flagged_family_ids`).
            models.Index(fields=["id"], name="family_with_warnings", condition=~Q(warnings=[])),
            models.Index(fields=["id"], name="family_photo_required", condition=Q(photo_required=True)),
            models.Index(
                models.ExpressionWrapper(
                    models.F("interview_finished_at") - models.F("interview_started_at"),
                    output_field=models.DurationField(),
                ),
                name="family_interview_length",
            ),
        ]

    def __str__(self) -> str:
        return f"Keluarga #{self.pk} (SLS {self.sls_id})"


class Member(models.Model):
    """One member row of Blok IV."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    line_no = models.PositiveSmallIntegerField(_("no. urut (401)"))
    name = models.CharField(_("nama (402)"), max_length=150, blank=True)
    relationship = models.PositiveSmallIntegerField(_("hubungan dengan KK (409)"), null=True, blank=True)
    sex = models.PositiveSmallIntegerField(_("jenis kelamin (405)"), null=True, blank=True)
    birth_date = models.DateField(_("tanggal lahir (406)"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("umur (407)"), null=True, blank=True)

    nik_ciphertext = models.BinaryField(null=True, editable=False)
    nik_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        ordering = ["family_id", "line_no"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["family", "line_no"], name="member_unique_line"),
        ]

    def __str__(self) -> str:
        return f"Anggota {self.line_no} keluarga #{self.family_id}"


class FamilyRevision(models.Model):
    """Every edit: who changed which variable from what to what. Identifiers appear masked.

    Revision 1 (the family created) lists no changes; each later revision lists its changes with
    their old values, so the first submitted record is the current one with those put back."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20)
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["family_id", "revision"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["family", "revision"], name="revision_unique_per_family"),
        ]

    def __str__(self) -> str:
        return f"#{self.family_id} r{self.revision}"


class ReviewEvent(models.Model):
    """One workflow transition of a family: who, when, from which status to which, and why."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="review_events")
    from_status = models.CharField(max_length=12, choices=FamilyStatus.choices)
    to_status = models.CharField(max_length=12, choices=FamilyStatus.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    # A return's comments on single answers: [{"variable": "<id in the definition>", "member": <roster
    # line or null>, "comment": "..."}], shown by the phone on those fields (docs/sync.md).
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("peristiwa pemeriksaan")
        verbose_name_plural = _("peristiwa pemeriksaan")
        ordering = ["family_id", "at", "id"]

    def __str__(self) -> str:
        return f"#{self.family_id} {self.from_status}→{self.to_status}"


class PrelistStatus(models.TextChoices):
    PENDING = "pending", _("Belum diverifikasi")
    FOUND = "found", _("Ditemukan")
    MOVED = "moved", _("Pindah")
    DECEASED = "deceased", _("Meninggal")
    NOT_FOUND = "not_found", _("Tidak ditemukan")
    DUPLICATE = "duplicate", _("Ganda")
    NEW = "new", _("Keluarga baru")


FINAL_PRELIST = {
    PrelistStatus.FOUND,
    PrelistStatus.MOVED,
    PrelistStatus.DECEASED,
    PrelistStatus.NOT_FOUND,
    PrelistStatus.DUPLICATE,
    PrelistStatus.NEW,
}


class PrelistFamily(models.Model):
    """A VK1 row: a pre-listed (or newly found) family of an SLS and its verification status."""

    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="prelist")
    line_no = models.PositiveIntegerField(_("no. urut VK1"))
    head_name = models.CharField(_("nama kepala keluarga"), max_length=150)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    status = models.CharField(max_length=12, choices=PrelistStatus.choices, default=PrelistStatus.PENDING)
    family = models.OneToOneField(Family, on_delete=models.SET_NULL, null=True, blank=True, related_name="prelist")
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    status_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status_at = models.DateTimeField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("prelist VK1")
        verbose_name_plural = _("prelist VK1")
        ordering = ["sls_id", "line_no"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["sls", "line_no"], name="prelist_unique_line"),
            models.CheckConstraint(
                condition=~Q(status="found") | Q(family__isnull=False), name="prelist_found_has_family"
            ),
        ]
        # The monitoring dashboard counts VK1 rows per SLS and status from this index alone.
        indexes: ClassVar = [models.Index(fields=["sls"], include=["status"], name="prelist_sls_status")]

    def __str__(self) -> str:
        return f"VK1 {self.sls_id}/{self.line_no}"


class SLSConfirmation(models.Model):
    """A Koseka's confirmation that an SLS is complete, or its reopening; latest row wins."""

    class Action(models.TextChoices):
        CONFIRM = "confirm", _("Dikonfirmasi")
        REOPEN = "reopen", _("Dibuka kembali")

    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="confirmations")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["sls_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.sls_id} {self.action}"


class IdentifierReveal(models.Model):
    """Audit of every time someone saw a NIK or No. KK in full."""

    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=3)
    reason = models.CharField(max_length=255)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} #{self.family_id}"


class FamilyConflict(models.Model):
    """A push the server answered `conflict` (fieldapp/sync.py): the phone sent an edit of an older
    revision, because the family changed on the server meanwhile or was returned. Kept open until the
    family is next stored from the phone or a supervisor acts on it, so the review desk shows it.
    Holds no answers and no identifiers: the family, who, which device, when and why.

    A new family whose geotag is already stored for another SLS is refused (`geotag`): that conflict
    is kept by the family's UUID (`family_uuid`, no family yet) with the stored geotag it collided
    with, and joined to the family when the phone stores it (`households.conflicts`)."""

    class Reason(models.TextChoices):
        CHANGED = "changed", _("Diubah di server")
        RETURNED = "returned", _("Dikembalikan")
        GEOTAG = "geotag", _("Geotag milik SLS lain")

    class Resolution(models.TextChoices):
        STORED = "stored", _("Disimpan lagi dari ponsel")
        REVIEWED = "reviewed", _("Ditindaklanjuti pemeriksa")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts")
    family_uuid = models.UUIDField(
        null=True, blank=True, help_text=_("UUID keluarga yang ditolak sebelum keluarga itu tersimpan.")
    )
    geotag = models.ForeignKey(
        "geotag.Geotag",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Geotag tersimpan milik SLS lain yang dikirim bersama keluarga ini."),
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    last_at = models.DateTimeField(_("terakhir"), help_text=_("Push terakhir yang dijawab konflik."))
    reason = models.CharField(_("alasan"), max_length=10, choices=Reason.choices)
    base_revision = models.PositiveIntegerField(null=True, blank=True)
    server_revision = models.PositiveIntegerField()
    resolved_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        verbose_name = _("konflik sinkronisasi")
        verbose_name_plural = _("konflik sinkronisasi")
        ordering = ["family_id", "-at", "-id"]
        constraints: ClassVar = [
            # At most one open conflict per family (a phone retrying the same edit updates it); its
            # index also answers the queue's "has an open conflict" per row.
            models.UniqueConstraint(
                fields=["family"], condition=Q(resolved_at__isnull=True), name="family_conflict_one_open"
            ),
            # And one open conflict kept for a family not stored yet, found by its UUID when it is.
            models.UniqueConstraint(
                fields=["family_uuid"],
                condition=Q(resolved_at__isnull=True, family__isnull=True),
                name="family_conflict_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(family__isnull=False) | Q(family_uuid__isnull=False), name="family_conflict_has_family"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.family_id} {self.reason}"
