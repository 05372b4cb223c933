"""The log filter: no NIK-like number, e-mail address or database-quoted value reaches the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DataError
from django.utils.module_loading import import_string


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:  # the project's handler set-up, into a buffer
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    config: dict[str, Any] = settings.LOGGING
    formatter = config["formatters"]["json"]
    handler.setFormatter(import_string(formatter["()"])(fmt=formatter["fmt"], rename_fields=formatter["rename_fields"]))
    handler.addFilter(import_string(config["filters"]["redact"]["()"])())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def test_numbers_and_addresses_in_messages_are_masked(log) -> None:  # type: ignore[no-untyped-def]
    logger, out = log
    logger.warning("nik %s of %s", "3674071503800009", "budi@example.org")
    line = json.loads(out.getvalue())
    assert "3674071503800009" not in line["message"] and "budi@example.org" not in line["message"]


def test_a_database_error_in_a_traceback_keeps_its_sqlstate_not_its_values(log) -> None:  # type: ignore[no-untyped-def]
    logger, out = log
    quoted = 'value too long for type character varying(150)\nCONTEXT:  COPY households_member, column name: "BUDI"'
    try:
        try:
            raise psycopg.errors.StringDataRightTruncation(quoted)
        except psycopg.Error as error:
            raise DataError(*error.args) from error
    except DataError:
        logger.exception("sync.failed")
    line = json.loads(out.getvalue())
    assert "BUDI" not in out.getvalue() and "varying(150)" not in line["exc_info"]
    assert "SQLSTATE 22001" in line["exc_info"] and "StringDataRightTruncation" in line["exc_info"]


def test_other_tracebacks_are_kept_with_numbers_masked(log) -> None:  # type: ignore[no-untyped-def]
    logger, out = log
    try:
        raise ValueError("bad NIK 3674071503800009")
    except ValueError:
        logger.exception("parse.failed")
    line = json.loads(out.getvalue())
    assert "ValueError: bad NIK [16-digit-redacted]" in line["exc_info"]
