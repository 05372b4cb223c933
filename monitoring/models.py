"""Analysts' export jobs, and the progress counters kept per SLS by PostgreSQL triggers.

Export jobs: one row per requested file, written only by `monitoring.exports`.
A job names what was asked (kind, format, filters) and by whom; the worker fills in its progress,
the file and the row count. Files live under MEDIA_ROOT/exports/ and are served only through the
scoped download view, until `expires_at` (docs/monitoring-quality.md, "Exports").
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from enumeration.models import SLS, User


class ExportKind(models.TextChoices):
    FAMILIES = "families", _("Keluarga")
    MEMBERS = "members", _("Anggota keluarga")
    GEOTAGS = "geotags", _("Geotag bangunan")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    GEOJSON = "geojson", "GeoJSON"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Diproses")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")
    EXPIRED = "expired", _("Kedaluwarsa")


class ExportJob(models.Model):
    """One requested export file and its progress."""

    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    labels = models.BooleanField(_("label nilai"), default=False)
    kecamatan_code = models.CharField(max_length=7, blank=True)
    kelurahan_code = models.CharField(max_length=10, blank=True)
    sls_id = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, blank=True)

    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    # Progress counts families (the unit the job is cut into); `row_count` is the file's rows.
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["requested_by", "created_at"], name="export_by_user")]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(format="geojson", kind="geotags") | ~models.Q(format="geojson"),
                name="export_geojson_is_geotags",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} {self.kind}.{self.format} ({self.state})"

    @property
    def is_pending(self) -> bool:
        """Queued or running: its page keeps asking for its progress."""
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


# --- counters kept per SLS -------------------------------------------------------------------------
# Written only by the PostgreSQL triggers of migration 0002 (on households_family,
# households_prelistfamily and geotag_geotag), in the transaction of the change itself: they always
# equal a fresh count of the data (docs/monitoring.md, "Counters kept per SLS"). Never written by
# Django code; read by monitoring.progress and monitoring.mapdata.


class SLSFamilyCount(models.Model):
    """Families of one SLS with one review status, and how many of them have a geotag (with the
    sums of the geotags' longitudes and latitudes, for the SLS's centroid on the low-zoom map)."""

    sls = models.ForeignKey(SLS, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=12)
    families = models.IntegerField(default=0)
    geotagged = models.IntegerField(default=0)
    sum_lon = models.FloatField(default=0)
    sum_lat = models.FloatField(default=0)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["sls", "status"], name="slsfamilycount_key")]

    def __str__(self) -> str:
        return f"SLS {self.sls_id} {self.status}: {self.families}"


class SLSFamilyDay(models.Model):
    """Families of one SLS that reached the server on a local day (`collected`, by created_at), and
    approved families whose approval that holds now was on that day (`approved`, by reviewed_at)."""

    sls = models.ForeignKey(SLS, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    collected = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["sls", "day"], name="slsfamilyday_key")]

    def __str__(self) -> str:
        return f"SLS {self.sls_id} {self.day}: {self.collected}/{self.approved}"


class SLSPrelistCount(models.Model):
    """VK1 rows of one SLS with one status."""

    sls = models.ForeignKey(SLS, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=12)
    rows = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["sls", "status"], name="slsprelistcount_key")]

    def __str__(self) -> str:
        return f"SLS {self.sls_id} {self.status}: {self.rows}"
