"""JSON Logic rules compiled into Python closures, for rules that are applied many times.

`compile_logic(rule)` returns a function of the data that answers exactly as
`logic.apply(rule, data)` does (same values, same Python types, a LogicError in the same
cases), but reads the rule only once:

- operator dispatch is resolved when compiling, and each node calls its children directly
  (no argument lists are built for the common operators);
- `var` paths are split into tuples once, with a fast path for plain dicts;
- constant sub-expressions are evaluated once, when that cannot raise and gives a scalar
  (a list literal still gives a fresh list on every call, as the interpreter does);
- `in` over a literal list of scalars becomes set lookups, `substr` with literal bounds a slice;
- `and`, `or`, `if` and the scoped operators stay short-circuiting closures, and the rules
  inside some/all/none/filter/map/reduce get the current element as their data;
- nodes known to give a bool (comparisons, `!`, `in`, the custom tests...) skip the
  truthiness test where their parent needs one.

Every fast path covers only plain JSON values it can answer exactly (strings, ints exact as
doubles, floats, lists, dicts) and otherwise calls the functions of `logic.py` and
`jsvalues.py`, so the JavaScript semantics live in one place. The differential tests
(tests/questionnaire/test_compiled_differential.py) check the interpreter, the compiled
closures and json-logic-js against each other on the same random rules.

    >>> adult = compile_logic({">=": [{"var": "member.r407"}, 15]})
    >>> adult({"member": {"r407": 42}}), adult({"member": {}})
    (True, False)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

from households.questionnaire.jsvalues import (
    OBJECT_PROTO,
    UNDEFINED,
    LogicError,
    as_double,
    get_property,
    is_number,
    js_divide,
    js_ge,
    js_gt,
    js_le,
    js_lt,
    js_remainder,
    loose_equals,
    parse_float,
    strict_equals,
    to_number,
    to_string,
)
from households.questionnaire.logic import _FUNCTIONS, _SPECIAL_FORMS, apply_checked, check_operators, truthy
from households.questionnaire.operations import _DIGITS, _UPPER_ALNUM, CUSTOM_OPERATIONS, _length_bounds

__all__ = ["Compiled", "compile_checked", "compile_logic", "compile_predicate", "fast_truthy"]

Compiled = Callable[[Any], Any]
"""A compiled rule: call it with the data."""

# An int of magnitude at most 2**53 is exact as a double, so Python's own comparisons of such
# ints (with each other and with floats) are the JavaScript ones.
_SAFE: Final = 2**53

# The value of a node that is not a constant.
_DYNAMIC: Final = object()

_SCALAR_TYPES: Final = (str, int, float, bool, type(None))
_JSON_TYPES: Final = frozenset({str, int, float, bool, type(None), list, dict})

# Operators that read the data directly; nodes using them are never constant.
_DATA_OPERATORS: Final = frozenset({"var", "missing", "missing_some"})
# Operators that always give a bool (or raise).
_BOOLEAN_OPERATORS: Final = frozenset(
    {"==", "===", "!=", "!==", "<", "<=", ">", ">=", "!", "!!", "in", "is_digits", "is_upper_alnum", "is_name",
     "is_date"}
)  # fmt: skip


class _Node:
    """A compiled sub-rule: its closure, its value if constant, and whether it always gives a bool."""

    __slots__ = ("boolean", "function", "value")

    def __init__(self, function: Compiled, value: Any = _DYNAMIC, *, boolean: bool = False) -> None:
        self.function = function
        self.value = value
        self.boolean = boolean or type(value) is bool

    @property
    def constant(self) -> bool:
        return self.value is not _DYNAMIC


def compile_logic(logic: Any) -> Compiled:
    """Compile `logic` into a function of the data that returns `apply(logic, data)`.

    Raises LogicError at once if the rule uses an operator outside the whitelist, as
    `apply` does before evaluating anything.
    """
    check_operators(logic)
    return compile_checked(logic)


def compile_checked(logic: Any) -> Compiled:
    """`compile_logic` for a rule whose operators were already checked (definitions are, on load).

    An operator outside the tables compiles to a closure that raises when it is reached,
    as `apply_checked` does.
    """
    return _compile(logic).function


def compile_predicate(logic: Any) -> Callable[[Any], bool]:
    """A compiled `truthy(apply_checked(logic, data))`, for rules that are conditions."""
    return _test(_compile(logic))


def fast_truthy(value: Any) -> bool:
    """`logic.truthy`, with the common JSON types tested first."""
    kind = type(value)
    if kind is bool:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return value != 0  # type: ignore[no-any-return]
    if kind is str or kind is list:
        return len(value) != 0
    if kind is float:
        return value == value and value != 0.0  # type: ignore[no-any-return]  # not NaN, not 0
    if value is None or value is UNDEFINED:
        return False
    return truthy(value)


def _test(node: _Node) -> Callable[[Any], bool]:
    if node.boolean:
        return node.function
    function = node.function

    def test(data: Any) -> bool:
        return fast_truthy(function(data))

    return test


def _is_scalar(value: Any) -> bool:
    return value is UNDEFINED or type(value) in _SCALAR_TYPES


def _constant(value: Any) -> _Node:
    def constant(data: Any) -> Any:
        return value

    return _Node(constant, value)


def _compile(node: Any) -> _Node:
    if isinstance(node, list):
        return _compile_list(node)
    if not (isinstance(node, dict) and len(node) == 1):
        # A scalar, or an object literal: the interpreter returns the very same object.
        return _constant(node)
    ((operator, values),) = node.items()
    if not isinstance(values, list):
        values = [values]
    if operator not in _SPECIAL_FORMS and operator not in _FUNCTIONS:
        return _Node(_unrecognized(operator))
    children = [_compile(value) for value in values]
    if operator not in _DATA_OPERATORS and all(child.constant for child in children):
        folded = _fold(operator, values)
        if folded is not None:
            return folded
    special = _SPECIAL_BUILDERS.get(operator)
    if special is not None:
        function, boolean = special(children)
        return _Node(function, boolean=boolean)
    builder = _FUNCTION_BUILDERS.get(operator)
    compiled = builder(values, children) if builder is not None else None
    if compiled is None:
        compiled = _generic(_FUNCTIONS[operator], children)
    return _Node(compiled, boolean=operator in _BOOLEAN_OPERATORS)


def _fold(operator: str, values: list[Any]) -> _Node | None:
    """A constant for a data-independent node, unless it raises or gives a list or object."""
    try:
        value = apply_checked({operator: values}, None)
    except Exception:  # the closure raises at run time, where the rule is reached
        return None
    return _constant(value) if _is_scalar(value) else None


def _unrecognized(operator: str) -> Compiled:
    def unrecognized(data: Any) -> Any:
        raise LogicError(f"Unrecognized operation {operator}")

    return unrecognized


def _compile_list(items: list[Any]) -> _Node:
    children = [_compile(item) for item in items]
    if all(child.constant for child in children):
        constants = tuple(child.value for child in children)

        def constant_list(data: Any) -> Any:
            return list(constants)

        return _Node(constant_list)
    functions = tuple(child.function for child in children)

    def dynamic_list(data: Any) -> Any:
        return [function(data) for function in functions]

    return _Node(dynamic_list)


def _generic(function: Callable[[Any, list[Any]], Any], children: list[_Node]) -> Compiled:
    """Evaluate every argument, then call the interpreter's own function."""
    functions = tuple(child.function for child in children)

    def generic(data: Any) -> Any:
        return function(data, [child(data) for child in functions])

    return generic


