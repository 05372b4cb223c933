"""Rank the families now, in this process (no worker needed): what `make run` does for the demo.

Idempotent: when a finished run of the same model and statuses started after the last change to
any family in scope, it is reported and nothing is computed (`--new` computes a new run anyway).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Max

from enumeration.models import Role, User
from households.models import Family, FamilyStatus
from ranking.jobs import ranking_run_execute
from ranking.models import PMTModel, RankingRun, RunStatus
from ranking.selectors import pmt_model_current
from ranking.services import ranking_run_start
from regsosek.errors import ApplicationError


class Command(BaseCommand):
    help = "Compute a ranking run of the families in scope in-process (default: approved families)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="username of the BPS admin starting the run (default: the first one)")
        parser.add_argument("--status", action="append", choices=FamilyStatus.values, help="repeatable")
        parser.add_argument("--new", action="store_true", help="compute a new run even if nothing changed")

    def handle(self, *args: Any, **options: Any) -> None:
        statuses = sorted(set(options["status"] or [FamilyStatus.APPROVED]))
        admins = User.objects.filter(role=Role.BPS_ADMIN, is_active=True).order_by("pk")
        user = admins.filter(username=options["user"]).first() if options["user"] else admins.first()
        if user is None:
            raise CommandError("no active BPS admin to start the run (create one, or pass --user)")
        model = pmt_model_current()
        if model is None:
            raise CommandError("no PMT model loaded: run manage.py load_pmt_model first")
        if not options["new"]:
            current = self._current_run(model, statuses)
            if current is not None:
                self.stdout.write(f"Ranking run #{current.pk} is up to date ({current.counts.get('ranked', 0)} ranked)")
                return
        try:
            run = ranking_run_start(user=user, statuses=statuses, model=model, enqueue=False)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        done = ranking_run_execute(run.pk)
        if done is None or done.status != RunStatus.FINISHED:
            raise CommandError(f"ranking run #{run.pk} did not finish: {done.status if done else 'not claimed'}")
        self.stdout.write(
            f"Ranking run #{done.pk}: {done.counts['ranked']} ranked, {done.counts['unranked']} unranked "
            f"in {done.timings['total_s']} s"
        )

    @staticmethod
    def _current_run(model: PMTModel, statuses: list[str]) -> RankingRun | None:
        last_change = Family.objects.filter(status__in=statuses).aggregate(at=Max("updated_at"))["at"]
        runs = RankingRun.objects.filter(status=RunStatus.FINISHED, model=model, parameters__statuses=statuses)
        if last_change is not None:
            runs = runs.filter(started_at__gte=last_change)
        return runs.order_by("-pk").first()
