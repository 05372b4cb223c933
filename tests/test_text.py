from __future__ import annotations

import pytest

from regsosek.text import unstorable


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
