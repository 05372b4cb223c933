from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ranking.documents import dump_document
from ranking.models import PMTModel
from ranking.selectors import pmt_model_document, pmt_model_get


class Command(BaseCommand):
    help = "Write a stored PMT model as its JSON document (to a file or standard output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", help="The model's version")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = pmt_model_get(version=options["version"])
        except PMTModel.DoesNotExist:
            raise CommandError(f"no PMT model of version {options['version']!r}") from None
        text = dump_document(pmt_model_document(model=model))
        if options["output"]:
            options["output"].write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
