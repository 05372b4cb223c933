"""JavaScript value semantics for JSON data, as json-logic-js 2.0.5 sees them on V8.

The rule engine in `logic.py` must give the same answers as json-logic-js running on the
phone, so every coercion it relies on is reproduced here from the ECMAScript spec:
ToNumber, ToString (with Number::toString), ToPrimitive for arrays and plain objects,
loose (`==`) and strict (`===`) equality, the relational comparison, `parseFloat`, and
UTF-16 string indexing.

Python stand-ins for JavaScript values:

- `None` is `null`; `UNDEFINED` is `undefined` (json-logic-js produces it, e.g.
  `{"and": []}`);
- `bool` is boolean (checked before numbers: `bool` is a subclass of `int`);
- `int` and `float` are both Number; ints are read as the nearest double, as
  `JSON.parse` does;
- `str` is string; `list` is Array; `dict` is a plain Object.
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any, Final


class LogicError(Exception):
    """A rule could not be evaluated (json-logic-js would throw)."""


class _Undefined:
    """The JavaScript `undefined` value (a singleton)."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = _Undefined()

# StrWhiteSpaceChar: WhiteSpace and LineTerminator (ECMAScript 7.1.4.1.1).
JS_WHITESPACE: Final = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)

_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_NON_DECIMAL = re.compile(r"0(?:[xX](?P<hex>[0-9a-fA-F]+)|[oO](?P<oct>[0-7]+)|[bB](?P<bin>[01]+))")
_INDEX = re.compile(r"0|[1-9][0-9]*")

# Own properties of the built-in prototypes on Node 20 (Object.getOwnPropertyNames).
# A `var` path that would reach one of them gets a function in JavaScript, which has no
# JSON counterpart: the Python engine refuses such paths instead of guessing.
OBJECT_PROTO: Final = frozenset(
    {
        "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
        "__proto__", "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
        "toLocaleString", "toString", "valueOf",
    }
)  # fmt: skip
ARRAY_PROTO: Final = OBJECT_PROTO | frozenset(
    {
        "at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex",
        "findLast", "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join",
        "keys", "lastIndexOf", "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift",
        "slice", "some", "sort", "splice", "toReversed", "toSorted", "toSpliced", "unshift",
        "values", "with",
    }
)  # fmt: skip
STRING_PROTO: Final = OBJECT_PROTO | frozenset(
    {
        "anchor", "at", "big", "blink", "bold", "charAt", "charCodeAt", "codePointAt", "concat",
        "endsWith", "fixed", "fontcolor", "fontsize", "includes", "indexOf", "isWellFormed",
        "italics", "lastIndexOf", "link", "localeCompare", "match", "matchAll", "normalize",
        "padEnd", "padStart", "repeat", "replace", "replaceAll", "search", "slice", "small",
        "split", "startsWith", "strike", "sub", "substr", "substring", "sup",
        "toLocaleLowerCase", "toLocaleUpperCase", "toLowerCase", "toUpperCase", "toWellFormed",
        "trim", "trimEnd", "trimLeft", "trimRight", "trimStart",
    }
)  # fmt: skip
NUMBER_PROTO: Final = OBJECT_PROTO | frozenset({"toExponential", "toFixed", "toPrecision"})
BOOLEAN_PROTO: Final = OBJECT_PROTO
BUILTIN_PROPERTIES: Final = ARRAY_PROTO | STRING_PROTO | NUMBER_PROTO


