"""Logging helpers.

Personal data must never reach logs. Code logs ids, counts and codes only; this filter is
the second line of defence: it masks anything that looks like a NIK or No. KK (16 digits)
or an e-mail address in the message and its arguments.
"""

from __future__ import annotations

import logging
import re

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def redact(text: str) -> str:
    text = _SIXTEEN_DIGITS.sub("[16-digit-redacted]", text)
    return _EMAIL.sub("[email-redacted]", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
