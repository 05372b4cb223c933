"""Validate a family record against its questionnaire definition.

The phone runs the same algorithm (static/js/questionnaire/validate.js) and must produce
the same issues in the same order; tests/questionnaire/vectors/ pin both down.

Order of issues: unknown family keys (sorted), then every item in definition order. A
variable yields at most one of "relevant" (answered but skipped), "required", "type" or
"code", and only an answered, well-typed, relevant variable runs its checks, in order.
The member group yields its own relevant/required issue or its checks, then each member
row in order: its unknown keys (sorted), then its variables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, TypedDict

from households.questionnaire.definition import (
    GROUP_ID,
    Definition,
    context_defaults,
    definition_from_data,
)
from households.questionnaire.jsvalues import as_double, is_number
from households.questionnaire.logic import apply_checked as apply
from households.questionnaire.logic import truthy
from households.questionnaire.operations import integer_value, parse_iso_date


class Issue(TypedDict):
    variable: str
    number: str | None
    member_index: int | None
    check: str
    severity: str
    message: str
    message_en: str


class RecordError(ValueError):
    """The record does not have the record shape, or belongs to another form/version."""


RECORD_KEYS: Final = ("form", "version", "family", "members")


def _as_definition(definition: Definition | Mapping[str, Any]) -> Definition:
    if isinstance(definition, Definition):
        return definition
    return definition_from_data(dict(definition))


def effective_context(definition: Definition, context: Mapping[str, Any] | None) -> dict[str, Any]:
    """The definition's context defaults, overridden key by key by the caller's context."""
    return {**context_defaults(definition), **(context or {})}


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def type_ok(kind: str, value: Any) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind in ("integer", "code"):
        return integer_value(value) is not None
    if kind == "number":
        return is_number(value) and math.isfinite(as_double(value))
    if kind == "date":
        return parse_iso_date(value) is not None
    if kind == "multicode":
        return isinstance(value, list) and all(integer_value(item) is not None for item in value)
    if kind == "boolean":
        return isinstance(value, bool)
    raise ValueError(f"unknown type {kind!r}")


def code_ok(variable: Mapping[str, Any], value: Any) -> bool:
    kind = variable["type"]
    if kind not in ("code", "multicode"):
        return True
    codes = {entry["code"] for entry in variable["codes"]}
    values = [integer_value(item) for item in (value if kind == "multicode" else [value])]
    return all(item in codes for item in values) and len(set(values)) == len(values)


def _split(definition: Definition, record: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(record, dict):
        raise RecordError("a record is a JSON object")
    form, version = record.get("form"), record.get("version")
    if (form, version) != (definition.form, definition.version):
        raise RecordError(
            f"record is for {form!r} version {version!r}, definition is {definition.form!r} "
            f"version {definition.version!r}"
        )
    family = record.get("family", {})
    members = record.get("members", [])
    if not isinstance(family, dict):
        raise RecordError("record.family must be an object")
    if not isinstance(members, list) or not all(isinstance(member, dict) for member in members):
        raise RecordError("record.members must be a list of objects")
    return family, members


def _utf16_key(text: str) -> bytes:
    # JavaScript sorts strings by UTF-16 code units.
    return text.encode("utf-16-be", "surrogatepass")


class _Validator:
    def __init__(self, definition: Definition, context: dict[str, Any]) -> None:
        self.definition = definition
        self.messages = definition.data["messages"]
        self.context = context
        self.issues: list[Issue] = []

    def issue(
        self,
        item: Mapping[str, Any],
        member_index: int | None,
        check: str,
        severity: str,
        message: str,
        message_en: str,
    ) -> None:
        self.issues.append(
            {
                "variable": item["id"],
                "number": item.get("number"),
                "member_index": member_index,
                "check": check,
                "severity": severity,
                "message": message,
                "message_en": message_en,
            }
        )

    def builtin(self, item: Mapping[str, Any], member_index: int | None, kind: str) -> None:
        number = item.get("number")
        ref_id = f"{number} {item['label_id']}" if number else item["label_id"]
        ref_en = f"{number} {item['label_en']}" if number else item["label_en"]
        template = self.messages[kind]
        message = template["id"].replace("{ref}", ref_id)
        message_en = template["en"].replace("{ref}", ref_en)
        self.issue(item, member_index, kind, "error", message, message_en)

    def unknown_keys(self, row: Mapping[str, Any], known: set[str], member_index: int | None) -> None:
        for key in sorted((key for key in row if key not in known), key=_utf16_key):
            pseudo = {"id": key, "number": None, "label_id": key, "label_en": key}
            self.builtin(pseudo, member_index, "unknown")

    def run_checks(self, item: Mapping[str, Any], data: Mapping[str, Any], member_index: int | None) -> None:
        for check in item.get("checks", []):
            if not truthy(apply(check["rule"], data)):
                self.issue(
                    item,
                    member_index,
                    check["id"],
                    check["severity"],
                    check["message_id"],
                    check["message_en"],
                )

    def variable(
        self,
        variable: Mapping[str, Any],
        row: Mapping[str, Any],
        data: Mapping[str, Any],
        required_now: bool,
        member_index: int | None,
    ) -> None:
        value = row.get(variable["id"])
        relevant = "relevant" not in variable or truthy(apply(variable["relevant"], data))
        if not relevant:
            if is_answered(value):
                self.builtin(variable, member_index, "relevant")
            return
        if not is_answered(value):
            if variable["required"] and required_now:
                self.builtin(variable, member_index, "required")
            return
        if not type_ok(variable["type"], value):
            self.builtin(variable, member_index, "type")
            return
        if not code_ok(variable, value):
            self.builtin(variable, member_index, "code")
            return
        self.run_checks(variable, data, member_index)

    def group(
        self,
        group: Mapping[str, Any],
        root: Mapping[str, Any],
        members: list[dict[str, Any]],
        block_relevant: bool,
        required_now: bool,
    ) -> None:
        relevant = block_relevant and ("relevant" not in group or truthy(apply(group["relevant"], root)))
        if not relevant:
            if members:
                self.builtin(group, None, "relevant")
            return
        if not members:
            if group["required"] and required_now:
                self.builtin(group, None, "required")
            return
        self.run_checks(group, root, None)
        known = {variable["id"] for variable in group["variables"]}
        for index, member in enumerate(members):
            self.unknown_keys(member, known, index)
            data = {**root, "member": member, "index": index}
            for variable in group["variables"]:
                self.variable(variable, member, data, required_now, index)

    def run(self, family: dict[str, Any], members: list[dict[str, Any]]) -> list[Issue]:
        root = {"family": family, "members": members, "context": self.context}
        self.unknown_keys(family, {v["id"] for v in self.definition.family_variables()}, None)
        for block in self.definition.data["blocks"]:
            block_relevant = "relevant" not in block or truthy(apply(block["relevant"], root))
            required_now = "required_when" not in block or truthy(apply(block["required_when"], root))
            for item in block["items"]:
                if item.get("type") == "group":
                    self.group(item, root, members, block_relevant, required_now)
                    continue
                if block_relevant:
                    self.variable(item, family, root, required_now, None)
                elif is_answered(family.get(item["id"])):
                    self.builtin(item, None, "relevant")
        return self.issues


def validate(
    definition: Definition | Mapping[str, Any],
    record: Any,
    context: Mapping[str, Any] | None = None,
) -> list[Issue]:
    """Every issue of `record`, in the documented order (an empty list when it is clean).

    `context` supplies values rules read as `context.<key>` (today's date, area codes, the
    photo-trigger codes...); missing keys take the definition's defaults. Raises RecordError
    if the record is not shaped like a record of this definition's form and version.
    """
    checked = _as_definition(definition)
    family, members = _split(checked, record)
    return _Validator(checked, effective_context(checked, context)).run(family, members)


def derive(
    definition: Definition | Mapping[str, Any],
    record: Any,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The definition's derived values for a record, e.g. {"photo_required": True}."""
    checked = _as_definition(definition)
    family, members = _split(checked, record)
    root = {"family": family, "members": members, "context": effective_context(checked, context)}
    return {entry["id"]: apply(entry["rule"], root) for entry in checked.data["derived"]}


__all__ = ["GROUP_ID", "RECORD_KEYS", "Issue", "RecordError", "derive", "effective_context", "validate"]
