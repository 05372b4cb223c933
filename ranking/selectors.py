"""Reads of the ranking app."""

from __future__ import annotations

from ranking.documents import ModelDocument
from ranking.models import PMTModel


def pmt_model_get(*, version: str) -> PMTModel:
    """The model of that version. Raises PMTModel.DoesNotExist."""
    return PMTModel.objects.get(version=version)


def pmt_model_document(*, model: PMTModel) -> ModelDocument:
    """The stored model as its JSON document (the inverse of services.pmt_model_import)."""
    return ModelDocument(
        version=model.version,
        title=model.title,
        form=model.form_id,
        form_version=model.form_version,
        target=model.target,
        intercept=model.intercept,
        features=list(model.features),
        provenance=dict(model.provenance),
        accuracy=dict(model.accuracy),
    )
