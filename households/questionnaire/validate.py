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

import json
import math
from collections.abc import Callable, Mapping
from typing import Any, Final, TypedDict

from households.questionnaire.compiler import compile_checked, compile_predicate
from households.questionnaire.definition import (
    GROUP_ID,
    Definition,
    context_defaults,
    definition_from_data,
)
from households.questionnaire.jsvalues import as_double, is_number
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


# --- the plan: the definition read once, its rules compiled -----------------------------
#
# A plan is built once per Definition (Definition.cached) and holds everything validate()
# needs in the order it needs it: per item the compiled relevance rule, the type/code test,
# the compiled checks and the built-in messages already filled in. Relevance rules that are
# spelled the same (Blok IV repeats a few of them for most variables) share one slot, so
# each distinct rule is evaluated at most once per row; rules have no side effects, so this
# only skips repeated work and evaluates each rule first exactly where it was evaluated before.

_NO_RULE: Final = -1
_SAFE_INT: Final = 2**53  # an int of at most this size is its own double (integer_value(n) == n)
_BUILTIN_KINDS: Final = ("relevant", "required", "type", "code")

# A rule compiled as a condition: data -> JsonLogic truthiness of the rule's value.
_Predicate = Callable[[Any], bool]
# (rule, check id, severity, message, message_en)
_CheckPlan = tuple[_Predicate, str, str, str, str]


class _Scope:
    """The distinct rules evaluated on one kind of data (the family root, or a member row)."""

    def __init__(self) -> None:
        self.rules: list[_Predicate] = []
        self._slots: dict[str, int] = {}

    def slot(self, rule: Any) -> int:
        key = json.dumps(rule)
        if key not in self._slots:
            self._slots[key] = len(self.rules)
            self.rules.append(compile_predicate(rule))
        return self._slots[key]


