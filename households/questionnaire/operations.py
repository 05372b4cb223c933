"""Custom JSON Logic operators of the questionnaire, and the date helpers they share.

Each operator is registered with the same name and the same behaviour in
`static/js/questionnaire/operations.js`; the differential test feeds both random
arguments. They never raise: an argument of the wrong kind gives `False` or `[]`.

- `is_digits(value, min_len[, max_len])`: `value` is a string of ASCII digits whose
  length lies in [min_len, max_len] (max_len defaults to min_len).
- `is_upper_alnum(value, min_len[, max_len])`: the same for ASCII digits and capitals
  (SLS, sub-SLS and Wilkerstat landmark codes).
- `is_name(value)`: a personal name: ASCII letters, space and `.'-,`, at least one letter.
- `is_date(value)`: a "YYYY-MM-DD" calendar date (year 0001-9999).
- `possible_ages(ref_date, year, month, day)`: the completed ages in years, ascending,
  that a person born on (year, month, day) can have on `ref_date` ("YYYY-MM-DD"). Month
  and day may be 98 (tidak tahu), which widens the result to two ages at most. `[]` when
  an argument is invalid or the birth date lies after `ref_date`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, Final

from households.questionnaire.jsvalues import UNDEFINED, as_double, is_number

UNKNOWN_PART: Final = 98

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NAME_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .'-,")
_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS: Final = frozenset("0123456789")
_UPPER_ALNUM: Final = _DIGITS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap_year(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def parse_iso_date(value: Any) -> tuple[int, int, int] | None:
    """(year, month, day) of a "YYYY-MM-DD" calendar date (year 0001-9999), else None."""
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year < 1 or not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month):
        return None
    return year, month, day


def integer_value(value: Any) -> int | None:
    """The integer a JSON number holds (1.0 counts), else None."""
    if not is_number(value):
        return None
    number = as_double(value)
    if not math.isfinite(number) or number != int(number):
        return None
    return int(number)


def _length_bounds(args: list[Any]) -> tuple[int, int] | None:
    low = integer_value(args[1]) if len(args) > 1 else None
    high_arg = args[2] if len(args) > 2 else UNDEFINED
    high = low if high_arg is UNDEFINED else integer_value(high_arg)
    if low is None or high is None:
        return None
    return low, high


def _chars_within(args: list[Any], allowed: frozenset[str]) -> bool:
    value = args[0] if args else UNDEFINED
    bounds = _length_bounds(args)
    if not isinstance(value, str) or bounds is None:
        return False
    low, high = bounds
    # Only ASCII passes the character test, so len() equals the UTF-16 length here.
    return low <= len(value) <= high and all(char in allowed for char in value)


def op_is_digits(args: list[Any]) -> bool:
    return _chars_within(args, _DIGITS)


def op_is_upper_alnum(args: list[Any]) -> bool:
    return _chars_within(args, _UPPER_ALNUM)


def op_is_name(args: list[Any]) -> bool:
    value = args[0] if args else UNDEFINED
    if not isinstance(value, str):
        return False
    return all(char in _NAME_CHARS for char in value) and any(char in _LETTERS for char in value)


def op_is_date(args: list[Any]) -> bool:
    return parse_iso_date(args[0] if args else UNDEFINED) is not None


def _completed_years(birth: tuple[int, int, int], ref: tuple[int, int, int]) -> int:
    return ref[0] - birth[0] - (1 if ref[1:] < birth[1:] else 0)


def op_possible_ages(args: list[Any]) -> list[int]:
    padded = [*args, UNDEFINED, UNDEFINED, UNDEFINED, UNDEFINED]
    ref = parse_iso_date(padded[0])
    year, month, day = (integer_value(part) for part in padded[1:4])
    if ref is None or year is None or month is None or day is None:
        return []
    month_known, day_known = month != UNKNOWN_PART, day != UNKNOWN_PART
    if not 1 <= year <= 9999 or (month_known and not 1 <= month <= 12) or (day_known and not 1 <= day <= 31):
        return []
    if month_known and day_known and day > days_in_month(year, month):
        return []
    earliest = (year, month if month_known else 1, day if day_known else 1)
    latest_month = month if month_known else 12
    latest = (year, latest_month, day if day_known else days_in_month(year, latest_month))
    if earliest > ref:
        return []
    latest = min(latest, ref)
    return list(range(_completed_years(latest, ref), _completed_years(earliest, ref) + 1))


CUSTOM_OPERATIONS: Final[dict[str, Callable[[list[Any]], Any]]] = {
    "is_digits": op_is_digits,
    "is_upper_alnum": op_is_upper_alnum,
    "is_name": op_is_name,
    "is_date": op_is_date,
    "possible_ages": op_possible_ages,
}

# Accepted argument counts, checked when a definition is loaded.
CUSTOM_ARITY: Final[dict[str, tuple[int, int]]] = {
    "is_digits": (2, 3),
    "is_upper_alnum": (2, 3),
    "is_name": (1, 1),
    "is_date": (1, 1),
    "possible_ages": (4, 4),
}
