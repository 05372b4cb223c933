"""Questionnaire definitions: loading, structural checks, and the served JSON.

A definition is one JSON file, `definitions/<form>-<version>.json`; docs/questionnaire.md
describes its format. A new form version is a new file: no code changes. Loading checks the
whole structure (known keys, unique ids and codes, every rule on the operator whitelist and
every `var` path pointing at a variable or context key that exists in that scope) and
raises DefinitionError listing every problem found.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

from households.questionnaire.jsvalues import BUILTIN_PROPERTIES, is_number
from households.questionnaire.logic import OPERATORS
from households.questionnaire.operations import CUSTOM_ARITY

DEFINITIONS_DIR: Final = Path(__file__).resolve().parent / "definitions"

TYPES: Final = frozenset({"string", "integer", "number", "date", "code", "multicode", "boolean"})
SEVERITIES: Final = frozenset({"error", "warning"})
MESSAGE_KINDS: Final = ("required", "type", "code", "relevant", "unknown")
GROUP_ID: Final = "members"

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]*")
_IDENT = re.compile(r"[a-z][a-z0-9_]*")
_NUMBER = re.compile(r"[0-9]{3}[a-z]?[0-9]?")

_TOP_KEYS: Final = (
    {"form", "version", "title_id", "title_en", "messages", "context", "derived", "blocks"},
    {"source"},
)
_BLOCK_KEYS: Final = ({"id", "label_id", "label_en", "items"}, {"relevant", "required_when"})
_VARIABLE_KEYS: Final = (
    {"id", "number", "label_id", "label_en", "type", "required"},
    {"codes", "relevant", "checks", "note", "help_id", "help_en", "building"},
)
_GROUP_KEYS: Final = (
    {"id", "type", "label_id", "label_en", "required", "variables"},
    {"relevant", "checks", "note"},
)
_CODE_KEYS: Final = ({"code", "label_id", "label_en"}, set[str]())
_CHECK_KEYS: Final = ({"id", "rule", "severity", "message_id", "message_en", "variables"}, set[str]())
_DERIVED_KEYS: Final = ({"id", "label_id", "label_en", "rule"}, set[str]())
_CONTEXT_KEYS: Final = ({"default"}, {"description_en"})

# Scopes of `var` paths (see docs/questionnaire.md, "Rule data").
FAMILY, MEMBER, MEMBER_ITEM, REDUCE_MEMBERS, ITEM, REDUCE_ITEM = (
    "family", "member", "member_item", "reduce_members", "item", "reduce_item",
)  # fmt: skip
_SCOPED: Final = frozenset({"some", "all", "none", "filter", "map"})

_T = TypeVar("_T")


class DefinitionError(ValueError):
    """A definition file is malformed; `problems` lists every problem found."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n  - ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"invalid questionnaire definition {name}:\n  - {shown}{more}")


