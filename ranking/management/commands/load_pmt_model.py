from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ranking.default_model import DEFAULT_MODEL_JSON
from ranking.services import pmt_model_import
from regsosek.errors import ApplicationError


class Command(BaseCommand):
    help = "Load a PMT model from its JSON document (default: the shipped model). Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_MODEL_JSON, help="Model JSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        try:
            result = pmt_model_import(data=data)
        except ApplicationError as error:
            problems = "".join(f"\n  - {p}" for p in error.extra.get("problems", []))
            raise CommandError(f"{error.message}{problems}") from error
        state = "loaded" if result.created else "already loaded, unchanged"
        self.stdout.write(f"PMT model {result.model.version}: {state}")
