"""Differential tests of the whole validator: Python validate() against validate.js.

Records are the clean example family with random changes (tests/questionnaire/records.py);
both validators must return identical issue lists (messages included) and derived values.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.questionnaire.definition import load_definition
from households.questionnaire.validate import derive, validate
from tests.questionnaire.nodejs import NodeEngine, node_path, run_batch
from tests.questionnaire.records import base_context, record_strategy, seeded_records

pytestmark = pytest.mark.skipif(node_path() is None, reason="node is not installed")

DEFINITION = load_definition("regsosek22k", "1")


@pytest.fixture(scope="module")
def node() -> Any:
    engine = NodeEngine()
    assert engine.request({"op": "definition", "definition": DEFINITION.data})["ok"]
    yield engine
    engine.close()


@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(record=record_strategy(), context=st.sampled_from([base_context(), {}, {"today": "2022-10-18"}]))
def test_python_validator_agrees_with_javascript(node: NodeEngine, record: dict[str, Any], context: Any) -> None:
    payload = json.loads(json.dumps({"op": "validate", "record": record, "context": context}))
    answer = node.request(payload)
    assert answer["ok"], answer
    assert validate(DEFINITION, payload["record"], payload["context"]) == answer["issues"]
    assert derive(DEFINITION, payload["record"], payload["context"]) == answer["derived"]


def test_a_batch_of_records_agrees_in_one_node_process() -> None:
    records = seeded_records(count=300, seed=20221015)
    payloads: list[dict[str, Any]] = [{"op": "definition", "definition": DEFINITION.data}]
    payloads += [{"op": "validate", "record": record, "context": base_context()} for record in records]
    answers = run_batch(json.loads(json.dumps(payloads)))
    assert len(answers) == len(payloads)
    assert all(answer["ok"] for answer in answers), [a for a in answers if not a["ok"]][:3]
    python_issues = [validate(DEFINITION, record, base_context()) for record in records]
    mismatched = [i for i, answer in enumerate(answers[1:]) if answer["issues"] != python_issues[i]]
    assert mismatched == []
    # The generated records must exercise the rules, not just pass them.
    checks = {issue["check"] for issues in python_issues for issue in issues}
    assert sum(1 for issues in python_issues if issues) > len(records) // 2
    assert len(checks) > 40
