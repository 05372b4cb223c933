"""PMT features: each defined on questionnaire variables, checked against a form definition,
and evaluated on a stored record (`{"form", "version", "family": {...}, "members": [...]}`).

A feature is a JSON object with a `name`, a `kind` and the keys of that kind:

| kind | keys | value |
|---|---|---|
| `code_in` | `of` (`family`, `head`, `any_member`), `variable`, `codes` | 1 if the answer is one of `codes`, else 0 |
| `number` | `of` (`family`, `head`), `variable` | the answer |
| `positive` | `variables` (family numbers) | 1 if their sum is above 0, else 0 |
| `count_members` | `variable` (a member number), `min`, `max` | members whose answer is in [min, max] |
| `derived` | `derived` (a name of DERIVED) | a family value computed from several answers |

Any feature may add `power` (1 or 2) to use the value squared. Only the members who live with
the family (member status 1 or 4) count; the head is the first of them whose relationship is 1.

Why missing answers are treated as they are: a family's own housing and asset questions are
required, so a missing one means the record cannot be scored (FeatureError); the head's job or
schooling questions are skipped by design for some heads, so a missing one means "not in codes".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from households.questionnaire.definition import Definition

# The roster variables every evaluation reads (REGSOSEK22-K, docs/questionnaire.md).
MEMBER_STATUS: Final = "r404"
PRESENT_STATUS: Final = frozenset({1, 4})  # lives with the family, new member
RELATIONSHIP: Final = "r409"
HEAD: Final = 1
AGE: Final = "r407"
FLOOR_AREA: Final = "r302"

KINDS: Final = frozenset({"code_in", "number", "positive", "count_members", "derived"})
_KEYS: Final[dict[str, tuple[set[str], set[str]]]] = {
    "code_in": ({"name", "kind", "of", "variable", "codes"}, {"power", "label"}),
    "number": ({"name", "kind", "of", "variable"}, {"power", "label"}),
    "positive": ({"name", "kind", "variables"}, {"power", "label"}),
    "count_members": ({"name", "kind", "variable", "min", "max"}, {"power", "label"}),
    "derived": ({"name", "kind", "derived"}, {"power", "label"}),
}
_OF: Final = {"code_in": ("family", "head", "any_member"), "number": ("family", "head")}


class FeatureError(Exception):
    """A record cannot be scored. `reason` is a stable code, `variable` the answer at fault."""

    def __init__(self, reason: str, variable: str | None = None) -> None:
        super().__init__(f"{reason}: {variable}" if variable else reason)
        self.reason = reason
        self.variable = variable


@dataclass(frozen=True)
class Family:
    """The answers a feature reads: the family's, the present members' and the head's."""

    answers: Mapping[str, Any]
    members: Sequence[Mapping[str, Any]]
    head: Mapping[str, Any]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _family_number(family: Family, variable: str) -> float:
    value = _number(family.answers.get(variable))
    if value is None:
        raise FeatureError("missing_answer", variable)
    return value


def _household_size(family: Family) -> float:
    return float(len(family.members))


def _floor_area_per_person(family: Family) -> float:
    return _family_number(family, FLOOR_AREA) / len(family.members)


def _dependency_ratio(family: Family) -> float:
    ages = [age for m in family.members if (age := _number(m.get(AGE))) is not None]
    working = sum(1 for age in ages if 15 <= age <= 64)
    # With nobody aged 15-64 the ratio is undefined; the number of dependents stands in for it
    # (the survey the default model is fitted on leaves it empty there: docs/ranking.md).
    return (len(ages) - working) / max(working, 1)


# name -> (function, variables it reads)
DERIVED: Final[dict[str, tuple[Callable[[Family], float], tuple[str, ...]]]] = {
    "household_size": (_household_size, (MEMBER_STATUS,)),
    "floor_area_per_person": (_floor_area_per_person, (MEMBER_STATUS, FLOOR_AREA)),
    "dependency_ratio": (_dependency_ratio, (MEMBER_STATUS, AGE)),
}


def _check_keys(feature: Mapping[str, Any], where: str) -> list[str]:
    kind = feature.get("kind")
    if kind not in KINDS:
        return [f"{where}: unknown kind {kind!r}"]
    required, optional = _KEYS[kind]
    problems = [f"{where}: missing key {key!r}" for key in sorted(required - feature.keys())]
    problems += [f"{where}: unknown key {key!r}" for key in sorted(feature.keys() - required - optional)]
    if not problems and kind in _OF and feature["of"] not in _OF[kind]:
        problems.append(f"{where}: 'of' must be one of {', '.join(_OF[kind])}")
    if feature.get("power", 1) not in (1, 2):
        problems.append(f"{where}: 'power' must be 1 or 2")
    return problems


def feature_scope(feature: Mapping[str, Any]) -> str:
    if feature["kind"] == "count_members" or feature.get("of") in ("head", "any_member"):
        return "member"
    return "family"


def feature_variables(feature: Mapping[str, Any]) -> list[str]:
    """The questionnaire variables a (well-formed) feature reads."""
    kind = feature["kind"]
    if kind == "positive":
        return list(feature["variables"])
    if kind == "derived":
        return list(DERIVED[feature["derived"]][1]) if feature["derived"] in DERIVED else []
    return [feature["variable"]]


