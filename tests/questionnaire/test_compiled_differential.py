"""Differential tests of the compiled rules (compiler.py) against the interpreter and json-logic-js.

- Hypothesis builds 2,000 random rules (the generators of test_logic_differential.py) and
  moves some of their literals into the data, so that the compiled fast paths see computed
  values as well as constants. Each rule runs through `logic.apply`, through
  `compiler.compile_logic` and through json-logic-js: all three must agree, and the two
  Python engines must agree exactly (same Python types, same error messages);
- every operator is applied to every ordered pair of tricky values, read from the data
  and as literals, through both Python engines.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from households.questionnaire import compiler, logic
from tests.questionnaire.nodejs import NodeEngine, node_path, same_value, untag
from tests.questionnaire.test_logic_differential import (
    DATA,
    LOGIC_SETTINGS,
    RULES,
    TABLE_OPERATORS,
    TABLE_VALUES,
)

pytestmark = pytest.mark.skipif(node_path() is None, reason="node is not installed")

SCOPED = {"some", "all", "none", "filter", "map", "reduce"}


@pytest.fixture(scope="module")
def node() -> Any:
    engine = NodeEngine()
    yield engine
    engine.close()


def identical(left: Any, right: Any) -> bool:
    """The same Python value: same types (int is not float), NaN equal to NaN, -0.0 not 0.0."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return left == right and math.copysign(1.0, left) == math.copysign(1.0, right)
    if isinstance(left, list):
        return len(left) == len(right) and all(identical(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return list(left) == list(right) and all(identical(left[key], right[key]) for key in left)
    return left is right or bool(left == right)


def run(engine: Any, rule: Any, data: Any) -> tuple[bool, Any]:
    try:
        return True, engine(rule, data)
    except logic.LogicError as error:
        return False, str(error)


def compiled_apply(rule: Any, data: Any) -> Any:
    return compiler.compile_logic(rule)(data)


def compiled_truthy(rule: Any, data: Any) -> Any:
    return compiler.compile_predicate(rule)(data)


def assert_python_engines_agree(rule: Any, data: Any) -> tuple[bool, Any]:
    """Interpreter and compiled closure: identical values, or identical errors."""
    expected = run(logic.apply, rule, data)
    actual = run(compiled_apply, rule, data)
    context = f"rule={rule!r} data={data!r}"
    assert expected[0] == actual[0], f"{context}\ninterpreter: {expected}\ncompiled: {actual}"
    if expected[0]:
        assert identical(expected[1], actual[1]), f"{context}\ninterpreter: {expected}\ncompiled: {actual}"
        predicate = run(compiled_truthy, rule, data)
        assert predicate == (True, logic.truthy(expected[1])), f"{context}\npredicate: {predicate}"
    else:
        assert expected[1] == actual[1], f"{context}\ninterpreter: {expected}\ncompiled: {actual}"
    return expected


def lift(rule: Any, data: dict[str, Any], rng: random.Random) -> Any:
    """`rule` with some scalar literals read from new keys of `data` instead (not inside
    scoped bodies, whose data is the current element, nor as `var`/`missing` paths)."""
    if isinstance(rule, list):
        return [lift(item, data, rng) for item in rule]
    if isinstance(rule, dict) and len(rule) == 1:
        ((operator, values),) = rule.items()
        if operator in ("missing", "missing_some"):
            return rule
        if not isinstance(values, list):
            return {operator: lift(values, data, rng) if operator != "var" else values}
        if operator == "var":
            return {operator: values[:1] + [lift(value, data, rng) for value in values[1:]]}
        if operator in SCOPED:
            lifted = list(values)
            for index in (0, 2):
                if index < len(lifted):
                    lifted[index] = lift(lifted[index], data, rng)
            return {operator: lifted}
        return {operator: [lift(value, data, rng) for value in values]}
    if isinstance(rule, dict) or rng.random() < 0.4:
        return rule
    key = f"k{len(data)}"
    data[key] = rule
    return {"var": key}


CASES = st.lists(st.tuples(RULES, DATA, st.randoms(use_true_random=False)), min_size=10, max_size=10)


@LOGIC_SETTINGS
@given(cases=CASES)
def test_compiled_rules_agree_with_the_interpreter_and_json_logic_js(
    node: NodeEngine, cases: list[tuple[Any, Any, random.Random]]
) -> None:
    payloads = []
    for rule, data, rng in cases:
        data = dict(data)
        payloads.append({"op": "eval", "rule": lift(rule, data, rng), "data": data})
    # Every engine reads the same JSON text, so Python sees what the phone would send.
    payloads = json.loads(json.dumps(payloads))
    for payload, answer in zip(payloads, node.request_many(payloads), strict=True):
        ok, value = assert_python_engines_agree(payload["rule"], payload["data"])
        context = f"rule={json.dumps(payload['rule'])} data={json.dumps(payload['data'])}"
        if not answer["ok"] or not ok:
            assert answer["ok"] == ok, f"{context}\npython: {value!r}\nnode: {answer}"
            continue
        expected = untag(answer["value"])
        assert same_value(value, expected), f"{context}\npython: {value!r}\nnode: {expected!r}"


def _check_table(rule: Any, data_of: Any, pairs: list[tuple[Any, Any]], failures: list[str]) -> None:
    """One compiled rule applied to many data, against the interpreter on the same rule."""
    refused = run(lambda rule, data: compiler.compile_logic(rule), rule, None)
    compiled = refused[1]
    for left, right in pairs:
        data = data_of(left, right)
        expected = run(logic.apply, rule, data)
        actual = run(lambda _rule, data: compiled(data), rule, data) if refused[0] else refused
        same = expected[0] == actual[0] and (identical(expected[1], actual[1]) if expected[0] else True)
        if not same:
            failures.append(f"{json.dumps(rule)} on {data!r}: interpreter {expected}, compiled {actual}")


def test_every_operator_on_every_pair_of_values_from_the_data() -> None:
    values = json.loads(json.dumps(TABLE_VALUES))
    pairs = [(a, b) for a in values for b in values]
    failures: list[str] = []
    for operator in TABLE_OPERATORS:
        _check_table({operator: [{"var": "a"}, {"var": "b"}]}, lambda a, b: {"a": a, "b": b, "1": "x"}, pairs, failures)
        for constant in values:
            # The constant on either side, as a literal (a fresh list each time for lists).
            _check_table(
                {operator: [{"var": "a"}, constant]}, lambda a, b: {"a": a, "1": "x"}, pairs[:: len(values)], failures
            )
            _check_table(
                {operator: [constant, {"var": "b"}]}, lambda a, b: {"b": b, "1": "x"}, pairs[: len(values)], failures
            )
    assert not failures, "\n".join(failures[:20])


def test_three_argument_forms_from_the_data() -> None:
    values = json.loads(json.dumps(TABLE_VALUES))
    failures: list[str] = []
    bounds = [-3, -1, 0, 1, 2, 4, 16, 2**53, 2**53 + 2, 1.5, "2", None]
    strings = [value for value in values if isinstance(value, str)] + ["a\U0001f600b", "3674071503800001", 1234567]
    for start in bounds:
        for length in bounds:
            _check_table(
                {"substr": [{"var": "a"}, start, length]},
                lambda a, b: {"a": a},
                [(text, None) for text in strings],
                failures,
            )
    for operator in ("<", "<="):
        for low in values[::4]:
            for high in values[::4]:
                _check_table(
                    {operator: [low, {"var": "a"}, high]}, lambda a, b: {"a": a}, [(a, None) for a in values], failures
                )
        _check_table(
            {operator: [{"var": "a"}, {"var": "b"}, {"and": []}]},
            lambda a, b: {"a": a, "b": b},
            [(a, b) for a in values[::3] for b in values[::3]],
            failures,
        )
    for operator in ("is_digits", "is_upper_alnum"):
        for low, high in [(0, 0), (2, 2), (2, 4), (16, 16), (4, 2), (1.0, 16), ("4", None), (-1, 3)]:
            arguments = [{"var": "a"}, low] if high is None else [{"var": "a"}, low, high]
            _check_table({operator: arguments}, lambda a, b: {"a": a}, [(text, None) for text in strings], failures)
    assert not failures, "\n".join(failures[:20])


# Cases where a fast path must step aside for the general rule.
EDGE_CASES: list[tuple[Any, Any]] = [
    ({"==": [{"var": "a"}, 9007199254740993]}, {"a": 9007199254740992}),
    ({"==": [{"var": "a"}, 3]}, {"a": 2**60}),
    ({"==": [{"var": "a"}, {"var": "b"}]}, {"a": 2**53 + 1, "b": 2**53}),
    ({"===": [{"var": "a"}, {"var": "b"}]}, {"a": 2**53 + 1, "b": 2**53}),
    ({"===": [{"var": "a"}, {"var": "a"}]}, {"a": [1]}),
    ({"===": [[1], [1]]}, {}),
    ({"<": [{"var": "a"}, {"var": "b"}]}, {"a": 2**53 + 1, "b": 2**53 + 2}),
    ({"<=": [{"var": "a"}, {"var": "b"}]}, {"a": 2**53 + 1, "b": 9007199254740992.0}),
    ({"<": [{"var": "a"}, {"var": "b"}]}, {"a": "\U0001f600", "b": "\uff5e"}),
    ({">": [{"var": "a"}, {"var": "b"}]}, {"a": "b", "b": "a\u00e9"}),
    ({"in": [{"var": "a"}, [1, 2.0, "x", True, None]]}, {"a": 2}),
    ({"in": [{"var": "a"}, [1, 2.0, "x", True, None]]}, {"a": 1.0}),
    ({"in": [{"var": "a"}, [1, 2.0, "x", True, None]]}, {"a": True}),
    ({"in": [{"var": "a"}, [1, 2.0, "x", True, None]]}, {"a": False}),
    ({"in": [{"var": "a"}, [0, 1]]}, {"a": -0.0}),
    ({"in": [{"var": "a"}, [1, 2]]}, {"a": 2**53 + 1}),
    ({"in": [{"var": "a"}, [1, 2]]}, {"a": [1]}),
    ({"in": [{"var": "a"}, [1, 2]]}, {}),
    ({"in": [{"var": "a"}, []]}, {"a": [1]}),
    ({"+": [{"var": "a"}, {"var": "b"}]}, {"a": "-0", "b": -0.0}),
    ({"+": [{"var": "a"}]}, {"a": "-0"}),
    ({"+": [{"var": "a"}]}, {"a": "\u0661"}),
    ({"+": [{"var": "a"}]}, {"a": 10**400}),
    ({"*": [{"var": "a"}, {"var": "b"}]}, {"a": "-0", "b": 1}),
    ({"-": [{"var": "a"}, {"and": []}]}, {"a": "5"}),
    ({"-": [{"var": "a"}, {"var": "b"}]}, {"a": -0.0, "b": 0}),
    ({"var": "a.b"}, {"a": {"b": logic.UNDEFINED}}),
    ({"var": ["a.b", 5]}, {"a": {}}),
    ({"var": ["a.constructor", 5]}, {"a": {}}),
    ({"var": ["constructor", 5]}, {}),
    ({"var": ["a", {"var": "b"}]}, {"b": [1]}),
    ({"var": ["", {"*": []}]}, {"a": 1}),
    ({"var": ["a", 1, {"*": []}]}, {"a": 1}),
    ({"var": "a.length"}, {"a": "x\U0001f600"}),
    ({"var": "a.1"}, {"a": [5, 6]}),
    ({"missing": ["a", "b.c", ""]}, {"a": "", "b": {"c": None}}),
    ({"missing": [["a", "b"]]}, {"b": 1}),
    ({"missing": [["a"], "b"]}, {}),
    ({"missing": ["a.toString"]}, {"a": {}}),
    ({"if": [{"var": "a"}, {"var": "b"}]}, {"a": 1, "b": 2}),
    ({"if": [{"var": "a"}, 1, {"var": "b"}, 2, 3]}, {"a": 0, "b": []}),
    ({"if": [True, {"var": "a"}, {"*": []}]}, {"a": 1}),
    ({"if": [False, {"*": []}, {"var": "a"}]}, {"a": 1}),
    ({"and": [{"var": "a"}, {"*": []}]}, {"a": 0}),
    ({"or": [{"var": "a"}, {"*": []}]}, {"a": "0"}),
    ({"and": [{"==": [{"var": "a"}, 1]}, {"<": [{"var": "a"}, 2]}]}, {"a": 1}),
    ({"or": [{"==": [{"var": "a"}, 1]}, {"<": [{"var": "a"}, 2]}, {"!": [{"var": "a"}]}]}, {"a": 5}),
    ({"reduce": [{"var": "a"}, {"var": "accumulator"}, {"and": []}]}, {"a": [1, 2]}),
    ({"reduce": [{"var": "a"}, {"and": []}, 0]}, {"a": [1]}),
    ({"map": [{"var": "a"}]}, {"a": [1, 2]}),
    ({"filter": [{"var": "a"}, {"var": ""}]}, {"a": [0, 1, "", "0", [], [0], None, 0.0, float("nan")]}),
    ({"some": [{"var": "a"}, {"var": ""}]}, {"a": [0, 0.0]}),
    ({"substr": [{"var": "a"}, 1, 2]}, {"a": "\u00e9t\u00e9s"}),
    ({"substr": [{"var": "a"}, 1, 2]}, {"a": 12345}),
    ({"is_digits": [{"var": "a"}, 0]}, {"a": ""}),
    ({"is_digits": [{"var": "a"}, 1]}, {"a": "\u0661"}),
    ({"is_upper_alnum": [{"var": "a"}, 2, {"var": "b"}]}, {"a": "AB", "b": 3}),
    ({"!": [{"var": "a"}]}, {"a": float("nan")}),
    ({"!!": [{"var": "a"}]}, {"a": -0.0}),
    ({"!!": [{"var": "a"}]}, {"a": 10**400}),
    ({"==": [{"var": "a"}, None]}, {"a": logic.UNDEFINED}),
    ({"==": [None, {"var": "a"}]}, {"a": 0}),
    ({"!=": [{"var": "a"}, "1"]}, {"a": [1]}),
    ({"===": [{"possible_ages": [{"var": "r"}, {"var": "y"}, 1, 1]}] * 2}, {"r": "2022-10-20", "y": 1980}),
    ({"possible_ages": [{"var": "r"}, {"var": "y"}, {"var": "m"}, 1]}, {"r": "2022-10-20", "y": 1980, "m": 1}),
    ({"possible_ages": [{"var": "r"}, {"var": "y"}, {"var": "m"}, 1]}, {"r": "2022-10-20", "y": 1980, "m": True}),
    ({"possible_ages": [{"var": "r"}, {"var": "y"}, {"var": "m"}, 1]}, {"r": "2022-10-20", "y": 1980.0, "m": 1}),
    ({"possible_ages": [{"var": "r"}, {"var": "y"}, {"var": "m"}, 1]}, {"r": "2022-10-20", "y": "1980", "m": 1}),
    ({"possible_ages": [{"var": "r"}, {"var": "y"}, 98, 98]}, {"r": "2022-10-20", "y": 2**60}),
    ({"is_date": [{"var": "a"}]}, {"a": "2024-02-29"}),
    ({"is_date": [{"var": "a"}]}, {"a": "2023-02-29"}),
    ({"is_date": [{"var": "a"}]}, {"a": "2024-02-29" * 3}),
    ({"is_date": [{"var": "a"}]}, {"a": 20240229}),
    ({"log": 1}, {}),
    ({"and": [False, {"log": 1}]}, {}),
]


@pytest.mark.parametrize(("rule", "data"), EDGE_CASES, ids=[repr(case[0]) for case in EDGE_CASES])
def test_edge_cases(rule: Any, data: Any) -> None:
    assert_python_engines_agree(rule, data)


def test_an_unchecked_unknown_operator_raises_only_when_reached() -> None:
    compiled = compiler.compile_checked({"if": [{"var": "a"}, {"nope": [1]}, 2]})
    assert compiled({"a": 0}) == 2
    with pytest.raises(logic.LogicError, match="Unrecognized operation nope"):
        compiled({"a": 1})


def test_results_are_fresh_objects() -> None:
    compiled = compiler.compile_logic({"if": [{"var": "a"}, [1, [2]], {"merge": [[1], 2]}]})
    first, second = compiled({"a": 1}), compiled({"a": 1})
    assert first == second == [1, [2]] and first is not second and first[1] is not second[1]
    first.append(3)
    assert compiled({"a": 1}) == [1, [2]]
    assert compiled({"a": 0}) == [1, 2]
