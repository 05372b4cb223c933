"""Read-only admin of PMT models: they are loaded from JSON (load_pmt_model), never edited."""

from __future__ import annotations

from django.contrib import admin

from enumeration.admin import ReadOnly
from ranking.models import PMTModel


@admin.register(PMTModel)
class PMTModelAdmin(ReadOnly):
    list_display = ["version", "title", "form_id", "form_version", "created_at", "activated_at"]
