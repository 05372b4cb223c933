"""PMT models as data: features over questionnaire variables, coefficients, provenance, accuracy.

A model version is immutable once loaded: ranking runs will record which one they used, so a
changed model is a new `version`, never an edit (docs/ranking.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    document_sha256 = models.CharField(max_length=64, help_text=_("SHA-256 dokumen JSON kanonis model."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("model PMT")
        verbose_name_plural = _("model PMT")
        ordering = ["-created_at", "version"]

    def __str__(self) -> str:
        return self.version