def js_type(value: Any) -> str:
    """The ECMAScript type of a value: undefined, null, boolean, number, string or object."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | dict):
        return "object"
    raise LogicError(f"not a JSON value: {type(value).__name__}")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_double(value: int | float) -> float:
    """The Number a JSON number denotes (big integers round to the nearest double)."""
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def is_negative_zero(value: float) -> bool:
    return value == 0 and math.copysign(1.0, value) < 0


# --- UTF-16 ---------------------------------------------------------------------------


def utf16_units(text: str) -> str:
    """`text` re-spelled with one Python character per UTF-16 code unit."""
    if text.isascii():
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(unit) for unit in struct.unpack(f"<{len(data) // 2}H", data))


def from_utf16_units(units: str) -> str:
    """Inverse of `utf16_units`: pairs of surrogate units become one character again."""
    if units.isascii():
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def utf16_length(text: str) -> int:
    return len(utf16_units(text))


# --- ToString -------------------------------------------------------------------------


def number_to_string(value: float) -> str:
    """Number::toString(10): the shortest round-trip digits, laid out as ECMAScript does."""
    if math.isnan(value):
        return "NaN"
    if value == 0:
        return "0"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value < 0:
        return "-" + number_to_string(-value)
    mantissa, _, exponent = repr(value).partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    stripped = all_digits.lstrip("0")
    # value = 0.<stripped> * 10**n
    n = len(int_part) + int(exponent or "0") - (len(all_digits) - len(stripped))
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    if k == 1:
        return f"{digits}e{sign}{abs(n - 1)}"
    return f"{digits[0]}.{digits[1:]}e{sign}{abs(n - 1)}"


def to_string(value: Any) -> str:
    """ToString, with Array.prototype.toString for arrays (null and undefined items are '')."""
    if isinstance(value, str):
        return value
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(as_double(value))
    if isinstance(value, list):
        return ",".join("" if item is None or item is UNDEFINED else to_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    raise LogicError(f"not a JSON value: {type(value).__name__}")


def to_primitive(value: Any) -> Any:
    """ToPrimitive: arrays and plain objects become their toString()."""
    if isinstance(value, list | dict):
        return to_string(value)
    return value


# --- ToNumber, parseFloat -------------------------------------------------------------


def string_to_number(text: str) -> float:
    body = text.strip(JS_WHITESPACE)
    if body == "":
        return 0.0
    if _DECIMAL.fullmatch(body):
        return float(body)
    match = _NON_DECIMAL.fullmatch(body)
    if match is None:
        return math.nan
    hex_digits, oct_digits, bin_digits = match.group("hex", "oct", "bin")
    if hex_digits is not None:
        return as_double(int(hex_digits, 16))
    if oct_digits is not None:
        return as_double(int(oct_digits, 8))
    return as_double(int(bin_digits, 2))


def to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return as_double(value)
    if isinstance(value, str):
        return string_to_number(value)
    if value is None:
        return 0.0
    if value is UNDEFINED:
        return math.nan
    return to_number(to_primitive(value))


def parse_float(value: Any) -> float:
    """The global parseFloat: the longest decimal prefix of ToString(value)."""
    text = to_string(value).lstrip(JS_WHITESPACE)
    match = _DECIMAL.match(text)
    if match is None:
        return math.nan
    return float(match.group(0))


def to_integer_or_infinity(value: Any) -> float:
    number = to_number(value)
    if math.isnan(number):
        return 0.0
    if math.isinf(number):
        return number
    return float(math.trunc(number))


# --- truthiness, equality, comparison -------------------------------------------------


def js_truthy(value: Any) -> bool:
    """JavaScript's `!!value` (an empty array is truthy here)."""
    if value is None or value is UNDEFINED:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        number = as_double(value)
        return not (number == 0 or math.isnan(number))
    if isinstance(value, str):
        return value != ""
    return True


def strict_equals(left: Any, right: Any) -> bool:
    """`===`: same type and value; arrays and objects by identity; NaN is unequal to itself."""
    left_type = js_type(left)
    if left_type != js_type(right):
        return False
    if left_type in ("undefined", "null"):
        return True
    if left_type == "number":
        return as_double(left) == as_double(right)
    if left_type in ("string", "boolean"):
        return bool(left == right)
    return left is right


