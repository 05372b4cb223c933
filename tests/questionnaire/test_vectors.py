"""The shared vectors through the Python validator (validate.test.js runs them in Node)."""

from __future__ import annotations

from typing import Any

import pytest

from households.questionnaire.definition import load_definition
from households.questionnaire.validate import derive, validate
from tests.questionnaire.vectors import ISSUE_KEYS, load_vectors, projection

VECTORS = load_vectors()


def test_there_are_enough_vectors_with_unique_names() -> None:
    names = [vector["name"] for vector in VECTORS]
    assert len(names) >= 100
    assert len(set(names)) == len(names)


def test_vectors_cover_every_check_of_the_definition() -> None:
    definition = load_definition("regsosek22k", "1")
    items = [*definition.family_variables(), definition.group(), *definition.member_variables()]
    check_ids = {check["id"] for item in items if item for check in item.get("checks", [])}
    covered = {issue["check"] for vector in VECTORS for issue in vector["expected"]}
    assert check_ids - covered == set()
    assert {"required", "type", "code", "relevant", "unknown"} <= covered
    assert any("derived" in vector for vector in VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[f"{v['file']}: {v['name']}" for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    record = vector["record"]
    definition = load_definition(record["form"], record["version"])
    issues = validate(definition, record, vector["context"])
    assert projection(list(issues)) == vector["expected"]
    for issue in issues:
        assert set(issue) == {*ISSUE_KEYS, "number", "message", "message_en"}
        assert issue["message"] and issue["message_en"]
    if "derived" in vector:
        assert derive(definition, record, vector["context"]) == vector["derived"]
