"""Text that PostgreSQL cannot store.

JSON may carry "\\u0000" (NUL, which text and jsonb columns refuse) and lone UTF-16 surrogates such
as "\\ud800" (valid JSON escapes; a phone can produce one by cutting an emoji in half), which cannot be
encoded as UTF-8. Hand-parsed input (sync records, geotags, VK1 marks) checks its strings with
`unstorable` and answers field by field, instead of failing at the database or the encoder.
DRF serializer fields refuse NUL by themselves.
"""

from __future__ import annotations


def unstorable(value: str) -> bool:
    """True if `value` holds NUL or a lone surrogate."""
    if "\x00" in value:
        return True
    if value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def is_integer(value: str) -> bool:
    """True if `value` is an integer written in ASCII digits, with an optional minus: what the
    schema's `integer` query parameters take (`int()` would also take spaces, `_` and other scripts'
    digits)."""
    digits = value.removeprefix("-")
    return bool(digits) and digits.isascii() and digits.isdigit()
