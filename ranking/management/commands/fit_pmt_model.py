from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ranking.default_model import DEFAULT_MODEL_JSON, build_default_model
from ranking.documents import dump_document


class Command(BaseCommand):
    help = (
        "Fit the default PMT model on the Alatas et al. (2012) survey file through the crosswalk and write its "
        "JSON document (with the cross-validated accuracy report). Does not touch the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=DEFAULT_MODEL_JSON, help="Where to write the JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        document = build_default_model()
        options["output"].write_text(dump_document(document), encoding="utf-8")
        report = document.accuracy
        self.stdout.write(
            f"{document.version}: R² {report['r2_in_sample']} (cross-validated {report['r2_cross_validated']}), "
            f"written to {options['output']}"
        )