def loose_equals(left: Any, right: Any) -> bool:
    """`==`: IsLooselyEqual (ECMAScript 7.2.15) for JSON values."""
    left_type, right_type = js_type(left), js_type(right)
    if left_type == right_type:
        return strict_equals(left, right)
    if {left_type, right_type} == {"null", "undefined"}:
        return True
    if left_type == "number" and right_type == "string":
        return as_double(left) == string_to_number(right)
    if left_type == "string" and right_type == "number":
        return string_to_number(left) == as_double(right)
    if left_type == "boolean":
        return loose_equals(to_number(left), right)
    if right_type == "boolean":
        return loose_equals(left, to_number(right))
    if left_type in ("number", "string") and right_type == "object":
        return loose_equals(left, to_primitive(right))
    if left_type == "object" and right_type in ("number", "string"):
        return loose_equals(to_primitive(left), right)
    return False


def less_than(left: Any, right: Any) -> bool | None:
    """IsLessThan: True, False, or None when a NaN makes the comparison undefined."""
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        return utf16_units(left) < utf16_units(right)
    left_number, right_number = to_number(left), to_number(right)
    if math.isnan(left_number) or math.isnan(right_number):
        return None
    return left_number < right_number


def js_lt(left: Any, right: Any) -> bool:
    return less_than(left, right) is True


def js_gt(left: Any, right: Any) -> bool:
    return less_than(right, left) is True


def js_le(left: Any, right: Any) -> bool:
    return less_than(right, left) is False


def js_ge(left: Any, right: Any) -> bool:
    return less_than(left, right) is False


# --- arithmetic -----------------------------------------------------------------------


def js_add(left: Any, right: Any) -> Any:
    """The binary `+` operator: string concatenation if either primitive is a string."""
    left, right = to_primitive(left), to_primitive(right)
    if isinstance(left, str) or isinstance(right, str):
        return to_string(left) + to_string(right)
    return to_number(left) + to_number(right)


def js_divide(left: Any, right: Any) -> float:
    dividend, divisor = to_number(left), to_number(right)
    if divisor == 0:
        if dividend == 0 or math.isnan(dividend):
            return math.nan
        return math.copysign(math.inf, dividend) * math.copysign(1.0, divisor)
    return dividend / divisor


def js_remainder(left: Any, right: Any) -> float:
    dividend, divisor = to_number(left), to_number(right)
    if math.isnan(dividend) or math.isnan(divisor) or math.isinf(dividend) or divisor == 0:
        return math.nan
    if math.isinf(divisor) or dividend == 0:
        return dividend
    return math.fmod(dividend, divisor)


# --- property access ------------------------------------------------------------------


def _index(key: str, length: int) -> int | None:
    if _INDEX.fullmatch(key) and int(key) < length:
        return int(key)
    return None


def get_property(value: Any, key: str) -> Any:
    """`value[key]` for a non-null JSON value; UNDEFINED when there is no such property.

    Raises LogicError where JavaScript would find a built-in method (a function).
    """
    if isinstance(value, dict):
        if key in value:
            return value[key]
        if key in OBJECT_PROTO:
            raise LogicError(f"property {key!r} is a JavaScript built-in")
        return UNDEFINED
    if isinstance(value, list):
        if key == "length":
            return len(value)
        index = _index(key, len(value))
        if index is not None:
            return value[index]
        forbidden: frozenset[str] = ARRAY_PROTO
    elif isinstance(value, str):
        units = utf16_units(value)
        if key == "length":
            return len(units)
        index = _index(key, len(units))
        if index is not None:
            return from_utf16_units(units[index])
        forbidden = STRING_PROTO
    elif isinstance(value, bool):
        forbidden = BOOLEAN_PROTO
    elif isinstance(value, int | float):
        forbidden = NUMBER_PROTO
    else:
        raise LogicError(f"cannot read {key!r} of {to_string(value)}")
    if key in forbidden:
        raise LogicError(f"property {key!r} is a JavaScript built-in")
    return UNDEFINED