@dataclass(frozen=True)
class Definition:
    """A checked definition. `data` is the parsed JSON; treat it as read-only."""

    form: str
    version: str
    data: Mapping[str, Any]
    canonical_json: bytes = field(repr=False)
    sha256: str
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def etag(self) -> str:
        return f'"{self.form}-{self.version}-{self.sha256[:16]}"'

    def cached(self, key: str, build: Callable[[Definition], _T]) -> _T:
        """`build(self)`, computed once per definition and kept (e.g. the compiled validator)."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            return self._memo.setdefault(key, build(self))  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        # The memo holds compiled closures, which do not pickle: a copy starts without them.
        return {key: value for key, value in self.__dict__.items() if key != "_memo"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _memo={})

    def family_variables(self) -> list[dict[str, Any]]:
        return [item for block in self.data["blocks"] for item in block["items"] if item.get("type") != "group"]

    def group(self) -> dict[str, Any] | None:
        groups = [item for block in self.data["blocks"] for item in block["items"] if item.get("type") == "group"]
        return groups[0] if groups else None

    def member_variables(self) -> list[dict[str, Any]]:
        group = self.group()
        return list(group["variables"]) if group else []

    def variable(self, variable_id: str) -> dict[str, Any]:
        for variable in self.family_variables() + self.member_variables():
            if variable["id"] == variable_id:
                return variable
        raise KeyError(variable_id)


def canonical_json(data: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the bytes that are served and hashed."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def definition_from_data(data: Any, *, name: str = "<data>") -> Definition:
    """Check `data` and wrap it. Raises DefinitionError."""
    problems = check_definition(data)
    if problems:
        raise DefinitionError(name, problems)
    body = canonical_json(data)
    return Definition(
        form=data["form"],
        version=data["version"],
        data=data,
        canonical_json=body,
        sha256=hashlib.sha256(body).hexdigest(),
    )


@functools.lru_cache(maxsize=32)
def load_definition(form: str, version: str) -> Definition:
    """The definition of (form, version) from DEFINITIONS_DIR.

    Raises LookupError if there is no such file and DefinitionError if it is malformed.
    """
    if not _SLUG.fullmatch(form) or not _VERSION.fullmatch(version):
        raise LookupError(f"no questionnaire definition {form!r} version {version!r}")
    path = DEFINITIONS_DIR / f"{form}-{version}.json"
    if not path.is_file():
        raise LookupError(f"no questionnaire definition {form!r} version {version!r}")
    name = path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise DefinitionError(name, [f"not valid JSON: {error}"]) from error
    definition = definition_from_data(data, name=name)
    if (definition.form, definition.version) != (form, version):
        raise DefinitionError(name, [f"file declares {definition.form!r} version {definition.version!r}"])
    return definition


def available_definitions() -> list[tuple[str, str]]:
    """(form, version) of every definition file, sorted."""
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.json")):
        form, _, version = path.stem.rpartition("-")
        if form:
            found.append((form, version))
    return found


# --- structural checks ----------------------------------------------------------------


class _Checker:
    def __init__(self, data: Any) -> None:
        self.data = data
        self.problems: list[str] = []
        self.family_ids: set[str] = set()
        self.member_ids: set[str] = set()
        self.context_keys: set[str] = set()
        self.check_ids: set[str] = set()

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{where}: {text}")

    def keys(self, obj: Any, allowed: tuple[set[str], set[str]], where: str) -> bool:
        if not isinstance(obj, dict):
            self.problem(where, "must be an object")
            return False
        required, optional = allowed
        for key in sorted(required - obj.keys()):
            self.problem(where, f"missing key {key!r}")
        for key in sorted(obj.keys() - required - optional):
            self.problem(where, f"unknown key {key!r}")
        return True

    def text(self, obj: Mapping[str, Any], key: str, where: str) -> None:
        if key in obj and not (isinstance(obj[key], str) and obj[key].strip()):
            self.problem(where, f"{key} must be a non-empty string")

    def labels(self, obj: Mapping[str, Any], where: str) -> None:
        self.text(obj, "label_id", where)
        self.text(obj, "label_en", where)

    def run(self) -> list[str]:
        data = self.data
        if not self.keys(data, _TOP_KEYS, "definition"):
            return self.problems
        if not (isinstance(data.get("form"), str) and _SLUG.fullmatch(data["form"])):
            self.problem("form", "must match [a-z0-9][a-z0-9_-]*")
        if not (isinstance(data.get("version"), str) and _VERSION.fullmatch(data["version"])):
            self.problem("version", 'must be a string like "1" or "2.1"')
        self.text(data, "title_id", "definition")
        self.text(data, "title_en", "definition")
        self.messages(data.get("messages"))
        self.context(data.get("context"))
        blocks = data.get("blocks")
        if not isinstance(blocks, list) or not blocks:
            self.problem("blocks", "must be a non-empty list")
            return self.problems
        self.collect_ids(blocks)
        for index, block in enumerate(blocks):
            self.block(block, f"blocks[{index}]")
        self.derived(data.get("derived"))
        return self.problems

    def messages(self, messages: Any) -> None:
        if not isinstance(messages, dict):
            self.problem("messages", "must be an object")
            return
        for kind in MESSAGE_KINDS:
            entry = messages.get(kind)
            if not (
                isinstance(entry, dict)
                and set(entry) == {"id", "en"}
                and all(isinstance(t, str) for t in entry.values())
            ):
                self.problem(f"messages.{kind}", 'must be {"id": text, "en": text}')
        for kind in sorted(set(messages) - set(MESSAGE_KINDS)):
            self.problem("messages", f"unknown message {kind!r}")

    def context(self, context: Any) -> None:
        if not isinstance(context, dict):
            self.problem("context", "must be an object")
            return
        for key, entry in context.items():
            if not _IDENT.fullmatch(key) or key in BUILTIN_PROPERTIES:
                self.problem(f"context.{key}", "key must match [a-z][a-z0-9_]* and not be a JavaScript built-in name")
            self.keys(entry, _CONTEXT_KEYS, f"context.{key}")
            self.context_keys.add(key)

    def collect_ids(self, blocks: list[Any]) -> None:
        seen: set[str] = set()
        groups = 0
        for block in blocks:
            items = block.get("items") if isinstance(block, dict) else None
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                is_group = item.get("type") == "group"
                if is_group:
                    groups += 1
                    variables = item.get("variables")
                    for variable in variables if isinstance(variables, list) else []:
                        if isinstance(variable, dict):
                            self.new_id(variable.get("id"), seen, self.member_ids)
                self.new_id(item.get("id"), seen, None if is_group else self.family_ids)
        if groups > 1:
            self.problem("blocks", "at most one group (the members) is supported")

    def new_id(self, variable_id: Any, seen: set[str], into: set[str] | None) -> None:
        if not (isinstance(variable_id, str) and _IDENT.fullmatch(variable_id)) or variable_id in BUILTIN_PROPERTIES:
            self.problem(
                f"variable {variable_id!r}",
                "id must match [a-z][a-z0-9_]* and not be a JavaScript built-in name",
            )
            return
        if variable_id in seen:
            self.problem(f"variable {variable_id}", "duplicate id")
        seen.add(variable_id)
        if into is not None:
            into.add(variable_id)

    def block(self, block: Any, where: str) -> None:
        if not self.keys(block, _BLOCK_KEYS, where):
            return
        where = f"block {block.get('id')}"
        self.text(block, "id", where)
        self.labels(block, where)
        for key in ("relevant", "required_when"):
            if key in block:
                self.rule(block[key], FAMILY, f"{where}.{key}")
        items = block.get("items")
        if not isinstance(items, list) or not items:
            self.problem(where, "items must be a non-empty list")
            return
        for item in items:
            if isinstance(item, dict) and item.get("type") == "group":
                self.group(item)
            else:
                self.variable(item, FAMILY)

    def group(self, group: dict[str, Any]) -> None:
        where = f"group {group.get('id')}"
        if not self.keys(group, _GROUP_KEYS, where):
            return
        if group.get("id") != GROUP_ID:
            self.problem(where, f"the group id must be {GROUP_ID!r} (the record key of member rows)")
        self.labels(group, where)
        if not isinstance(group.get("required"), bool):
            self.problem(where, "required must be true or false")
        if "relevant" in group:
            self.rule(group["relevant"], FAMILY, f"{where}.relevant")
        self.checks(group.get("checks", []), FAMILY, where)
        variables = group.get("variables")
        if not isinstance(variables, list) or not variables:
            self.problem(where, "variables must be a non-empty list")
            return
        for variable in variables:
            self.variable(variable, MEMBER)

    def variable(self, variable: Any, scope: str) -> None:
        where = f"variable {variable.get('id') if isinstance(variable, dict) else variable!r}"
        if not self.keys(variable, _VARIABLE_KEYS, where):
            return
        number = variable.get("number")
        if number is not None and not (isinstance(number, str) and _NUMBER.fullmatch(number)):
            self.problem(where, 'number must be null or like "101", "307a", "307b1"')
        self.labels(variable, where)
        kind = variable.get("type")
        if kind not in TYPES:
            self.problem(where, f"type must be one of {sorted(TYPES)}")
        if not isinstance(variable.get("required"), bool):
            self.problem(where, "required must be true or false")
        if kind in ("code", "multicode"):
            self.codes(variable.get("codes"), where)
        elif "codes" in variable:
            self.problem(where, "only code and multicode variables have codes")
        if "note" in variable:
            self.text(variable, "note", where)
        # `note` is for developers and never shown; `help_id` / `help_en` are for the PPL, in both
        # languages or not at all.
        if ("help_id" in variable) != ("help_en" in variable):
            self.problem(where, "help_id and help_en go together")
        self.text(variable, "help_id", where)
        self.text(variable, "help_en", where)
        if "building" in variable and (variable["building"] is not True or scope == MEMBER):
            self.problem(where, "building must be true, and only on a family variable")
        if "relevant" in variable:
            self.rule(variable["relevant"], scope, f"{where}.relevant")
        self.checks(variable.get("checks", []), scope, where)

    def codes(self, codes: Any, where: str) -> None:
        if not isinstance(codes, list) or not codes:
            self.problem(where, "codes must be a non-empty list")
            return
        seen: set[int] = set()
        for entry in codes:
            if not self.keys(entry, _CODE_KEYS, f"{where} code"):
                continue
            value = entry.get("code")
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(where, f"code {value!r} must be an integer")
            elif value in seen:
                self.problem(where, f"duplicate code {value}")
            else:
                seen.add(value)
            self.labels(entry, f"{where} code {value!r}")

    def checks(self, checks: Any, scope: str, where: str) -> None:
        if not isinstance(checks, list):
            self.problem(where, "checks must be a list")
            return
        known = self.family_ids | self.member_ids
        for check in checks:
            if not self.keys(check, _CHECK_KEYS, f"{where} check"):
                continue
            check_where = f"check {check.get('id')}"
            check_id = check.get("id")
            if not (isinstance(check_id, str) and _IDENT.fullmatch(check_id)):
                self.problem(check_where, "id must match [a-z][a-z0-9_]*")
            elif check_id in self.check_ids or check_id in MESSAGE_KINDS:
                self.problem(check_where, "duplicate check id (or one of the built-in check names)")
            else:
                self.check_ids.add(check_id)
            if check.get("severity") not in SEVERITIES:
                self.problem(check_where, "severity must be error or warning")
            self.text(check, "message_id", check_where)
            self.text(check, "message_en", check_where)
            variables = check.get("variables")
            if not isinstance(variables, list) or not variables:
                self.problem(check_where, "variables must be a non-empty list")
            else:
                for name in variables:
                    if name not in known:
                        self.problem(check_where, f"variables: unknown variable {name!r}")
            self.rule(check.get("rule"), scope, check_where)

    def derived(self, derived: Any) -> None:
        if not isinstance(derived, list):
            self.problem("derived", "must be a list")
            return
        seen: set[str] = set()
        for entry in derived:
            if not self.keys(entry, _DERIVED_KEYS, "derived"):
                continue
            where = f"derived {entry.get('id')}"
            if not (isinstance(entry.get("id"), str) and _IDENT.fullmatch(entry["id"])) or entry["id"] in seen:
                self.problem(where, "id must be unique and match [a-z][a-z0-9_]*")
            else:
                seen.add(entry["id"])
            self.labels(entry, where)
            self.rule(entry.get("rule"), FAMILY, where)

    # --- rules ---

    def rule(self, rule: Any, scope: str, where: str) -> None:
        for problem in self.rule_problems(rule, scope):
            self.problem(where, problem)

    def rule_problems(self, rule: Any, scope: str) -> Iterator[str]:
        if isinstance(rule, list):
            for item in rule:
                yield from self.rule_problems(item, scope)
            return
        if isinstance(rule, dict) and len(rule) != 1:
            yield f"object literal {json.dumps(rule)[:60]} (a rule object has exactly one key)"
            return
        if not isinstance(rule, dict):
            return
        ((operator, values),) = rule.items()
        args = values if isinstance(values, list) else [values]
        if operator not in OPERATORS:
            yield f"operator {operator!r} is not on the whitelist"
            return
        if operator == "var":
            yield from self.var_problems(args, scope)
        elif operator in ("missing", "missing_some"):
            paths = args[1] if operator == "missing_some" and len(args) == 2 else args
            if operator == "missing_some" and not (len(args) == 2 and is_number(args[0])):
                yield "missing_some takes [count, [paths]]"
            for path in paths if isinstance(paths, list) else [paths]:
                if not isinstance(path, str):
                    yield f"{operator} paths must be literal strings"
                elif not self.resolves(path, scope):
                    yield f"{operator}: unknown path {path!r} here"
        elif operator in _SCOPED or operator == "reduce":
            yield from self.scoped_problems(operator, args, scope)
        else:
            if operator in CUSTOM_ARITY:
                low, high = CUSTOM_ARITY[operator]
                if not low <= len(args) <= high:
                    yield f"{operator} takes {low}-{high} arguments"
            for arg in args:
                yield from self.rule_problems(arg, scope)

    def var_problems(self, args: list[Any], scope: str) -> Iterator[str]:
        if not args or len(args) > 2 or not isinstance(args[0], str):
            yield "var takes a literal path string and an optional default"
            return
        if not self.resolves(args[0], scope):
            yield f"var: unknown path {args[0]!r} here"
        if len(args) == 2:
            yield from self.rule_problems(args[1], scope)

    def scoped_problems(self, operator: str, args: list[Any], scope: str) -> Iterator[str]:
        expected = 3 if operator == "reduce" else 2
        if len(args) != expected:
            yield f"{operator} takes {expected} arguments"
            return
        yield from self.rule_problems(args[0], scope)
        over_members = scope in (FAMILY, MEMBER) and args[0] in ({"var": GROUP_ID}, {"var": [GROUP_ID]})
        if operator == "reduce":
            yield from self.rule_problems(args[1], REDUCE_MEMBERS if over_members else REDUCE_ITEM)
            yield from self.rule_problems(args[2], scope)
        else:
            yield from self.rule_problems(args[1], MEMBER_ITEM if over_members else ITEM)

    def resolves(self, path: str, scope: str) -> bool:
        segments = path.split(".")
        head, rest = segments[0], segments[1:]

        def variable(ids: set[str], tail: list[str]) -> bool:
            return len(tail) in (1, 2) and tail[0] in ids and tail[1:] in ([], ["length"])

        if scope in (FAMILY, MEMBER):
            if head == "family":
                return variable(self.family_ids, rest)
            if head == GROUP_ID:
                return rest in ([], ["length"])
            if head == "context":
                return bool(rest) and rest[0] in self.context_keys and not BUILTIN_PROPERTIES.intersection(rest[1:])
            if scope == MEMBER and head == "member":
                return variable(self.member_ids, rest)
            return scope == MEMBER and path == "index"
        if scope == MEMBER_ITEM:
            return variable(self.member_ids, segments)
        if scope == REDUCE_MEMBERS:
            return path == "accumulator" or (head == "current" and variable(self.member_ids, rest))
        if scope == REDUCE_ITEM:
            return path in ("current", "accumulator")
        return path == ""


def check_definition(data: Any) -> list[str]:
    """Every structural problem of a definition (an empty list when it is sound)."""
    return _Checker(data).run()


def context_defaults(definition: Definition) -> dict[str, Any]:
    return {key: entry["default"] for key, entry in definition.data["context"].items()}


__all__ = [
    "DEFINITIONS_DIR",
    "GROUP_ID",
    "TYPES",
    "Definition",
    "DefinitionError",
    "available_definitions",
    "canonical_json",
    "check_definition",
    "context_defaults",
    "definition_from_data",
    "load_definition",
]
