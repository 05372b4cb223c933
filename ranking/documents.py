"""A PMT model as a JSON document: checking one (before it is stored) and writing one.

The format, `regsosek-pmt-model/1`, is described in docs/ranking.md ("Loading another model").
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from households.questionnaire.definition import load_definition
from ranking.features import check_features

FORMAT: Final = "regsosek-pmt-model/1"
_REQUIRED: Final = {"format", "version", "title", "form", "form_version", "target", "intercept", "features"}
_OPTIONAL: Final = {"provenance", "accuracy", "strata"}
_STRATUM_KEYS: Final = {"name", "kecamatan", "intercept", "coefficients"}


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
    # Optional equations per area: {"name", "kecamatan": [BPS codes], "intercept", "coefficients": {feature: c}}.
    strata: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        # "strata" only when there are some, so a document without strata keeps its hash.
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
            **({"strata": self.strata} if self.strata else {}),
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
    names = [str(f.get("name")) for f in features if isinstance(f, dict)] if isinstance(features, list) else []
    problems += _check_strata(data.get("strata", []), names)
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
        strata=[
            {**stratum, "kecamatan": list(stratum["kecamatan"]), "coefficients": dict(stratum["coefficients"])}
            for stratum in data.get("strata", [])
        ],
    )


def _check_strata(strata: Any, feature_names: list[str]) -> list[str]:
    """Problems of the optional strata: each an object with a unique `name`, a non-empty list of
    kecamatan codes (7 digits, each in one stratum only), an `intercept` and a coefficient for every
    feature of the model (and no other). Whether the codes are areas of this deployment is checked
    where the model is stored (services.pmt_model_import)."""
    if not isinstance(strata, list):
        return ["strata must be a list"]
    problems: list[str] = []
    names: set[str] = set()
    owner: dict[str, str] = {}
    for index, stratum in enumerate(strata):
        where = f"strata[{index}]"
        if not isinstance(stratum, dict):
            problems.append(f"{where}: must be an object")
            continue
        missing, unknown = _STRATUM_KEYS - stratum.keys(), stratum.keys() - _STRATUM_KEYS
        problems += [f"{where}: missing key {key!r}" for key in sorted(missing)]
        problems += [f"{where}: unknown key {key!r}" for key in sorted(unknown)]
        if missing:
            continue
        name = stratum["name"]
        if not (isinstance(name, str) and name.strip()) or name in names:
            problems.append(f"{where}: the name must be a non-empty string, unique in the model")
        names.add(str(name))
        codes = stratum["kecamatan"]
        if not isinstance(codes, list) or not codes:
            problems.append(f"{where}: kecamatan must be a non-empty list of codes")
            codes = []
        for code in codes:
            if not (isinstance(code, str) and len(code) == 7 and code.isdigit()):
                problems.append(f"{where}: kecamatan code {code!r} must be 7 digits (BPS code)")
            elif code in owner:
                problems.append(f"{where}: kecamatan {code} is already in stratum {owner[code]!r}")
            else:
                owner[code] = str(name)
        if not _is_number(stratum["intercept"]):
            problems.append(f"{where}: intercept must be a finite number")
        coefficients = stratum["coefficients"]
        if not isinstance(coefficients, dict):
            problems.append(f"{where}: coefficients must be an object of feature name to number")
            continue
        problems += [f"{where}: no coefficient for feature {n!r}" for n in feature_names if n not in coefficients]
        problems += [f"{where}: unknown feature {n!r}" for n in coefficients if n not in feature_names]
        problems += [
            f"{where}: coefficient of {n!r} must be a finite number"
            for n, value in coefficients.items()
            if n in feature_names and not _is_number(value)
        ]
    return problems


def equation(document: ModelDocument, kecamatan: str | None) -> tuple[float, list[float]]:
    """The intercept and coefficients (in feature order) that score a family of `kecamatan`: its
    stratum's, else the model's own."""
    for stratum in document.strata:
        if kecamatan in stratum["kecamatan"]:
            coefficients = stratum["coefficients"]
            return float(stratum["intercept"]), [float(coefficients[f["name"]]) for f in document.features]
    return document.intercept, [float(f["coefficient"]) for f in document.features]


def dump_document(document: ModelDocument) -> str:
    """The document as the JSON text that is written to files: indented, stable key order."""
    return json.dumps(document.as_json(), indent=2, ensure_ascii=False) + "\n"


def score(document: ModelDocument, values: list[float], *, kecamatan: str | None = None) -> float:
    """The model's score (predicted log per-capita consumption) for a feature vector of a family of
    `kecamatan` (its stratum's equation, else the model's)."""
    if len(values) != len(document.features):
        raise ValueError("one value per feature is needed")
    intercept, coefficients = equation(document, kecamatan)
    return intercept + sum(c * v for c, v in zip(coefficients, values, strict=True))