def _builtin_messages(messages: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    number = item.get("number")
    ref_id = f"{number} {item['label_id']}" if number else item["label_id"]
    ref_en = f"{number} {item['label_en']}" if number else item["label_en"]
    return {
        kind: (messages[kind]["id"].replace("{ref}", ref_id), messages[kind]["en"].replace("{ref}", ref_en))
        for kind in _BUILTIN_KINDS
    }


def _checks(item: Mapping[str, Any]) -> tuple[_CheckPlan, ...]:
    return tuple(
        (compile_predicate(check["rule"]), check["id"], check["severity"], check["message_id"], check["message_en"])
        for check in item.get("checks", [])
    )


def _verdict(variable: Mapping[str, Any]) -> Callable[[Any], str | None]:
    """The answer's built-in problem: "type", "code" or None (type_ok, then code_ok)."""
    kind = variable["type"]
    if kind == "code":
        codes = frozenset(entry["code"] for entry in variable["codes"])

        def code(value: Any) -> str | None:
            if type(value) is int and -_SAFE_INT <= value <= _SAFE_INT:
                return None if value in codes else "code"
            item = integer_value(value)
            if item is None:
                return "type"
            return None if item in codes else "code"

        return code
    if kind == "integer":

        def integer(value: Any) -> str | None:
            if type(value) is int and -_SAFE_INT <= value <= _SAFE_INT:
                return None
            return None if integer_value(value) is not None else "type"

        return integer
    if kind == "string":

        def string(value: Any) -> str | None:
            return None if isinstance(value, str) else "type"

        return string
    if kind == "multicode":
        codes = frozenset(entry["code"] for entry in variable["codes"])

        def multicode(value: Any) -> str | None:
            if not isinstance(value, list):
                return "type"
            items = [integer_value(item) for item in value]
            if None in items:
                return "type"
            return None if codes.issuperset(items) and len(set(items)) == len(items) else "code"

        return multicode

    def other(value: Any) -> str | None:
        if not type_ok(kind, value):
            return "type"
        return None if code_ok(variable, value) else "code"

    return other


class _VariablePlan:
    __slots__ = ("checks", "id", "messages", "number", "relevant", "required", "verdict")

    def __init__(self, variable: Mapping[str, Any], scope: _Scope, messages: Mapping[str, Any]) -> None:
        self.id: str = variable["id"]
        self.number: str | None = variable.get("number")
        self.required: bool = variable["required"]
        self.relevant = scope.slot(variable["relevant"]) if "relevant" in variable else _NO_RULE
        self.verdict = _verdict(variable)
        self.checks = _checks(variable)
        self.messages = _builtin_messages(messages, variable)


class _GroupPlan:
    __slots__ = ("checks", "id", "known", "member_rules", "messages", "number", "relevant", "required", "variables")

    def __init__(self, group: Mapping[str, Any], family_scope: _Scope, messages: Mapping[str, Any]) -> None:
        self.id: str = group["id"]
        self.number: str | None = group.get("number")
        self.required: bool = group["required"]
        self.relevant = family_scope.slot(group["relevant"]) if "relevant" in group else _NO_RULE
        self.checks = _checks(group)
        self.messages = _builtin_messages(messages, group)
        member_scope = _Scope()
        self.variables = tuple(_VariablePlan(variable, member_scope, messages) for variable in group["variables"])
        self.member_rules = tuple(member_scope.rules)
        self.known = frozenset(variable["id"] for variable in group["variables"])


class _BlockPlan:
    """A block's rules and its items: runs of family variables, and the member group."""

    __slots__ = ("parts", "relevant", "required_when")

    def __init__(self, block: Mapping[str, Any], family_scope: _Scope, messages: Mapping[str, Any]) -> None:
        self.relevant = family_scope.slot(block["relevant"]) if "relevant" in block else _NO_RULE
        self.required_when = family_scope.slot(block["required_when"]) if "required_when" in block else _NO_RULE
        parts: list[tuple[_VariablePlan, ...] | _GroupPlan] = []
        run: list[_VariablePlan] = []
        for item in block["items"]:
            if item.get("type") == "group":
                if run:
                    parts.append(tuple(run))
                    run = []
                parts.append(_GroupPlan(item, family_scope, messages))
            else:
                run.append(_VariablePlan(item, family_scope, messages))
        if run:
            parts.append(tuple(run))
        self.parts = tuple(parts)


class _Plan:
    def __init__(self, definition: Definition) -> None:
        data = definition.data
        self.messages: Mapping[str, Any] = data["messages"]
        self.context_defaults = context_defaults(definition)
        self.family_ids = frozenset(variable["id"] for variable in definition.family_variables())
        scope = _Scope()
        self.blocks = tuple(_BlockPlan(block, scope, self.messages) for block in data["blocks"])
        self.family_rules = tuple(scope.rules)
        self.derived = tuple((entry["id"], compile_checked(entry["rule"])) for entry in data["derived"])


def _plan(definition: Definition) -> _Plan:
    return definition.cached("validate._Plan", _Plan)


# --- running the plan ---------------------------------------------------------------------


def _add_builtin(issues: list[Issue], item: _VariablePlan | _GroupPlan, member_index: int | None, kind: str) -> None:
    message, message_en = item.messages[kind]
    issues.append(
        {
            "variable": item.id,
            "number": item.number,
            "member_index": member_index,
            "check": kind,
            "severity": "error",
            "message": message,
            "message_en": message_en,
        }
    )


def _unknown_keys(
    issues: list[Issue],
    messages: Mapping[str, Any],
    row: dict[str, Any],
    known: frozenset[str],
    member_index: int | None,
) -> None:
    unknown = row.keys() - known
    if not unknown:
        return
    template = messages["unknown"]
    for key in sorted(unknown, key=_utf16_key):
        issues.append(
            {
                "variable": key,
                "number": None,
                "member_index": member_index,
                "check": "unknown",
                "severity": "error",
                "message": template["id"].replace("{ref}", key),
                "message_en": template["en"].replace("{ref}", key),
            }
        )


def _run_checks(
    issues: list[Issue], item: _VariablePlan | _GroupPlan, data: dict[str, Any], member_index: int | None
) -> None:
    for rule, check_id, severity, message, message_en in item.checks:
        if not rule(data):
            issues.append(
                {
                    "variable": item.id,
                    "number": item.number,
                    "member_index": member_index,
                    "check": check_id,
                    "severity": severity,
                    "message": message,
                    "message_en": message_en,
                }
            )


def _variables(
    issues: list[Issue],
    variables: tuple[_VariablePlan, ...],
    row: dict[str, Any],
    data: dict[str, Any],
    rules: tuple[_Predicate, ...],
    relevance: list[bool | None],
    required_now: bool,
    member_index: int | None,
) -> None:
    """Each variable's built-in issue or checks (`relevance` caches the rules' verdicts for this row)."""
    for variable in variables:
        value = row.get(variable.id)
        slot = variable.relevant
        if slot != _NO_RULE:
            relevant = relevance[slot]
            if relevant is None:
                relevant = relevance[slot] = rules[slot](data)
            if not relevant:
                if is_answered(value):
                    _add_builtin(issues, variable, member_index, "relevant")
                continue
        if value is None or value == "" or value == []:
            if variable.required and required_now:
                _add_builtin(issues, variable, member_index, "required")
            continue
        problem = variable.verdict(value)
        if problem is not None:
            _add_builtin(issues, variable, member_index, problem)
            continue
        if variable.checks:
            _run_checks(issues, variable, data, member_index)


def _group(
    issues: list[Issue],
    plan: _Plan,
    group: _GroupPlan,
    root: dict[str, Any],
    members: list[dict[str, Any]],
    relevant: bool,
    required_now: bool,
) -> None:
    if not relevant:
        if members:
            _add_builtin(issues, group, None, "relevant")
        return
    if not members:
        if group.required and required_now:
            _add_builtin(issues, group, None, "required")
        return
    _run_checks(issues, group, root, None)
    rules = group.member_rules
    for index, member in enumerate(members):
        _unknown_keys(issues, plan.messages, member, group.known, index)
        data = {**root, "member": member, "index": index}
        _variables(issues, group.variables, member, data, rules, [None] * len(rules), required_now, index)


def _run(plan: _Plan, family: dict[str, Any], members: list[dict[str, Any]], context: dict[str, Any]) -> list[Issue]:
    issues: list[Issue] = []
    root = {"family": family, "members": members, "context": context}
    _unknown_keys(issues, plan.messages, family, plan.family_ids, None)
    rules = plan.family_rules
    relevance: list[bool | None] = [None] * len(rules)

    def holds(slot: int) -> bool:
        if slot == _NO_RULE:
            return True
        verdict = relevance[slot]
        if verdict is None:
            verdict = relevance[slot] = rules[slot](root)
        return verdict

    for block in plan.blocks:
        block_relevant = holds(block.relevant)
        required_now = holds(block.required_when)
        for part in block.parts:
            if isinstance(part, _GroupPlan):
                relevant = block_relevant and holds(part.relevant)
                _group(issues, plan, part, root, members, relevant, required_now)
            elif block_relevant:
                _variables(issues, part, family, root, rules, relevance, required_now, None)
            else:
                for variable in part:
                    if is_answered(family.get(variable.id)):
                        _add_builtin(issues, variable, None, "relevant")
    return issues


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
    plan = _plan(checked)
    return _run(plan, family, members, {**plan.context_defaults, **(context or {})})


def derive(
    definition: Definition | Mapping[str, Any],
    record: Any,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The definition's derived values for a record, e.g. {"photo_required": True}."""
    checked = _as_definition(definition)
    family, members = _split(checked, record)
    plan = _plan(checked)
    root = {"family": family, "members": members, "context": {**plan.context_defaults, **(context or {})}}
    return {derived_id: rule(root) for derived_id, rule in plan.derived}


__all__ = ["GROUP_ID", "RECORD_KEYS", "Issue", "RecordError", "derive", "effective_context", "validate"]
