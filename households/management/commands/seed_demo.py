from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from enumeration.models import Role, User
from enumeration.synthetic import synthetic_generate


class Command(BaseCommand):
    help = (
        "Local demo only: generate a small synthetic dataset and give demo accounts a password "
        "(from DEMO_PASSWORD). Refuses to run unless DJANGO_DEBUG is on. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("seed_demo is for the local demo (DJANGO_DEBUG=1) only.")
        password = os.environ.get("DEMO_PASSWORD", "")
        if len(password) < 10:
            raise CommandError("Set DEMO_PASSWORD (at least 10 characters).")
        from households.synthetic import families_generate, families_place_in_fieldwork

        dataset = synthetic_generate(families=options["families"])
        families_generate(families_per_sls=max(1, round(options["families"] / dataset.summary["sls"])), seed=2022)
        # Geotags and dates over the fieldwork period, for the monitoring map and trend (docs/monitoring.md).
        from regsosek.fieldwork import fieldwork_period

        start, end = fieldwork_period()
        families_place_in_fieldwork(start=start, end=end)
        with transaction.atomic():
            accounts = self._demo_accounts()
            for user in accounts:
                if not user.check_password(password):
                    user.set_password(password)
                    user.save(update_fields=["password"])
        for user in accounts:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()}")

    def _demo_accounts(self) -> list[User]:
        admin, _ = User.objects.get_or_create(
            username="admin.bps",
            defaults={
                "full_name": "Admin BPS (sintetis)",
                "role": Role.BPS_ADMIN,
                "is_staff": True,
                "is_synthetic": True,
            },
        )
        pemkot, _ = User.objects.get_or_create(
            username="pemkot.demo",
            defaults={"full_name": "Staf Pemkot (sintetis)", "role": Role.PEMKOT, "is_synthetic": True},
        )
        ppl = User.objects.filter(role=Role.PPL, is_synthetic=True, assignments__ended_at__isnull=True)
        first_ppl = ppl.order_by("username").select_related("supervisor__supervisor").first()
        if first_ppl is None or first_ppl.supervisor is None or first_ppl.supervisor.supervisor is None:
            raise CommandError("The synthetic dataset has no PPL with a PML and a Koseka.")
        return [admin, first_ppl.supervisor.supervisor, first_ppl.supervisor, first_ppl, pemkot]
