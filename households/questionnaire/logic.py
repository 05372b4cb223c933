"""A small JSON Logic evaluator that answers exactly as json-logic-js 2.0.5 does.

Only the operators in `OPERATORS` exist; anything else raises `LogicError`, as the phone
does (its validator refuses rules outside the same list before calling json-logic-js).
Semantics follow json-logic-js: the JsonLogic truthiness (an empty array is false),
JavaScript coercions for `==`, `<`, `+`, `cat`..., `var` with dotted paths and defaults,
and `undefined` where json-logic-js produces it (`{"and": []}`, `{"map": [[1]]}`).

    >>> apply({"if": [{"<": [{"var": "age"}, 5]}, "balita", "lainnya"]}, {"age": 3})
    'balita'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, Final

from households.questionnaire.jsvalues import (
    UNDEFINED,
    LogicError,
    from_utf16_units,
    get_property,
    is_negative_zero,
    js_add,
    js_divide,
    js_ge,
    js_gt,
    js_le,
    js_lt,
    js_remainder,
    js_truthy,
    loose_equals,
    parse_float,
    strict_equals,
    to_integer_or_infinity,
    to_number,
    to_string,
    utf16_units,
)
from households.questionnaire.operations import CUSTOM_OPERATIONS

__all__ = [
    "CUSTOM_OPERATORS",
    "OPERATORS",
    "STANDARD_OPERATORS",
    "UNDEFINED",
    "LogicError",
    "apply",
    "apply_checked",
    "check_operators",
    "iter_operations",
    "truthy",
]

STANDARD_OPERATORS: Final = frozenset(
    {
        "var", "missing", "missing_some",
        "if", "and", "or", "!", "!!",
        "==", "===", "!=", "!==", "<", "<=", ">", ">=",
        "+", "-", "*", "/", "%", "min", "max",
        "in", "cat", "substr", "merge",
        "some", "all", "none", "filter", "map", "reduce",
    }
)  # fmt: skip
CUSTOM_OPERATORS: Final = frozenset(CUSTOM_OPERATIONS)
OPERATORS: Final = STANDARD_OPERATORS | CUSTOM_OPERATORS


def truthy(value: Any) -> bool:
    """JsonLogic truthiness: JavaScript's, except that an empty array is false."""
    if isinstance(value, list) and not value:
        return False
    return js_truthy(value)


def is_logic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1


def check_operators(logic: Any) -> None:
    """Raise LogicError if `logic` uses an operator outside the whitelist."""
    for operator, _ in iter_operations(logic):
        if operator not in OPERATORS:
            raise LogicError(f"Unrecognized operation {operator}")


def apply(logic: Any, data: Any = None) -> Any:
    """Evaluate `logic` against `data`.

    Raises LogicError if the rule uses an operator outside the whitelist (checked before
    anything is evaluated, as the phone does) or if json-logic-js would throw.
    """
    check_operators(logic)
    return _apply(logic, data)


def apply_checked(logic: Any, data: Any = None) -> Any:
    """`apply` for a rule whose operators were already checked (definitions are, on load)."""
    return _apply(logic, data)


def _apply(logic: Any, data: Any) -> Any:
    if isinstance(logic, list):
        return [_apply(item, data) for item in logic]
    if not is_logic(logic):
        return logic
    ((operator, values),) = logic.items()
    if not isinstance(values, list):
        values = [values]
    special = _SPECIAL_FORMS.get(operator)
    if special is not None:
        return special(values, data)
    function = _FUNCTIONS.get(operator)
    if function is None:
        raise LogicError(f"Unrecognized operation {operator}")
    return function(data, [_apply(value, data) for value in values])


def iter_operations(logic: Any) -> Iterator[tuple[str, list[Any]]]:
    """Every (operator, arguments) pair json-logic-js would treat as an operation."""
    if isinstance(logic, list):
        for item in logic:
            yield from iter_operations(item)
    elif is_logic(logic):
        ((operator, values),) = logic.items()
        arguments = values if isinstance(values, list) else [values]
        yield operator, arguments
        for value in arguments:
            yield from iter_operations(value)


def _arg(args: list[Any], index: int) -> Any:
    return args[index] if index < len(args) else UNDEFINED


# --- special forms: they evaluate their own arguments ---------------------------------


