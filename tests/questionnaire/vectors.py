"""Loading the shared test vectors (tests/questionnaire/vectors/*.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

VECTORS_DIR = Path(__file__).resolve().parent / "vectors"
ISSUE_KEYS = ("variable", "member_index", "check", "severity")


def load_vectors() -> list[dict[str, Any]]:
    vectors = []
    for path in sorted(VECTORS_DIR.glob("*.json")):
        for vector in json.loads(path.read_text(encoding="utf-8")):
            vectors.append({**vector, "file": path.name})
    return vectors


def projection(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The part of an issue a vector pins down."""
    return [{key: issue[key] for key in ISSUE_KEYS} for issue in issues]
