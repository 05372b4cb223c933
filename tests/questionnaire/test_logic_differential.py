"""Differential tests: the Python JSON Logic engine against json-logic-js on Node.

- Hypothesis builds 2,000 random rules over the whitelisted operators (and a few that are
  not whitelisted, which both sides must refuse) with random data;
- every operator is applied to every ordered pair of tricky values (one batch, one process);
- Number::toString is compared on random doubles.

Both engines must agree: the same value (numbers compared as doubles, NaN equal to NaN, -0
distinct from 0) or both an error. test_validate_differential.py does the same for the
whole validator.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from households.questionnaire import logic
from tests.questionnaire.nodejs import NodeEngine, node_path, run_batch, same_value, untag

pytestmark = pytest.mark.skipif(node_path() is None, reason="node is not installed")

LOGIC_SETTINGS = settings(
    max_examples=200,  # x 10 cases each
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# --- values ---------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from(
        [0, -0.0, 1, -1, 2, 3, 4, 5, 0.5, -2.5, 10, 40, 41, 98, 100, 1e21, 1e-7, 1.5e-7, 123e-20,
         0.1, 0.2, 2**53 + 1, 1234567890123456789, 1.7976931348623157e308, 5e-324, -1e21, 3674,
         1e20, 123456789012345680000, 1e-6, 1.5e-6, 0.000001234, 1e300, 2**31, 2**32]
    ),
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False),
)  # fmt: skip
STRINGS = st.one_of(
    st.sampled_from(
        ["", "0", "1", "-1", "1.5", " 2 ", "abc", "a", "A", "B", "a.b", "0x1F", "0b11", "0o7",
         "1e3", "1e", "-.5", ".", "Infinity", "-Infinity", "+Infinity", "true", "false", "null",
         "NaN", "\U0001f600", "\u00e9", "x\U0001f600y", "3674071234560001", "3674", "2022-10-20",
         "2020-02-29", "1980-13-01", "1,2", "[object Object]", "\t5\n", "\u00a07", "1_000", " ",
         "00012", "SITI AMINAH", "O'NEIL", "67B4PT", "0001", "-0", "1e400", "undefined",
         "\uff5e", "\ue000a"]
    ),
    st.text(alphabet="0123456789.-+eExabc \U0001f600\uff5e", max_size=6),
)  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, STRINGS)
DATA_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["a", "b", "x", "y", "0", "length"]), inner, max_size=3),
    ),
    max_leaves=8,
)
DATA = st.fixed_dictionaries(
    {},
    optional={key: DATA_VALUES for key in ["a", "b", "c", "n", "s", "arr", "obj", "current", "accumulator", "members"]},
)

# --- rules ----------------------------------------------------------------------------

PATHS = st.sampled_from(
    ["a", "b", "c", "n", "s", "arr", "obj", "obj.a", "obj.x.y", "arr.0", "arr.1", "arr.length",
     "s.length", "s.0", "", "nope", "a.b", "obj.0", "current", "accumulator", "current.a",
     "members.0.a", "a..b", 0, 1, -1, 1.5, None, True, "x"]
)  # fmt: skip
PLAIN_OPERATORS = sorted(logic.STANDARD_OPERATORS - {"var", "some", "all", "none", "filter", "map", "reduce"})
SCOPED_OPERATORS = ["some", "all", "none", "filter", "map", "reduce"]
REFUSED_OPERATORS = ["log", "?:", "method", "var.length", "unknown"]


def _var(path: Any, default: Any) -> dict[str, Any]:
    return {"var": path if default is None else [path, default]}


VARS = st.builds(_var, PATHS, st.one_of(st.none(), SCALARS))
LITERALS: st.SearchStrategy[Any] = st.one_of(
    SCALARS, st.lists(SCALARS, max_size=3), st.just({}), st.just({"x": 1, "y": [2]})
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    args = st.lists(children, max_size=4)
    plain = st.builds(lambda op, a: {op: a}, st.sampled_from(PLAIN_OPERATORS), args)
    unary = st.builds(lambda op, a: {op: a}, st.sampled_from(PLAIN_OPERATORS), children)
    source = st.one_of(children, st.sampled_from([{"var": "arr"}, {"var": "s"}, {"var": "members"}]))
    scoped = st.builds(
        lambda op, items, body, extra: {op: [items, body, *extra]},
        st.sampled_from(SCOPED_OPERATORS),
        source,
        children,
        st.lists(children, max_size=1),
    )
    reducer = st.builds(
        lambda items, body, start: {"reduce": [items, body, start]},
        source,
        st.sampled_from(
            [
                {"+": [{"var": "accumulator"}, {"var": "current"}]},
                {"cat": [{"var": "accumulator"}, {"var": "current"}]},
                {"merge": [{"var": "accumulator"}, {"var": "current.a"}]},
                {"if": [{"var": "current"}, {"var": "current"}, {"var": "accumulator"}]},
            ]
        ),
        children,
    )
    custom = st.one_of(
        st.builds(
            lambda op, v, lo, hi: {op: [v, lo] if hi is None else [v, lo, hi]},
            st.sampled_from(["is_digits", "is_upper_alnum"]),
            st.one_of(children, st.sampled_from(["3674071234560001", "12", "AB12", "67B4PT", "ab"])),
            st.one_of(st.sampled_from([0, 1, 2, 4, 6, 16, -1, 2.5, "4", None]), children),
            st.one_of(st.none(), st.sampled_from([2, 6, 13, 16, 1.0, "16"])),
        ),
        st.builds(lambda v: {"is_name": [v]}, st.one_of(children, st.sampled_from(["SITI", "A-B", " ", "3"]))),
        st.builds(
            lambda v: {"is_date": [v]},
            st.one_of(
                children,
                st.sampled_from(["2022-10-20", "2020-02-29", "2021-02-29", "0000-01-01", "2022-1-01"]),
            ),
        ),
        st.builds(
            lambda ref, y, m, d: {"possible_ages": [ref, y, m, d]},
            st.one_of(st.sampled_from(["2022-10-20", "2020-02-29", "2021-02-29", "0000-01-01", 20221020]), children),
            st.one_of(st.sampled_from([1980, 2000, 2022, 2023, 2021, 0, 1980.0, "1980"]), children),
            st.one_of(st.sampled_from([1, 2, 10, 11, 12, 13, 98, 0, -0.0]), children),
            st.one_of(st.sampled_from([1, 19, 20, 21, 28, 29, 30, 31, 32, 98]), children),
        ),
    )
    refused = st.builds(lambda op, a: {op: a}, st.sampled_from(REFUSED_OPERATORS), args)
    # Weighted choice of the kind of node (one_of would pick uniformly).
    kinds = [plain] * 10 + [unary] * 3 + [scoped] * 3 + [reducer, custom, custom, refused]
    return st.sampled_from(kinds).flatmap(lambda kind: kind)


RULES = st.recursive(st.one_of(LITERALS, VARS), _extend, max_leaves=12)


@pytest.fixture(scope="module")
def node() -> Any:
    engine = NodeEngine()
    yield engine
    engine.close()


def _python_eval(rule: Any, data: Any) -> tuple[bool, Any]:
    try:
        return True, logic.apply(rule, data)
    except logic.LogicError as error:
        return False, str(error)


CASES = st.lists(st.tuples(RULES, DATA), min_size=10, max_size=10)


@LOGIC_SETTINGS
@given(cases=CASES)
def test_python_engine_agrees_with_json_logic_js(node: NodeEngine, cases: list[tuple[Any, Any]]) -> None:
    # Both sides read the same JSON text, so Python sees what the phone would send.
    payloads = json.loads(json.dumps([{"op": "eval", "rule": rule, "data": data} for rule, data in cases]))
    for payload, answer in zip(payloads, node.request_many(payloads), strict=True):
        ok, value = _python_eval(payload["rule"], payload["data"])
        context = f"rule={json.dumps(payload['rule'])} data={json.dumps(payload['data'])}"
        if not answer["ok"] or not ok:
            assert answer["ok"] == ok, f"{context}\npython: {value!r}\nnode: {answer}"
            continue
        expected = untag(answer["value"])
        assert same_value(value, expected), f"{context}\npython: {value!r}\nnode: {expected!r}"


# Hand-picked cases where a naive port goes wrong; each also runs through Node.
KNOWN_CASES: list[tuple[Any, Any, Any]] = [
    ({"==": [1, "1"]}, {}, True),
    ({"==": [0, ""]}, {}, True),
    ({"==": [None, 0]}, {}, False),
    ({"==": [[1], 1]}, {}, True),
    ({"==": [[], False]}, {}, True),
    ({"===": [1, 1.0]}, {}, True),
    ({"!!": ["0"]}, {}, True),
    ({"!!": [[]]}, {}, False),
    ({"!!": [{}]}, {}, True),
    ({"<": ["10", "9"]}, {}, True),
    ({"<": ["10", 9]}, {}, False),
    ({"<": [1, 2, 3]}, {}, True),
    ({"<=": [1, 1, 0]}, {}, False),
    ({">": [None, -1]}, {}, True),
    ({"+": ["1", "2"]}, {}, 3),
    ({"+": ["1e2", " 3x"]}, {}, 103),
    ({"*": ["5"]}, {}, "5"),
    ({"-": ["5"]}, {}, -5),
    ({"/": [1, 0]}, {}, float("inf")),
    ({"%": [-7, 2]}, {}, -1),
    ({"min": []}, {}, float("inf")),
    ({"max": [1, "x"]}, {}, float("nan")),
    ({"cat": [1.0, " ", 1e21, " ", 1.5e-7, " ", None, [1, [2, None]]]}, {}, "1 1e+21 1.5e-7 1,2,"),
    ({"cat": [0.1, "|", 123456789012345680000, "|", -0.0]}, {}, "0.1|123456789012345680000|0"),
    ({"substr": ["jsonlogic", -5]}, {}, "logic"),
    ({"substr": ["jsonlogic", 1, -3]}, {}, "sonlo"),
    ({"substr": ["jsonlogic", 1, "-3"]}, {}, ""),
    ({"substr": ["a\U0001f600b", 1, 1]}, {}, "\ud83d"),
    ({"in": ["Spring", "Springfield"]}, {}, True),
    ({"in": [1, ["1"]]}, {}, False),
    ({"in": ["a", []]}, {}, False),
    ({"var": "a.b"}, {"a": {"b": 0}}, 0),
    ({"var": ["a", 5]}, {"a": None}, None),
    ({"var": ["z", 5]}, {"a": None}, 5),
    ({"var": "s.length"}, {"s": "a\U0001f600"}, 3),
    ({"var": 1}, {"1": "one"}, "one"),
    ({"var": ""}, {"a": 1}, {"a": 1}),
    ({"missing": ["a", "b", "c"]}, {"a": 1, "b": ""}, ["b", "c"]),
    ({"missing_some": [1, ["a", "b"]]}, {"b": 2}, []),
    ({"if": []}, {}, None),
    ({"and": []}, {}, logic.UNDEFINED),
    ({"or": [0, "", []]}, {}, []),
    ({"reduce": [[1, 2, 3], {"+": [{"var": "current"}, {"var": "accumulator"}]}, 0]}, {}, 6),
    ({"all": [[], True]}, {}, False),
    ({"none": [[], True]}, {}, True),
    ({"map": [[1, 2]]}, {}, [logic.UNDEFINED, logic.UNDEFINED]),
    ({"merge": [1, [2, [3]], []]}, {}, [1, 2, [3]]),
    ({"is_digits": ["0123", 4]}, {}, True),
    ({"is_digits": ["0123", 2, 3]}, {}, False),
    ({"is_upper_alnum": ["67B4PT", 6]}, {}, True),
    ({"is_name": ["SITI NUR'AINI"]}, {}, True),
    ({"possible_ages": ["2022-10-20", 1980, 10, 21]}, {}, [41]),
    ({"possible_ages": ["2022-10-20", 1980, 98, 98]}, {}, [41, 42]),
    ({"possible_ages": ["2022-10-20", 2022, 10, 98]}, {}, [0]),
    ({"possible_ages": ["2022-10-20", 2021, 2, 29]}, {}, []),
    ({"is_date": ["2024-02-29"]}, {}, True),
    ({"is_date": ["2023-02-29"]}, {}, False),
]


@pytest.mark.parametrize(("rule", "data", "expected"), KNOWN_CASES, ids=[json.dumps(c[0]) for c in KNOWN_CASES])
def test_known_javascript_semantics(node: NodeEngine, rule: Any, data: Any, expected: Any) -> None:
    assert same_value(logic.apply(rule, data), expected)
    answer = node.request({"op": "eval", "rule": rule, "data": data})
    assert answer["ok"], answer
    assert same_value(untag(answer["value"]), expected)


@pytest.mark.parametrize("rule", [{"log": 1}, {"?:": [1, 2, 3]}, {"var.length": []}, {"*": []}])
def test_both_engines_refuse(node: NodeEngine, rule: Any) -> None:
    with pytest.raises(logic.LogicError):
        logic.apply(rule, {})
    assert node.request({"op": "eval", "rule": rule, "data": {}})["ok"] is False


# --- exhaustive coercion table ----------------------------------------------------------

TABLE_VALUES: list[Any] = [
    None, True, False, 0, -0.0, 1, -1, 2, 0.5, -2.5, 10, 40, 98, 1e20, 1e21, 1e-6, 1e-7,
    123456789012345680000, 2**53 + 1, 1.7976931348623157e308,
    "", " ", "0", "-0", "1", "-1", "01", "1.5", " 2 ", "\t5\n", "\u00a07", "1e3", "1e",
    "0x1F", "0b11", "0o7", "Infinity", "-Infinity", "NaN", "true", "null", "abc", "ABC",
    "a", "b", "ab", "\U0001f600", "\uff5e", "\u00e9", "1,2", "[object Object]", "\ufeff1", "\x1c2", "\x853",
    [], [0], [1], ["1"], [1, 2], [None], [[]], {}, {"a": 1},
]  # fmt: skip
TABLE_OPERATORS = ["==", "===", "!=", "!==", "<", "<=", ">", ">=", "+", "-", "*", "/", "%",
                   "min", "max", "in", "cat", "substr", "merge", "!", "!!", "var"]  # fmt: skip


def test_every_operator_on_every_pair_of_values() -> None:
    """Each operator applied to each ordered pair of tricky values, in one Node process."""
    rules = [{op: [a, b]} for op in TABLE_OPERATORS for a in TABLE_VALUES for b in TABLE_VALUES]
    payloads = json.loads(json.dumps([{"op": "eval", "rule": r, "data": {"1": "x", "a": [5]}} for r in rules]))
    answers = run_batch(payloads)
    assert len(answers) == len(payloads)
    failures = []
    for payload, answer in zip(payloads, answers, strict=True):
        ok, value = _python_eval(payload["rule"], payload["data"])
        if ok != answer["ok"] or (ok and not same_value(value, untag(answer["value"]))):
            failures.append(f"{json.dumps(payload['rule'])}: python {value!r}, node {answer}")
    assert not failures, "\n".join(failures[:20])


@settings(max_examples=20, derandomize=True, deadline=None, database=None)
@given(numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=100, max_size=100))
def test_number_to_string_matches_javascript(node: NodeEngine, numbers: list[float]) -> None:
    payloads = [{"op": "eval", "rule": {"cat": [n]}, "data": {}} for n in numbers]
    for number, answer in zip(numbers, node.request_many(payloads), strict=True):
        assert logic.apply({"cat": [number]}) == untag(answer["value"]), number
