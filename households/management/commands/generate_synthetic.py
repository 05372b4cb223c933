from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enumeration.synthetic import SyntheticPlan, synthetic_generate, synthetic_remove


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic population (SLS, PPL/PML/Koseka, assignments, families with "
        "members and VK1 rows) over the loaded areas. Marked synthetic everywhere. Re-running with the "
        "same seed and size is a no-op."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=2000, help="target number of families (default 2000)")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--replace", action="store_true", help="remove an existing synthetic dataset first")
        parser.add_argument("--no-families", action="store_true", help="areas, staff and assignments only")

    def handle(self, *args: Any, **options: Any) -> None:
        families: int = options["families"]
        if families < 1 or families > 2_000_000:
            raise CommandError("--families must be between 1 and 2,000,000")
        from households.synthetic import families_generate, families_remove

        started = time.monotonic()
        if options["replace"]:
            families_remove()
            synthetic_remove()
        try:
            dataset = synthetic_generate(families=families, seed=options["seed"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        made = 0
        if not options["no_families"]:
            per_sls = max(1, round(families / max(1, dataset.summary["sls"])))
            made = families_generate(families_per_sls=per_sls, seed=options["seed"])
        plan = SyntheticPlan.for_families(families, 7)
        self.stdout.write(
            f"synthetic dataset seed={dataset.seed} families={dataset.families}: {dataset.summary} "
            f"(planned ratio PPL:PML:Koseka = {plan.ppl}:{plan.pml}:{plan.koseka}); {made} new families "
            f"in {time.monotonic() - started:.1f}s"
        )