def check_features(features: Any, definition: Definition) -> list[str]:
    """Every problem of a feature list against a form definition (empty: valid).

    Refuses unknown kinds and keys, duplicate names, variables that are not in the definition or
    not in the scope the feature reads them in, codes the variable does not have, and numbers
    read from code variables (and the reverse).
    """
    if not isinstance(features, list) or not features:
        return ["features: must be a non-empty list"]
    family = {v["id"]: v for v in definition.family_variables()}
    member = {v["id"]: v for v in definition.member_variables()}
    problems: list[str] = [
        f"form {definition.form} {definition.version}: has no variable {var!r}"
        for var in (MEMBER_STATUS, RELATIONSHIP)
        if var not in member
    ]
    names: set[str] = set()
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict):
            problems.append(f"{where}: must be an object")
            continue
        found = _check_keys(feature, where)
        if found:
            problems += found
            continue
        name = feature["name"]
        where = f"feature {name!r}"
        if not isinstance(name, str) or not name or name in names:
            problems.append(f"{where}: the name must be a non-empty string, unique in the model")
        names.add(str(name))
        if feature["kind"] == "derived" and feature["derived"] not in DERIVED:
            problems.append(f"{where}: unknown derived value {feature['derived']!r}")
            continue
        if feature["kind"] == "positive" and not (isinstance(feature["variables"], list) and feature["variables"]):
            problems.append(f"{where}: 'variables' must be a non-empty list")
            continue
        scope = member if feature_scope(feature) == "member" else family
        for var in feature_variables(feature):
            variable = scope.get(var) if isinstance(var, str) else None
            if variable is None and feature["kind"] == "derived":
                variable = family.get(var) or member.get(var)
            if variable is None:
                problems.append(
                    f"{where}: variable {var!r} is not a {feature_scope(feature)} variable of form "
                    f"{definition.form} {definition.version}"
                )
                continue
            problems += _check_type(feature, variable, where)
    return problems


def _check_type(feature: Mapping[str, Any], variable: Mapping[str, Any], where: str) -> list[str]:
    kind = feature["kind"]
    if kind == "code_in":
        if variable["type"] != "code":
            return [f"{where}: {variable['id']} is a {variable['type']}, not a code"]
        known = {c["code"] for c in variable.get("codes", [])}
        codes = feature["codes"]
        if not isinstance(codes, list) or not codes:
            return [f"{where}: 'codes' must be a non-empty list"]
        unknown = [c for c in codes if c not in known]
        return [f"{where}: {variable['id']} has no code {c!r}" for c in unknown]
    if kind in ("number", "positive", "count_members") and variable["type"] not in ("integer", "number"):
        return [f"{where}: {variable['id']} is a {variable['type']}, not a number"]
    if kind == "count_members" and not all(_number(feature[k]) is not None for k in ("min", "max")):
        return [f"{where}: 'min' and 'max' must be numbers"]
    return []


def family_of(record: Mapping[str, Any]) -> Family:
    """The family's answers, present members and head. Raises FeatureError without either."""
    members = [m for m in record.get("members") or [] if isinstance(m, dict)]
    present = [m for m in members if m.get(MEMBER_STATUS) in PRESENT_STATUS]
    if not present:
        raise FeatureError("no_members", MEMBER_STATUS)
    head = next((m for m in present if m.get(RELATIONSHIP) == HEAD), None)
    if head is None:
        raise FeatureError("no_head", RELATIONSHIP)
    return Family(answers=record.get("family") or {}, members=present, head=head)


def _value(feature: Mapping[str, Any], family: Family) -> float:
    kind = feature["kind"]
    if kind == "code_in":
        var, codes, of = feature["variable"], feature["codes"], feature["of"]
        if of == "family":
            if family.answers.get(var) is None:
                raise FeatureError("missing_answer", var)
            return float(family.answers[var] in codes)
        if of == "head":
            return float(family.head.get(var) in codes)
        return float(any(m.get(var) in codes for m in family.members))
    if kind == "number":
        if feature["of"] == "family":
            return _family_number(family, feature["variable"])
        value = _number(family.head.get(feature["variable"]))
        if value is None:
            raise FeatureError("missing_answer", feature["variable"])
        return value
    if kind == "positive":
        return float(sum(_number(family.answers.get(v)) or 0.0 for v in feature["variables"]) > 0)
    if kind == "count_members":
        low, high = float(feature["min"]), float(feature["max"])
        values = (_number(m.get(feature["variable"])) for m in family.members)
        return float(sum(1 for v in values if v is not None and low <= v <= high))
    return DERIVED[feature["derived"]][0](family)


def feature_value(feature: Mapping[str, Any], family: Family) -> float:
    value = _value(feature, family)
    return value ** int(feature.get("power", 1))


def feature_vector(features: Sequence[Mapping[str, Any]], record: Mapping[str, Any]) -> list[float]:
    """The values of `features` (already checked) for one record. Raises FeatureError."""
    family = family_of(record)
    return [feature_value(feature, family) for feature in features]
