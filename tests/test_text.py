from __future__ import annotations

import pytest

from regsosek.text import is_integer, unstorable


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("BUDI SANTOSO", False),
        ("Sri Rahayu 🌸", False),  # a surrogate pair in JSON decodes to one character
        ("", False),
        ("a\x00b", True),
        ("half \ud83d", True),
        ("\udc00", True),
    ],
)
def test_unstorable(value: str, expected: bool) -> None:
    assert unstorable(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", True),
        ("-3", True),
        ("0", True),
        ("", False),
        ("-", False),
        (" 1", False),
        ("1_000", False),
        ("+1", False),
        ("1.0", False),
        ("\u0661", False),  # an Arabic-Indic one: int() takes it, the schema's integer does not
        ("²", False),
    ],
)
def test_is_integer(value: str, expected: bool) -> None:
    assert is_integer(value) is expected