def _argument(children: list[_Node], index: int) -> _Node:
    return children[index] if index < len(children) else _constant(UNDEFINED)


def _all_boolean(children: Sequence[_Node]) -> bool:
    return all(child.boolean for child in children)


# --- special forms ---------------------------------------------------------------------

# A special form's builder returns the closure and whether it always gives a bool.
_Built = tuple[Compiled, bool]


def _build_if(children: list[_Node]) -> _Built:
    if not children:
        return _constant(None).function, False
    if len(children) == 1:
        return children[0].function, children[0].boolean
    if len(children) in (2, 3):
        test, then = _test(children[0]), children[1].function
        otherwise = children[2] if len(children) == 3 else _constant(None)
        other = otherwise.function

        def if_then_else(data: Any) -> Any:
            return then(data) if test(data) else other(data)

        return if_then_else, children[1].boolean and otherwise.boolean
    pairs = tuple((_test(children[index]), children[index + 1].function) for index in range(0, len(children) - 1, 2))
    last = children[-1] if len(children) % 2 == 1 else _constant(None)
    last_function = last.function

    def if_chain(data: Any) -> Any:
        for test, then in pairs:
            if test(data):
                return then(data)
        return last_function(data)

    results = [children[index + 1] for index in range(0, len(children) - 1, 2)]
    return if_chain, _all_boolean(results) and last.boolean


