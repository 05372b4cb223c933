from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enumeration.imports import report_json, run_import


class Command(BaseCommand):
    help = (
        "Import SLS, staff or assignments from a CSV file. Prints the validation report as JSON; "
        "a file with any bad row imports nothing and the command exits 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="sls, staff, assignment or prelist")
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            report = run_import(options["kind"], data=data, by=None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report_json(report))
        if not report.ok:
            sys.exit(1)
