"""Logging helpers.

Personal data must never reach logs. Code logs ids, counts and codes only; this filter is
the second line of defence: it masks anything that looks like a NIK or No. KK (16 digits)
or an e-mail address in the message and its arguments, and in a logged traceback. A database
error's own text is withheld from the traceback (its SQLSTATE is kept): PostgreSQL quotes the
offending values in it ("DETAIL: Key (...)=(...)", "CONTEXT: COPY ..., column name: ...").
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

import psycopg
from django.db import Error as DjangoDatabaseError
from django.views.debug import SafeExceptionReporterFilter

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def redact(text: str) -> str:
    text = _SIXTEEN_DIGITS.sub("[16-digit-redacted]", text)
    return _EMAIL.sub("[email-redacted]", text)


def _chain(error: BaseException) -> list[BaseException]:
    """The error and those it was raised from or during, as a traceback prints them."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _database_error_state(error: BaseException) -> str | None:
    """The SQLSTATE of a database error ("?" if unknown), or None for any other error."""
    if isinstance(error, psycopg.Error):
        return error.sqlstate or "?"
    if isinstance(error, DjangoDatabaseError):
        cause = error.__cause__
        return (cause.sqlstate or "?") if isinstance(cause, psycopg.Error) else "?"
    return None


def safe_traceback(exc_info: Any) -> str:
    """The traceback of `exc_info`, database errors' texts withheld, NIK-like numbers masked."""
    text = "".join(traceback.format_exception(*exc_info))
    for error in _chain(exc_info[1]):
        state = _database_error_state(error)
        said = str(error)
        if state is not None and said:
            text = text.replace(said, f"[database error text withheld, SQLSTATE {state}]")
    return redact(text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # The formatter prints exc_text when exc_info is gone.
            record.exc_text = safe_traceback(record.exc_info)
            record.exc_info = None
        return True


class SettingsHidingReporterFilter(SafeExceptionReporterFilter):
    """Django's filter hides settings named like KEY, PASS or TOKEN; ours also hides every URL,
    location and broker setting, since REDIS_URL and its copies carry the Redis password."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|LOCATION|BROKER|BACKEND|DSN", flags=re.IGNORECASE
    )