def _build_and(children: list[_Node]) -> _Built:
    if not children:
        return _constant(UNDEFINED).function, False
    if len(children) == 1:
        return children[0].function, children[0].boolean
    boolean = _all_boolean(children)
    functions = tuple(child.function for child in children)
    if len(children) == 2:
        first, second = functions
        if boolean:

            def and_booleans(data: Any) -> Any:
                return first(data) and second(data)

            return and_booleans, True

        def and2(data: Any) -> Any:
            current = first(data)
            return second(data) if fast_truthy(current) else current

        return and2, False

    def and_n(data: Any) -> Any:
        current: Any = UNDEFINED
        for function in functions:
            current = function(data)
            if not fast_truthy(current):
                return current
        return current

    return and_n, boolean


def _build_or(children: list[_Node]) -> _Built:
    if not children:
        return _constant(UNDEFINED).function, False
    if len(children) == 1:
        return children[0].function, children[0].boolean
    boolean = _all_boolean(children)
    functions = tuple(child.function for child in children)
    if len(children) == 2:
        first, second = functions
        if boolean:

            def or_booleans(data: Any) -> Any:
                return first(data) or second(data)

            return or_booleans, True

        def or2(data: Any) -> Any:
            current = first(data)
            return current if fast_truthy(current) else second(data)

        return or2, False
    if boolean:

        def or_booleans_n(data: Any) -> Any:
            for function in functions:  # noqa: SIM110 - a generator for any() costs more than the loop
                if function(data):
                    return True
            return False

        return or_booleans_n, True

    def or_n(data: Any) -> Any:
        current: Any = UNDEFINED
        for function in functions:
            current = function(data)
            if fast_truthy(current):
                return current
        return current

    return or_n, False


def _scope(children: list[_Node]) -> tuple[Compiled, _Node]:
    """The items (evaluated on the data) and the rule applied to each item."""
    return _argument(children, 0).function, _argument(children, 1)