def _if(values: list[Any], data: Any) -> Any:
    index = 0
    while index < len(values) - 1:
        if truthy(_apply(values[index], data)):
            return _apply(values[index + 1], data)
        index += 2
    if len(values) == index + 1:
        return _apply(values[index], data)
    return None


def _and(values: list[Any], data: Any) -> Any:
    current: Any = UNDEFINED
    for value in values:
        current = _apply(value, data)
        if not truthy(current):
            return current
    return current


def _or(values: list[Any], data: Any) -> Any:
    current: Any = UNDEFINED
    for value in values:
        current = _apply(value, data)
        if truthy(current):
            return current
    return current


def _scope(values: list[Any], data: Any) -> tuple[Any, Any]:
    return _apply(_arg(values, 0), data), _arg(values, 1)


def _filter(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    if not isinstance(items, list):
        return []
    return [item for item in items if truthy(_apply(logic, item))]


def _map(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    if not isinstance(items, list):
        return []
    return [_apply(logic, item) for item in items]


def _reduce(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    accumulator = _apply(values[2], data) if len(values) > 2 else None
    if not isinstance(items, list):
        return accumulator
    for item in items:
        accumulator = _apply(logic, {"current": item, "accumulator": accumulator})
    return accumulator


def _all(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    if not isinstance(items, list) or not items:
        return False
    return all(truthy(_apply(logic, item)) for item in items)


def _none(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    if not isinstance(items, list) or not items:
        return True
    return not any(truthy(_apply(logic, item)) for item in items)


def _some(values: list[Any], data: Any) -> Any:
    items, logic = _scope(values, data)
    if not isinstance(items, list) or not items:
        return False
    return any(truthy(_apply(logic, item)) for item in items)


_SPECIAL_FORMS: Final[dict[str, Callable[[list[Any], Any], Any]]] = {
    "if": _if,
    "and": _and,
    "or": _or,
    "filter": _filter,
    "map": _map,
    "reduce": _reduce,
    "all": _all,
    "none": _none,
    "some": _some,
}


# --- functions: called with evaluated arguments ---------------------------------------


def _var(data: Any, args: list[Any]) -> Any:
    path, default = _arg(args, 0), _arg(args, 1)
    not_found = None if default is UNDEFINED else default
    if path is UNDEFINED or path is None or path == "":
        return data
    current = data
    for segment in to_string(path).split("."):
        if current is None or current is UNDEFINED:
            return not_found
        current = get_property(current, segment)
        if current is UNDEFINED:
            return not_found
    return current


def _missing(data: Any, args: list[Any]) -> Any:
    keys = args[0] if args and isinstance(args[0], list) else args
    missing = []
    for key in keys:
        value = _apply({"var": key}, data)
        if value is None or (isinstance(value, str) and value == ""):
            missing.append(key)
    return missing


def _missing_some(data: Any, args: list[Any]) -> Any:
    need_count, options = _arg(args, 0), _arg(args, 1)
    are_missing = _apply({"missing": options}, data)
    if options is None or options is UNDEFINED:
        raise LogicError(f"Cannot read properties of {to_string(options)} (reading 'length')")
    present = to_number(get_property(options, "length")) - len(are_missing)
    return [] if js_ge(present, need_count) else are_missing


def _in(data: Any, args: list[Any]) -> Any:
    needle, haystack = _arg(args, 0), _arg(args, 1)
    if not js_truthy(haystack):
        return False
    if isinstance(haystack, str):
        return utf16_units(to_string(needle)) in utf16_units(haystack)
    if isinstance(haystack, list):
        return any(strict_equals(needle, item) for item in haystack)
    if isinstance(haystack, dict) and "indexOf" in haystack:
        raise LogicError("b.indexOf is not a function")
    return False


def _cat(data: Any, args: list[Any]) -> Any:
    return "".join("" if value is None or value is UNDEFINED else to_string(value) for value in args)


def _js_substr(text: str, start: Any, length: Any) -> str:
    """String.prototype.substr on UTF-16 code units (`text` is already in units)."""
    size = len(text)
    first = to_integer_or_infinity(start)
    if first == -math.inf:
        first = 0
    elif first < 0:
        first = max(size + first, 0)
    else:
        first = min(first, size)
    count = size if length is UNDEFINED else to_integer_or_infinity(length)
    count = min(max(count, 0), size)
    end = min(first + count, size)
    return text[int(first) : int(end)]


def _substr(data: Any, args: list[Any]) -> Any:
    source, start, end = _arg(args, 0), _arg(args, 1), _arg(args, 2)
    units = utf16_units(to_string(source))
    if js_lt(end, 0):
        # json-logic-js emulates PHP here: `temp.length + end` is JavaScript `+`.
        temp = _js_substr(units, start, UNDEFINED)
        return from_utf16_units(_js_substr(temp, 0, js_add(len(temp), end)))
    return from_utf16_units(_js_substr(units, start, end))


def _plus(data: Any, args: list[Any]) -> Any:
    total: Any = 0
    for value in args:
        total = parse_float(total) + parse_float(value)
    return total


def _times(data: Any, args: list[Any]) -> Any:
    if not args:
        raise LogicError("Reduce of empty array with no initial value")
    product = args[0]
    for value in args[1:]:
        product = parse_float(product) * parse_float(value)
    return product


def _minus(data: Any, args: list[Any]) -> Any:
    left, right = _arg(args, 0), _arg(args, 1)
    if right is UNDEFINED:
        return -to_number(left)
    return to_number(left) - to_number(right)


def _min(data: Any, args: list[Any]) -> Any:
    result, saw_nan = math.inf, False
    for value in args:
        number = to_number(value)
        if math.isnan(number):
            saw_nan = True
        elif number < result or (number == 0 == result and is_negative_zero(number)):
            result = number
    return math.nan if saw_nan else result


def _max(data: Any, args: list[Any]) -> Any:
    result, saw_nan = -math.inf, False
    for value in args:
        number = to_number(value)
        if math.isnan(number):
            saw_nan = True
        elif number > result or (number == 0 == result and is_negative_zero(result)):
            result = number
    return math.nan if saw_nan else result


def _merge(data: Any, args: list[Any]) -> Any:
    merged: list[Any] = []
    for value in args:
        if isinstance(value, list):
            merged.extend(value)
        else:
            merged.append(value)
    return merged


def _less(data: Any, args: list[Any]) -> Any:
    first, second, third = _arg(args, 0), _arg(args, 1), _arg(args, 2)
    if third is UNDEFINED:
        return js_lt(first, second)
    return js_lt(first, second) and js_lt(second, third)


def _less_equal(data: Any, args: list[Any]) -> Any:
    first, second, third = _arg(args, 0), _arg(args, 1), _arg(args, 2)
    if third is UNDEFINED:
        return js_le(first, second)
    return js_le(first, second) and js_le(second, third)


def _binary(function: Callable[[Any, Any], Any]) -> Callable[[Any, list[Any]], Any]:
    return lambda data, args: function(_arg(args, 0), _arg(args, 1))


def _custom(function: Callable[[list[Any]], Any]) -> Callable[[Any, list[Any]], Any]:
    return lambda data, args: function(args)


_FUNCTIONS: Final[dict[str, Callable[[Any, list[Any]], Any]]] = {
    "var": _var,
    "missing": _missing,
    "missing_some": _missing_some,
    "==": _binary(loose_equals),
    "===": _binary(strict_equals),
    "!=": _binary(lambda left, right: not loose_equals(left, right)),
    "!==": _binary(lambda left, right: not strict_equals(left, right)),
    "!": lambda data, args: not truthy(_arg(args, 0)),
    "!!": lambda data, args: truthy(_arg(args, 0)),
    "<": _less,
    "<=": _less_equal,
    ">": _binary(js_gt),
    ">=": _binary(js_ge),
    "+": _plus,
    "-": _minus,
    "*": _times,
    "/": _binary(js_divide),
    "%": _binary(js_remainder),
    "min": _min,
    "max": _max,
    "in": _in,
    "cat": _cat,
    "substr": _substr,
    "merge": _merge,
    **{name: _custom(function) for name, function in CUSTOM_OPERATIONS.items()},
}

if set(_FUNCTIONS) | set(_SPECIAL_FORMS) != OPERATORS:  # pragma: no cover - a wiring mistake
    raise RuntimeError("operator tables do not match OPERATORS")
