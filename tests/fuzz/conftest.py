"""The fuzz run's tally at the end of the session (`make fuzz` prints it)."""

from __future__ import annotations

from typing import Any

from tests.fuzz import tally


def pytest_terminal_summary(terminalreporter: Any) -> None:
    total = sum(tally.cases.values())
    if not total:
        return
    write = terminalreporter.write_line
    write(f"API fuzz: {total} generated requests over {len(tally.cases)} operations")
    write("  answers: " + ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses.items())))
    server_errors = sum(n for code, n in tally.statuses.items() if code >= 500)
    write(f"  5xx answers: {server_errors}")
