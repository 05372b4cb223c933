"""Group the SLS of every kelurahan of a ranking run into FKP forums (the demo's last step)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enumeration.models import Role, User
from fkp import selectors, services
from fkp.grouping import DEFAULT_MAX_SLS


class Command(BaseCommand):
    help = (
        "Make the FKP forums of a finished ranking run: every kelurahan with ranked families and no "
        "forums yet gets its SLS grouped (at most --max-sls a forum). Idempotent: kelurahan that "
        "already have forums are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help='A run id, or "latest" (the newest finished run).')
        parser.add_argument("--max-sls", type=int, default=DEFAULT_MAX_SLS)
        parser.add_argument("--user", default="", help="The BPS admin recorded as creator (default: the first one).")

    def handle(self, *args: Any, **options: Any) -> None:
        admins = User.objects.filter(role=Role.BPS_ADMIN, is_active=True).order_by("pk")
        user = (admins.filter(username=options["user"]) if options["user"] else admins).first()
        if user is None:
            raise CommandError("No active BPS admin account to record as the forums' creator.")
        runs = selectors.run_list(user=user)
        run = runs.first() if options["run"] == "latest" else runs.filter(pk=int(options["run"])).first()
        if run is None:
            raise CommandError("No finished ranking run found.")
        made = kept = 0
        for line in selectors.kelurahan_lines(user=user, run=run):
            if line.forums:
                kept += 1
                continue
            services.forum_group_kelurahan(user=user, run=run, kelurahan=line.kelurahan, max_sls=options["max_sls"])
            made += 1
        self.stdout.write(f"FKP forums of run #{run.pk}: {made} kelurahan grouped, {kept} already had forums.")
