"""The compiled validator (validate.py) against a plain re-statement of the algorithm.

`reference_validate` below is the validator as it was before rules were compiled: it walks
the definition for every record and interprets each rule with `logic.apply_checked`. Both
must return identical issue lists (order and messages included) on many random records;
test_validate_differential.py compares validate() with validate.js as well.
"""

from __future__ import annotations

import copy
import pickle
import random
from collections.abc import Mapping
from typing import Any

import pytest

from households.questionnaire.definition import Definition, context_defaults, definition_from_data, load_definition
from households.questionnaire.logic import apply_checked, truthy
from households.questionnaire.validate import RecordError, code_ok, derive, is_answered, type_ok, validate
from tests.questionnaire.records import base_context, base_record, mutate

DEFINITION = load_definition("regsosek22k", "1")
CONTEXTS: list[Any] = [
    base_context(),
    {},
    None,
    {"today": "2022-10-18"},
    {**base_context(), "photo_trigger_codes": [], "kemendagri_kecamatan": ["99"], "bps_kabkota": "3201"},
]


def reference_validate(definition: Definition, record: dict[str, Any], context: Any) -> list[dict[str, Any]]:
    family, members = record.get("family", {}), record.get("members", [])
    messages = definition.data["messages"]
    issues: list[dict[str, Any]] = []

    def issue(item: Mapping[str, Any], index: int | None, check: str, severity: str, text: str, en: str) -> None:
        issues.append(
            {
                "variable": item["id"],
                "number": item.get("number"),
                "member_index": index,
                "check": check,
                "severity": severity,
                "message": text,
                "message_en": en,
            }
        )

    def builtin(item: Mapping[str, Any], index: int | None, kind: str) -> None:
        number = item.get("number")
        ref_id = f"{number} {item['label_id']}" if number else item["label_id"]
        ref_en = f"{number} {item['label_en']}" if number else item["label_en"]
        template = messages[kind]
        text, en = template["id"].replace("{ref}", ref_id), template["en"].replace("{ref}", ref_en)
        issue(item, index, kind, "error", text, en)

    def unknown_keys(row: Mapping[str, Any], known: set[str], index: int | None) -> None:
        unknown = (key for key in row if key not in known)
        for key in sorted(unknown, key=lambda key: key.encode("utf-16-be", "surrogatepass")):
            builtin({"id": key, "number": None, "label_id": key, "label_en": key}, index, "unknown")

    def holds(rule: Any, data: Any) -> bool:
        return truthy(apply_checked(rule, data))

    def run_checks(item: Mapping[str, Any], data: Any, index: int | None) -> None:
        for check in item.get("checks", []):
            if not holds(check["rule"], data):
                issue(item, index, check["id"], check["severity"], check["message_id"], check["message_en"])

    def variable(item: Mapping[str, Any], row: Mapping[str, Any], data: Any, required: bool, index: int | None) -> None:
        value = row.get(item["id"])
        if "relevant" in item and not holds(item["relevant"], data):
            if is_answered(value):
                builtin(item, index, "relevant")
        elif not is_answered(value):
            if item["required"] and required:
                builtin(item, index, "required")
        elif not type_ok(item["type"], value):
            builtin(item, index, "type")
        elif not code_ok(item, value):
            builtin(item, index, "code")
        else:
            run_checks(item, data, index)

    root = {"family": family, "members": members, "context": {**context_defaults(definition), **(context or {})}}
    unknown_keys(family, {v["id"] for v in definition.family_variables()}, None)
    for block in definition.data["blocks"]:
        block_relevant = "relevant" not in block or holds(block["relevant"], root)
        required_now = "required_when" not in block or holds(block["required_when"], root)
        for item in block["items"]:
            if item.get("type") != "group":
                if block_relevant:
                    variable(item, family, root, required_now, None)
                elif is_answered(family.get(item["id"])):
                    builtin(item, None, "relevant")
                continue
            if not (block_relevant and ("relevant" not in item or holds(item["relevant"], root))):
                if members:
                    builtin(item, None, "relevant")
            elif not members:
                if item["required"] and required_now:
                    builtin(item, None, "required")
            else:
                run_checks(item, root, None)
                known = {v["id"] for v in item["variables"]}
                for index, member in enumerate(members):
                    unknown_keys(member, known, index)
                    data = {**root, "member": member, "index": index}
                    for member_variable in item["variables"]:
                        variable(member_variable, member, data, required_now, index)
    return issues


def reference_derive(definition: Definition, record: dict[str, Any], context: Any) -> dict[str, Any]:
    root = {
        "family": record.get("family", {}),
        "members": record.get("members", []),
        "context": {**context_defaults(definition), **(context or {})},
    }
    return {entry["id"]: apply_checked(entry["rule"], root) for entry in definition.data["derived"]}


def _records(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for _ in range(count):
        record = mutate(base_record(), rng)
        for _ in range(rng.choice([0, 0, 1, 3])):  # some records far from the clean family
            record = mutate(record, rng)
        records.append(record)
    return records


def test_the_compiled_validator_agrees_with_the_reference_on_random_records() -> None:
    records = _records(400, seed=20221020)
    checks: set[str] = set()
    for number, record in enumerate(records):
        context = CONTEXTS[number % len(CONTEXTS)]
        issues, expected = validate(DEFINITION, record, context), reference_validate(DEFINITION, record, context)
        assert issues == expected, number
        assert [list(issue) for issue in issues] == [list(issue) for issue in expected]  # the same key order
        assert derive(DEFINITION, record, context) == reference_derive(DEFINITION, record, context)
        checks.update(issue["check"] for issue in issues)
    assert len(checks) > 60  # the records exercise most checks


def test_the_clean_family_is_clean_in_every_context() -> None:
    for context in CONTEXTS:
        assert validate(DEFINITION, base_record(), context) == reference_validate(DEFINITION, base_record(), context)
    assert validate(DEFINITION, base_record(), base_context()) == []


def test_the_plan_is_built_once_per_definition_and_results_are_fresh() -> None:
    record = base_record()
    record["family"]["r999"] = 1
    first = validate(DEFINITION, record, base_context())
    first[0]["message"] = "changed"
    first.clear()
    second = validate(DEFINITION, record, base_context())
    assert [issue["check"] for issue in second] == ["unknown"]
    assert second[0]["message"] != "changed"
    assert DEFINITION.cached("validate._Plan", lambda _: pytest.fail("rebuilt")) is not None


def test_a_plain_dict_definition_and_a_copy_give_the_same_issues() -> None:
    record = _records(1, seed=7)[0]
    copied = definition_from_data(copy.deepcopy(dict(DEFINITION.data)))
    expected = validate(DEFINITION, record, base_context())
    assert validate(copied, record, base_context()) == expected
    assert validate(dict(DEFINITION.data), record, base_context()) == expected


def test_records_of_the_wrong_shape_are_still_refused() -> None:
    with pytest.raises(RecordError):
        validate(DEFINITION, {**base_record(), "members": [1]}, None)
    with pytest.raises(RecordError):
        derive(DEFINITION, {**base_record(), "version": "2"}, None)


def test_a_definition_still_pickles_and_a_copy_builds_its_own_plan() -> None:
    validate(DEFINITION, base_record(), base_context())
    restored = pickle.loads(pickle.dumps(DEFINITION))  # noqa: S301 - our own bytes
    assert restored == DEFINITION
    assert validate(restored, base_record(), base_context()) == []
