"""Writes of the ranking app: loading PMT models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ranking.documents import ModelDocument, ModelDocumentError, parse_document
from ranking.models import PMTModel
from regsosek.errors import ApplicationError, ConflictError


class InvalidModelError(ApplicationError):
    code = "invalid_model"


@dataclass(frozen=True)
class ModelImport:
    model: PMTModel
    created: bool


def _from_document(document: ModelDocument) -> PMTModel:
    return PMTModel(
        version=document.version,
        title=document.title,
        form_id=document.form,
        form_version=document.form_version,
        target=document.target,
        features=document.features,
        intercept=document.intercept,
        provenance=document.provenance,
        accuracy=document.accuracy,
        document_sha256=document.sha256,
    )


@transaction.atomic
def pmt_model_import(*, data: Any) -> ModelImport:
    """Store a PMT model from its JSON document (already parsed from JSON).

    Idempotent: the same document again returns the stored model (`created` False). A model
    version is immutable, so another document under a stored version is refused.
    Raises InvalidModelError (every problem of the document, in `extra["problems"]`, e.g. a feature
    over a variable that is not in the form definition) and ConflictError.
    """
    try:
        document = parse_document(data)
    except ModelDocumentError as error:
        raise InvalidModelError(_("Model PMT tidak valid."), extra={"problems": error.problems}) from error
    current = PMTModel.objects.select_for_update().filter(version=document.version).first()
    if current is not None:
        if current.document_sha256 == document.sha256:
            return ModelImport(model=current, created=False)
        raise ConflictError(_("Versi model PMT ini sudah ada dengan isi lain; beri versi baru."))
    model = _from_document(document)
    model.full_clean()
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError:
        # A concurrent import of the same version won the race: answer as the retry it is.
        current = PMTModel.objects.get(version=document.version)
        if current.document_sha256 != document.sha256:
            raise ConflictError(_("Versi model PMT ini sudah ada dengan isi lain; beri versi baru.")) from None
        return ModelImport(model=current, created=False)
    return ModelImport(model=model, created=True)
