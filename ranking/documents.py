"""A PMT model as a JSON document: checking one (before it is stored) and writing one.

The format, `regsosek-pmt-model/1`, is described in docs/ranking.md ("Loading another model").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from households.questionnaire.definition import load_definition
from ranking.features import check_features

FORMAT: Final = "regsosek-pmt-model/1"
_REQUIRED: Final = {"format", "version", "title", "form", "form_version", "target", "intercept", "features"}
_OPTIONAL: Final = {"provenance", "accuracy"}


class ModelDocumentError(ValueError):
    """A model document is malformed; `problems` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ModelDocument:
    version: str
    title: str
    form: str
    form_version: str
    target: str
    intercept: float
    features: list[dict[str, Any]]  # each with its "coefficient"
    provenance: dict[str, Any]
    accuracy: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "title": self.title,
            "form": self.form,
            "form_version": self.form_version,
            "target": self.target,
            "intercept": self.intercept,
            "features": self.features,
            "provenance": self.provenance,
            "accuracy": self.accuracy,
        }

    @property
    def sha256(self) -> str:
        body = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def parse_document(data: Any) -> ModelDocument:
    """Check a parsed JSON document against its form definition. Raises ModelDocumentError.

    A feature over a variable that is not in the form definition is refused, as is an unknown
    form or form version.
    """
    if not isinstance(data, Mapping):
        raise ModelDocumentError(["the document must be a JSON object"])
    problems = [f"missing key {key!r}" for key in sorted(_REQUIRED - data.keys())]
    problems += [f"unknown key {key!r}" for key in sorted(data.keys() - _REQUIRED - _OPTIONAL)]
    if problems:
        raise ModelDocumentError(problems)
    if data["format"] != FORMAT:
        problems.append(f"format must be {FORMAT!r}")
    for key in ("version", "title", "form", "form_version", "target"):
        if not (isinstance(data[key], str) and data[key].strip()):
            problems.append(f"{key} must be a non-empty string")
    if isinstance(data["version"], str) and len(data["version"]) > 80:
        problems.append("version must be at most 80 characters")
    if not _is_number(data["intercept"]):
        problems.append("intercept must be a finite number")
    for key in ("provenance", "accuracy"):
        if not isinstance(data.get(key, {}), dict):
            problems.append(f"{key} must be an object")
    features = data["features"]
    if isinstance(features, list):
        for index, feature in enumerate(features):
            if isinstance(feature, dict) and not _is_number(feature.get("coefficient")):
                problems.append(f"features[{index}]: coefficient must be a finite number")
    if problems:
        raise ModelDocumentError(problems)
    try:
        definition = load_definition(data["form"], data["form_version"])
    except LookupError:
        raise ModelDocumentError([f"unknown form {data['form']!r} version {data['form_version']!r}"]) from None
    specs = (
        [{k: v for k, v in f.items() if k != "coefficient"} if isinstance(f, dict) else f for f in features]
        if isinstance(features, list)
        else features
    )
    problems = check_features(specs, definition)
    if problems:
        raise ModelDocumentError(problems)
    return ModelDocument(
        version=data["version"],
        title=data["title"],
        form=data["form"],
        form_version=data["form_version"],
        target=data["target"],
        intercept=float(data["intercept"]),
        features=[dict(f) for f in features],
        provenance=dict(data.get("provenance", {})),
        accuracy=dict(data.get("accuracy", {})),
    )


def dump_document(document: ModelDocument) -> str:
    """The document as the JSON text that is written to files: indented, stable key order."""
    return json.dumps(document.as_json(), indent=2, ensure_ascii=False) + "\n"


def score(document: ModelDocument, values: list[float]) -> float:
    """The model's score (predicted log per-capita consumption) for a feature vector."""
    if len(values) != len(document.features):
        raise ValueError("one value per feature is needed")
    return document.intercept + sum(float(f["coefficient"]) * v for f, v in zip(document.features, values, strict=True))
