"""Areas (kab/kota → kecamatan → kelurahan → SLS), field staff and assignments."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class KabKota(models.Model):
    """The kabupaten/kota a deployment serves (Kota Tangerang Selatan: BPS 3674, Kemendagri 36.74)."""

    bps_code = models.CharField(_("kode BPS"), max_length=4, primary_key=True)
    kemendagri_code = models.CharField(_("kode Kemendagri"), max_length=5, unique=True)
    name = models.CharField(_("nama"), max_length=100)
    provinsi_name = models.CharField(_("provinsi"), max_length=100)

    class Meta:
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")
        ordering = ["bps_code"]

    def __str__(self) -> str:
        return f"{self.bps_code} {self.name}"


class Kecamatan(models.Model):
    """BPS codes are the keys; the Kemendagri code is kept as a crosswalk (NIK region digits use it)."""

    bps_code = models.CharField(_("kode BPS"), max_length=7, primary_key=True)
    kemendagri_code = models.CharField(_("kode Kemendagri"), max_length=8, unique=True)
    kabkota = models.ForeignKey(KabKota, on_delete=models.PROTECT, related_name="kecamatan_set")
    name = models.CharField(_("nama"), max_length=100)
    bps_name = models.CharField(_("nama BPS"), max_length=100)
    boundary = models.MultiPolygonField(_("batas wilayah"), srid=4326, null=True, blank=True)
    area_km2 = models.FloatField(_("luas (km²)"), null=True, blank=True)

    class Meta:
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        ordering = ["bps_code"]

    def __str__(self) -> str:
        return f"{self.bps_code} {self.name}"


class Kelurahan(models.Model):
    bps_code = models.CharField(_("kode BPS"), max_length=10, primary_key=True)
    kemendagri_code = models.CharField(_("kode Kemendagri"), max_length=13, unique=True)
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    name = models.CharField(_("nama"), max_length=100)
    bps_name = models.CharField(_("nama BPS"), max_length=100)
    boundary = models.MultiPolygonField(_("batas wilayah"), srid=4326, null=True, blank=True)
    area_km2 = models.FloatField(_("luas (km²)"), null=True, blank=True)

    class Meta:
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")
        ordering = ["bps_code"]

    def __str__(self) -> str:
        return f"{self.bps_code} {self.name}"


class SLS(models.Model):
    """Satuan Lingkungan Setempat (about an RT): the enumeration unit a PPL is assigned.

    An SLS with a large load is split into sub-SLS; `sub_code` "00" means not split.
    """

    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="sls_set")
    code = models.CharField(_("kode SLS"), max_length=4)
    sub_code = models.CharField(_("kode sub-SLS"), max_length=2, default="00")
    name = models.CharField(_("nama SLS"), max_length=150)
    boundary = models.MultiPolygonField(_("batas wilayah"), srid=4326, null=True, blank=True)
    is_synthetic = models.BooleanField(_("data sintetis"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SLS")
        verbose_name_plural = _("SLS")
        ordering = ["kelurahan_id", "code", "sub_code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kelurahan", "code", "sub_code"], name="sls_unique_code"),
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9A-Z]{4}$"), name="sls_code_format"),
            models.CheckConstraint(condition=Q(sub_code__regex=r"^[0-9A-Z]{2}$"), name="sls_sub_code_format"),
        ]

    def __str__(self) -> str:
        return f"{self.full_code} {self.name}"

    @property
    def full_code(self) -> str:
        """The 16-character BPS id: kelurahan (10) + SLS (4) + sub-SLS (2)."""
        return f"{self.kelurahan_id}{self.code}{self.sub_code}"


class Role(models.TextChoices):
    PPL = "ppl", _("PPL (petugas pendataan lapangan)")
    PML = "pml", _("PML (pengawas)")
    KOSEKA = "koseka", _("Koseka (koordinator kecamatan)")
    BPS_ADMIN = "bps_admin", _("Admin BPS Kota")
    PEMKOT = "pemkot", _("Staf Pemkot")


# Who supervises whom: each PPL has one PML, each PML one Koseka.
SUPERVISOR_ROLE: dict[str, str] = {Role.PPL: Role.PML, Role.PML: Role.KOSEKA}


class User(AbstractUser):
    """A person who signs in: field staff (PPL, PML, Koseka), BPS Kota admins, Pemkot staff."""

    full_name = models.CharField(_("nama lengkap"), max_length=150)
    role = models.CharField(_("peran"), max_length=16, choices=Role.choices)
    supervisor = models.ForeignKey(
        "self",
        verbose_name=_("atasan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="team",
    )
    kecamatan = models.ForeignKey(
        Kecamatan,
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Wajib untuk Koseka: kecamatan yang dikoordinasikan."),
    )
    is_synthetic = models.BooleanField(_("data sintetis"), default=False)

    objects: ClassVar[UserManager[User]] = UserManager()  # type: ignore[assignment]  # AbstractUser's manager

    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name", "role"]

    class Meta:
        verbose_name = _("petugas / pengguna")
        verbose_name_plural = _("petugas / pengguna")
        ordering = ["username"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(role="koseka") | Q(kecamatan__isnull=False), name="user_koseka_has_kecamatan"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["ppl", "pml"]) | Q(supervisor__isnull=True),
                name="user_only_field_staff_have_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} ({self.get_role_display()})"


class Assignment(models.Model):
    """An SLS given to a PPL. Ending one keeps the row: the history of who held which SLS."""

    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="assignments")
    ppl = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("PPL"))
    started_at = models.DateTimeField(_("mulai"))
    ended_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ditugaskan oleh"),
    )
    ended_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diakhiri oleh"),
    )
    end_reason = models.CharField(_("alasan berakhir"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        ordering = ["sls_id", "-started_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["sls"], condition=Q(ended_at__isnull=True), name="assignment_one_active_ppl_per_sls"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["ppl", "ended_at"], name="assignment_ppl_active")]

    def __str__(self) -> str:
        return f"{self.sls_id} → {self.ppl_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class SyntheticDataset(models.Model):
    """Records what the synthetic generator made, so re-running it is a no-op."""

    seed = models.IntegerField()
    families = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("dataset sintetis")
        verbose_name_plural = _("dataset sintetis")

    def __str__(self) -> str:
        return f"seed={self.seed} families={self.families}"


class Device(models.Model):
    """A phone a PPL signed in on. Revoking it (a lost phone) makes it wipe its local data."""

    id = models.UUIDField(primary_key=True, help_text=_("Dibuat oleh aplikasi di ponsel."))
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(_("nama perangkat"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    wipe_confirmed_at = models.DateTimeField(null=True, blank=True)
    # What the phone reported at its last sync (headers X-App-Version, X-Unsent-Count): the field
    # staff health page shows them, so a supervisor sees an old app or a phone holding unsent work.
    app_version = models.CharField(_("versi aplikasi"), max_length=40, blank=True)
    unsent_count = models.PositiveIntegerField(_("belum terkirim"), null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("perangkat")
        verbose_name_plural = _("perangkat")
        ordering = ["user_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.name or self.pk}"


class DeviceToken(models.Model):
    """A bearer token of one device. Only its SHA-256 is stored; the token is shown once."""

    key_hash = models.CharField(max_length=64, unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token of {self.device_id}"