def _build_filter(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    test = _test(rule)

    def filter_(data: Any) -> Any:
        items = items_of(data)
        if not isinstance(items, list):
            return []
        return [item for item in items if test(item)]

    return filter_, False


def _build_map(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    function = rule.function

    def map_(data: Any) -> Any:
        items = items_of(data)
        if not isinstance(items, list):
            return []
        return [function(item) for item in items]

    return map_, False


def _build_reduce(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    function = rule.function
    initial = children[2].function if len(children) > 2 else _constant(None).function

    def reduce_(data: Any) -> Any:
        items = items_of(data)
        accumulator = initial(data)
        if not isinstance(items, list):
            return accumulator
        for item in items:
            accumulator = function({"current": item, "accumulator": accumulator})
        return accumulator

    return reduce_, False


def _build_all(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    test = _test(rule)

    def all_(data: Any) -> Any:
        items = items_of(data)
        if not isinstance(items, list) or not items:
            return False
        return all(test(item) for item in items)

    return all_, True


def _build_none(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    test = _test(rule)

    def none_(data: Any) -> Any:
        items = items_of(data)
        if not isinstance(items, list) or not items:
            return True
        return not any(test(item) for item in items)

    return none_, True


def _build_some(children: list[_Node]) -> _Built:
    items_of, rule = _scope(children)
    test = _test(rule)

    def some_(data: Any) -> Any:
        items = items_of(data)
        if not isinstance(items, list) or not items:
            return False
        return any(test(item) for item in items)

    return some_, True


_SPECIAL_BUILDERS: Final[dict[str, Callable[[list[_Node]], _Built]]] = {
    "if": _build_if,
    "and": _build_and,
    "or": _build_or,
    "filter": _build_filter,
    "map": _build_map,
    "reduce": _build_reduce,
    "all": _build_all,
    "none": _build_none,
    "some": _build_some,
}


# --- var and missing --------------------------------------------------------------------


def _walk(data: Any, segments: Sequence[str], not_found: Any) -> Any:
    """The lookup loop of `logic._var` for a path already split into segments."""
    current = data
    for segment in segments:
        if type(current) is dict and segment in current:
            current = current[segment]
        elif current is None or current is UNDEFINED:
            return not_found
        else:
            current = get_property(current, segment)
        if current is UNDEFINED:
            return not_found
    return current


def _whole(data: Any) -> Any:
    return data


def _path_getter(path: Any, not_found: Any) -> Compiled:
    """`{"var": [path, default]}` for a constant path and a constant `not_found` value."""
    if path is UNDEFINED or path is None or path == "":
        return _whole
    segments = tuple(to_string(path).split("."))
    if len(segments) == 1:
        (key,) = segments
        key_is_builtin = key in OBJECT_PROTO

        def lookup1(data: Any) -> Any:
            if type(data) is dict:
                if key in data:
                    value = data[key]
                    return not_found if value is UNDEFINED else value
                if not key_is_builtin:
                    return not_found
            return _walk(data, segments, not_found)

        return lookup1
    if len(segments) == 2:
        first, second = segments
        second_is_builtin = second in OBJECT_PROTO

        def lookup2(data: Any) -> Any:
            if type(data) is dict and first in data:
                parent = data[first]
                if type(parent) is dict:
                    if second in parent:
                        value = parent[second]
                        return not_found if value is UNDEFINED else value
                    if not second_is_builtin:
                        return not_found
            return _walk(data, segments, not_found)

        return lookup2

    def lookup(data: Any) -> Any:
        return _walk(data, segments, not_found)

    return lookup


def _build_var(values: list[Any], children: list[_Node]) -> Compiled | None:
    if not children:
        return _whole
    path, default = children[0], _argument(children, 1)
    if not path.constant or not all(child.constant for child in children[2:]):
        return None
    if default.constant:
        return _path_getter(path.value, None if default.value is UNDEFINED else default.value)
    default_of = default.function
    if path.value is UNDEFINED or path.value is None or path.value == "":

        def whole_after_default(data: Any) -> Any:
            default_of(data)
            return data

        return whole_after_default
    segments = tuple(to_string(path.value).split("."))

    def lookup_with_default(data: Any) -> Any:
        value = default_of(data)
        return _walk(data, segments, None if value is UNDEFINED else value)

    return lookup_with_default


def _build_missing(values: list[Any], children: list[_Node]) -> Compiled | None:
    # Only the literal forms {"missing": ["a", "b"]} and {"missing": [["a", "b"]]}.
    if values and isinstance(values[0], list):
        if len(values) != 1:
            return None
        keys = values[0]
    else:
        keys = values
    if not all(isinstance(key, str) for key in keys):
        return None
    getters = tuple((key, _path_getter(key, None)) for key in keys)

    def missing(data: Any) -> Any:
        found = []
        for key, getter in getters:
            value = getter(data)
            if value is None or (isinstance(value, str) and value == ""):
                found.append(key)
        return found

    return missing


# --- comparison -------------------------------------------------------------------------


def _same_plain_type(left: Any, right: Any) -> bool:
    """Both are strings, bools or floats, or both ints exact as doubles, of the same type."""
    kind = type(left)
    if kind is not type(right):
        return False
    if kind is str or kind is bool or kind is float:
        return True
    return kind is int and -_SAFE <= left <= _SAFE and -_SAFE <= right <= _SAFE


def _fast_loose_equals(left: Any, right: Any) -> bool:
    if _same_plain_type(left, right):
        return left == right  # type: ignore[no-any-return]
    return loose_equals(left, right)


def _fast_strict_equals(left: Any, right: Any) -> bool:
    if _same_plain_type(left, right):
        return left == right  # type: ignore[no-any-return]
    return strict_equals(left, right)


def _loose_equals_constant(other_of: Compiled, constant: Any, constant_first: bool) -> Compiled | None:
    """`==` between an expression and a constant null, number or string."""
    if constant is None:

        def equals_null(data: Any) -> bool:
            value = other_of(data)
            if value is None or value is UNDEFINED:
                return True
            if type(value) in _JSON_TYPES:
                return False  # null is loosely equal to null and undefined only
            return loose_equals(constant, value) if constant_first else loose_equals(value, constant)

        return equals_null
    if type(constant) is int and -_SAFE < constant < _SAFE:
        # An int equals such a constant as a double exactly when it equals it as an int: an
        # int that rounds to another double has a magnitude of at least 2**53.
        same_type: type = int
    elif type(constant) is str:
        same_type = str
    else:
        return None

    def equals_constant(data: Any) -> bool:
        value = other_of(data)
        if type(value) is same_type:
            return value == constant  # type: ignore[no-any-return]
        if value is None or value is UNDEFINED:
            return False  # null and undefined are loosely equal to each other only
        return loose_equals(constant, value) if constant_first else loose_equals(value, constant)

    return equals_constant


def _build_loose_equals(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    left, right = children
    compiled = None
    if right.constant:
        compiled = _loose_equals_constant(left.function, right.value, constant_first=False)
    elif left.constant:
        compiled = _loose_equals_constant(right.function, left.value, constant_first=True)
    if compiled is not None:
        return compiled
    left_of, right_of = left.function, right.function

    def equals(data: Any) -> bool:
        return _fast_loose_equals(left_of(data), right_of(data))

    return equals


def _build_not_loose_equals(values: list[Any], children: list[_Node]) -> Compiled | None:
    equals = _build_loose_equals(values, children)
    if equals is None:
        return None

    def not_equals(data: Any) -> bool:
        return not equals(data)

    return not_equals


def _build_strict_equals(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    left_of, right_of = children[0].function, children[1].function

    def strict(data: Any) -> bool:
        return _fast_strict_equals(left_of(data), right_of(data))

    return strict


def _build_not_strict_equals(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    left_of, right_of = children[0].function, children[1].function

    def not_strict(data: Any) -> bool:
        return not _fast_strict_equals(left_of(data), right_of(data))

    return not_strict


def _plain_order(left: Any, right: Any) -> bool:
    """Python orders these two as JavaScript does: numbers exact as doubles, or ASCII strings."""
    left_kind, right_kind = type(left), type(right)
    if (left_kind is int or left_kind is float) and (right_kind is int or right_kind is float):
        return -_SAFE <= left <= _SAFE and -_SAFE <= right <= _SAFE  # type: ignore[no-any-return]  # and not NaN
    return left_kind is str and right_kind is str and left.isascii() and right.isascii()


def _fast_lt(left: Any, right: Any) -> bool:
    return left < right if _plain_order(left, right) else js_lt(left, right)


def _fast_le(left: Any, right: Any) -> bool:
    return left <= right if _plain_order(left, right) else js_le(left, right)


def _fast_gt(left: Any, right: Any) -> bool:
    return left > right if _plain_order(left, right) else js_gt(left, right)


def _fast_ge(left: Any, right: Any) -> bool:
    return left >= right if _plain_order(left, right) else js_ge(left, right)


def _binary(operation: Callable[[Any, Any], Any]) -> Callable[[list[Any], list[_Node]], Compiled | None]:
    """An operator of exactly two evaluated arguments."""

    def build(values: list[Any], children: list[_Node]) -> Compiled | None:
        if len(children) != 2:
            return None
        left_of, right_of = children[0].function, children[1].function

        def binary(data: Any) -> Any:
            return operation(left_of(data), right_of(data))

        return binary

    return build


def _chain(compare: Callable[[Any, Any], bool]) -> Callable[[list[Any], list[_Node]], Compiled | None]:
    """`<`/`<=`: two arguments, or three for "between" (unless the third is undefined)."""

    def build(values: list[Any], children: list[_Node]) -> Compiled | None:
        if len(children) == 2:
            return _binary(compare)(values, children)
        if len(children) != 3:
            return None
        first_of, second_of, third_of = (child.function for child in children)

        def between(data: Any) -> bool:
            first, second, third = first_of(data), second_of(data), third_of(data)
            if third is UNDEFINED:
                return compare(first, second)
            return compare(first, second) and compare(second, third)

        return between

    return build


def _build_not(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 1:
        return None
    test = _test(children[0])

    def not_(data: Any) -> bool:
        return not test(data)

    return not_


def _build_not_not(values: list[Any], children: list[_Node]) -> Compiled | None:
    return _test(children[0]) if len(children) == 1 else None


def _in_list(needle: Any, haystack: list[Any]) -> bool | None:
    """`===` search of a string or an int exact as a double in a list of JSON values (None: ask `_in`)."""
    kind = type(needle)
    if kind is str:
        for item in haystack:
            if type(item) is str:
                if item == needle:
                    return True
            elif type(item) not in _JSON_TYPES and item is not UNDEFINED:
                return None  # strict_equals raises on it
        return False
    if kind is int and -_SAFE <= needle <= _SAFE:
        for item in haystack:
            item_kind = type(item)
            if item_kind is int or item_kind is float:
                if item == needle:
                    return True
            elif item_kind not in _JSON_TYPES and item is not UNDEFINED:
                return None
        return False
    return None


def _build_in(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    needle_of, haystack_of = children[0].function, children[1].function
    in_function = _FUNCTIONS["in"]
    literal = values[1]
    if not (isinstance(literal, list) and all(type(item) in _SCALAR_TYPES for item in literal)):

        def in_(data: Any) -> Any:
            needle, haystack = needle_of(data), haystack_of(data)
            if type(haystack) is list:
                found = _in_list(needle, haystack)
                if found is not None:
                    return found
            return in_function(data, [needle, haystack])

        return in_
    # A literal list of scalars: `===` against its items is a set lookup by type.
    items = tuple(literal)
    numbers = frozenset(as_double(item) for item in items if is_number(item) and not math.isnan(as_double(item)))
    strings = frozenset(item for item in items if isinstance(item, str))
    booleans = frozenset(item for item in items if isinstance(item, bool))
    has_null = None in items

    def in_literal(data: Any) -> Any:
        needle = needle_of(data)
        kind = type(needle)
        if kind is int:
            return (needle if -_SAFE <= needle <= _SAFE else as_double(needle)) in numbers
        if kind is str:
            return needle in strings
        if kind is float:
            return needle in numbers
        if kind is bool:
            return needle in booleans
        if needle is None:
            return has_null
        return in_function(data, [needle, list(items)])

    return in_literal


def _build_substr(values: list[Any], children: list[_Node]) -> Compiled | None:
    """`substr` with a literal start and length, both >= 0: a slice of an ASCII string."""
    if len(children) != 3 or not (children[1].constant and children[2].constant):
        return None
    start, length = children[1].value, children[2].value
    if not (type(start) is int and type(length) is int and 0 <= start <= _SAFE and 0 <= length <= _SAFE):
        return None
    source_of = children[0].function
    substr = _FUNCTIONS["substr"]
    end = start + length

    def substr_literal(data: Any) -> Any:
        source = source_of(data)
        if type(source) is str and source.isascii():
            return source[start:end]
        return substr(data, [source, start, length])

    return substr_literal


# --- arithmetic -------------------------------------------------------------------------


def _fast_parse_float(value: Any) -> float:
    """`parse_float`: a double reads back as itself, except that -0 becomes 0 (it prints "0")."""
    kind = type(value)
    if kind is float:
        return value + 0.0  # type: ignore[no-any-return]
    if kind is int and -_SAFE <= value <= _SAFE:
        return float(value)
    if kind is str and value.isdigit() and value.isascii():
        return float(value)
    return parse_float(value)


def _fast_to_number(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int and -_SAFE <= value <= _SAFE:
        return float(value)
    return to_number(value)


def _build_plus(values: list[Any], children: list[_Node]) -> Compiled | None:
    functions = tuple(child.function for child in children)
    # _plus: total = parse_float(total) + parse_float(value), from total = 0; parse_float of a
    # float total is total + 0.0.
    if len(functions) == 1:
        (only_of,) = functions

        def plus1(data: Any) -> Any:
            return 0.0 + _fast_parse_float(only_of(data))

        return plus1
    if len(functions) == 2:
        first_of, second_of = functions

        def plus2(data: Any) -> Any:
            first, second = first_of(data), second_of(data)
            return (0.0 + _fast_parse_float(first) + 0.0) + _fast_parse_float(second)

        return plus2
    return None


def _build_times(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    first_of, second_of = children[0].function, children[1].function

    def times2(data: Any) -> Any:
        first, second = first_of(data), second_of(data)
        return _fast_parse_float(first) * _fast_parse_float(second)

    return times2


def _build_minus(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 2:
        return None
    left_of, right_of = children[0].function, children[1].function

    def minus(data: Any) -> Any:
        left, right = left_of(data), right_of(data)
        if right is UNDEFINED:
            return -_fast_to_number(left)
        return _fast_to_number(left) - _fast_to_number(right)

    return minus


# --- custom operators ---------------------------------------------------------------------


def _characters(allowed: frozenset[str]) -> Callable[[list[Any], list[_Node]], Compiled | None]:
    """is_digits / is_upper_alnum with literal length bounds."""

    def build(values: list[Any], children: list[_Node]) -> Compiled | None:
        if not 2 <= len(children) <= 3 or not all(child.constant for child in children[1:]):
            return None
        value_of = children[0].function
        bounds = _length_bounds([UNDEFINED, *(child.value for child in children[1:])])
        if bounds is None:

            def never(data: Any) -> bool:
                value_of(data)
                return False

            return never
        low, high = bounds

        def within(data: Any) -> bool:
            value = value_of(data)
            # Only ASCII passes the character test, so len() is the UTF-16 length here.
            return isinstance(value, str) and low <= len(value) <= high and allowed.issuperset(value)

        return within

    return build


# Results of is_date and possible_ages for plain arguments: the same reference date and birth
# dates come back for every check and every member. Bounded; races only recompute a value.
_MEMO_SIZE: Final = 4096
_MEMO_TEXT: Final = 16  # longest string kept (a date has 10 characters)
_is_date_memo: dict[str, bool] = {}
_ages_memo: dict[tuple[Any, ...], tuple[int, ...]] = {}


def _build_is_date(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 1:
        return None
    value_of = children[0].function
    is_date = CUSTOM_OPERATIONS["is_date"]

    def is_date_memo(data: Any) -> Any:
        value = value_of(data)
        if type(value) is not str or len(value) > _MEMO_TEXT:
            return is_date([value])
        found = _is_date_memo.get(value)
        if found is None:
            found = is_date([value])
            if len(_is_date_memo) < _MEMO_SIZE:
                _is_date_memo[value] = found
        return found

    return is_date_memo


def _build_possible_ages(values: list[Any], children: list[_Node]) -> Compiled | None:
    if len(children) != 4:
        return None
    functions = tuple(child.function for child in children)
    possible_ages = CUSTOM_OPERATIONS["possible_ages"]

    def possible_ages_memo(data: Any) -> Any:
        arguments = [function(data) for function in functions]
        # Only short strings and small ints as keys: 1 == 1.0 == True in a dict, but not as arguments.
        for argument in arguments:
            kind = type(argument)
            if not ((kind is str and len(argument) <= _MEMO_TEXT) or (kind is int and -_SAFE <= argument <= _SAFE)):
                return possible_ages(arguments)
        key = tuple(arguments)
        found = _ages_memo.get(key)
        if found is None:
            found = tuple(possible_ages(arguments))
            if len(_ages_memo) < _MEMO_SIZE:
                _ages_memo[key] = found
        return list(found)  # a fresh list, as every call of the operator gives

    return possible_ages_memo


def _custom(operation: Callable[[list[Any]], Any]) -> Callable[[list[Any], list[_Node]], Compiled | None]:
    def build(values: list[Any], children: list[_Node]) -> Compiled | None:
        functions = tuple(child.function for child in children)

        def custom(data: Any) -> Any:
            return operation([function(data) for function in functions])

        return custom

    return build


_FUNCTION_BUILDERS: Final[dict[str, Callable[[list[Any], list[_Node]], Compiled | None]]] = {
    **{name: _custom(operation) for name, operation in CUSTOM_OPERATIONS.items()},
    "var": _build_var,
    "missing": _build_missing,
    "==": _build_loose_equals,
    "!=": _build_not_loose_equals,
    "===": _build_strict_equals,
    "!==": _build_not_strict_equals,
    "<": _chain(_fast_lt),
    "<=": _chain(_fast_le),
    ">": _binary(_fast_gt),
    ">=": _binary(_fast_ge),
    "!": _build_not,
    "!!": _build_not_not,
    "in": _build_in,
    "substr": _build_substr,
    "+": _build_plus,
    "*": _build_times,
    "-": _build_minus,
    "/": _binary(js_divide),
    "%": _binary(js_remainder),
    "is_digits": _characters(_DIGITS),
    "is_upper_alnum": _characters(_UPPER_ALNUM),
    "is_date": _build_is_date,
    "possible_ages": _build_possible_ages,
}


if set(_SPECIAL_BUILDERS) != set(_SPECIAL_FORMS) or not set(_FUNCTION_BUILDERS) <= set(_FUNCTIONS):
    raise RuntimeError("compiler tables do not match the interpreter")  # pragma: no cover
