"""Dwelling geotags (one per building, shared by its families) and the checks flagged on them."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from enumeration.models import SLS, User


class Geotag(models.Model):
    """Where a dwelling is: a point from the phone, its accuracy, time and provider."""

    client_uuid = models.UUIDField(unique=True)
    sls = models.ForeignKey(SLS, on_delete=models.PROTECT, related_name="geotags")
    building_no = models.CharField(_("no. urut bangunan"), max_length=3, blank=True)
    location = models.PointField(geography=True, srid=4326)
    accuracy_m = models.FloatField(_("akurasi (m)"))
    captured_at = models.DateTimeField(_("waktu pengambilan"))
    provider = models.CharField(_("sumber lokasi"), max_length=20)
    accepted_reason = models.CharField(_("alasan menerima akurasi rendah"), max_length=255, blank=True)
    collected_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("dikumpulkan oleh")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("geotag")
        verbose_name_plural = _("geotag")
        indexes: ClassVar = [models.Index(fields=["collected_by", "captured_at"], name="geotag_ppl_time")]

    def __str__(self) -> str:
        return f"geotag {self.pk} (SLS {self.sls_id})"


class GeotagFlag(models.Model):
    """A check a supervisor should look at; computed when the geotag arrives."""

    class Kind(models.TextChoices):
        OUTSIDE_KELURAHAN = "outside_kelurahan", _("Di luar kelurahan tugas")
        LOW_ACCURACY = "low_accuracy", _("Akurasi rendah")
        SHARED_POINT = "shared_point", _("Titik sama dengan bangunan lain")
        IMPLAUSIBLE_SPEED = "implausible_speed", _("Kecepatan perpindahan tidak wajar")

    geotag = models.ForeignKey(Geotag, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["geotag", "kind"], name="geotag_flag_once")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.geotag_id}"
