"""Counts of the fuzz run, printed at the end of the pytest session (tests/fuzz/conftest.py)."""

from __future__ import annotations

from collections import Counter
from typing import Any

cases = Counter[str]()
statuses = Counter[int]()


def record(case: Any) -> None:
    cases[f"{case.method} {case.path}"] += 1


def answered(status: int) -> None:
    statuses[status] += 1
