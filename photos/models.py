"""House photos: uploaded by the enumerator app, processed by a Celery task (docs/photos.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from enumeration.models import User
from households.models import Family


class Photo(models.Model):
    """A house photo. Uploaded once (keyed by its UUID and SHA-256), processed by a Celery task."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima, belum diproses")
        READY = "ready", _("Siap")
        REJECTED = "rejected", _("Ditolak")

    client_uuid = models.UUIDField(unique=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="photos")
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    original = models.FileField(upload_to="photos/incoming/", blank=True)
    image = models.FileField(upload_to="photos/ready/", blank=True)
    thumbnail = models.FileField(upload_to="photos/thumbs/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    rejection_code = models.CharField(max_length=30, blank=True)
    # Decodes started by the processing task, committed before each one: a photo whose decode kills
    # the worker (out of memory) is rejected after a few tries instead of being redelivered forever.
    process_attempts = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when photos lived in the geotag app (photos migration 0001).
        db_table = "geotag_photo"
        verbose_name = _("foto rumah")
        verbose_name_plural = _("foto rumah")

    def __str__(self) -> str:
        return f"photo {self.pk} of family {self.family_id}"
