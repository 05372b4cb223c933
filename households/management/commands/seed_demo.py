from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from enumeration import scoping
from enumeration.models import SLS, Role, User
from enumeration.synthetic import synthetic_generate
from households.models import FINAL_PRELIST, Family, FamilyStatus, PrelistFamily, PrelistStatus, SLSConfirmation

# VK1 rows the demo PPL has not visited yet (synthetic names: no real people). Two heads share a
# given name, so the lists must tell them apart by line, address and building.
UNVISITED = [
    ("BUDI SINTETIS 9001", "JL. CONTOH I NO. 1"),
    ("SITI SINTETIS 9002", "JL. CONTOH I NO. 3"),
    ("BUDI SINTETIS 9003", "JL. CONTOH II NO. 2"),
    ("DEWI SINTETIS 9004", "GG. PERCOBAAN NO. 7"),
    ("EKA SINTETIS 9005", "GG. PERCOBAAN NO. 9"),
    ("FAJAR SINTETIS 9006", "JL. CONTOH III NO. 4"),
]


class Command(BaseCommand):
    help = (
        "Local demo only: generate a small synthetic dataset and give demo accounts a password "
        "(from DEMO_PASSWORD). Refuses to run unless REGSOSEK_DEMO=1 (set by `make run`) or DJANGO_DEBUG "
        "is on. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=2000)

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        # Demo accounts get a known password: an explicit opt-in, never a production default.
        # `make run` sets REGSOSEK_DEMO=1 and runs with debug off, like production.
        if not (settings.DEBUG or os.environ.get("REGSOSEK_DEMO") == "1"):
            raise CommandError("seed_demo is for the local demo only (REGSOSEK_DEMO=1, as `make run` sets).")
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
        _admin, koseka, pml, ppl, _pemkot = accounts
        unvisited = self._unvisited_rows(ppl)
        self._geotags(ppl, unvisited)
        ready = self._sls_ready_to_confirm(koseka, pml, avoid=unvisited)
        waiting = Family.objects.filter(sls__in=scoping.visible_sls(pml), status=FamilyStatus.SUBMITTED).count()
        for user in accounts:
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()}")
        self.stdout.write(
            f"  {ppl.username}: {PrelistFamily.objects.filter(sls=unvisited, status=PrelistStatus.PENDING).count()}"
            f" unvisited VK1 rows in {unvisited.full_code}; {pml.username}: {waiting} submitted families to review;"
            f" {koseka.username}: SLS {ready.full_code if ready else '-'} ready to confirm"
        )

    @staticmethod
    def _ppl_sls(ppl: User) -> list[SLS]:
        return list(SLS.objects.filter(assignments__ppl=ppl, assignments__ended_at__isnull=True).order_by("pk"))

    def _unvisited_rows(self, ppl: User) -> SLS:
        """VK1 rows nobody visited yet in the demo PPL's first SLS, so "Mulai wawancara" and the VK1
        marks can be shown (the generated families all come with a row already found)."""
        sls = self._ppl_sls(ppl)[0]
        with transaction.atomic():
            SLS.objects.select_for_update().get(pk=sls.pk)
            have = set(PrelistFamily.objects.filter(sls=sls).values_list("head_name", flat=True))
            last = PrelistFamily.objects.filter(sls=sls).aggregate(last=Max("line_no"))["last"] or 0
            rows = [
                PrelistFamily(sls=sls, line_no=last + n, head_name=name, address=address, is_synthetic=True)
                for n, (name, address) in enumerate((r for r in UNVISITED if r[0] not in have), start=1)
            ]
            PrelistFamily.objects.bulk_create(rows)
        return sls

    def _geotags(self, ppl: User, sls: SLS) -> None:
        """Geotags for the families already collected in the demo PPL's first SLS (the generated
        ones have none), so the app's SLS map shows buildings: points inside the kelurahan
        (PostGIS, fixed seed), taken yesterday six minutes apart. Families that have one keep it."""
        from django.db import connection

        from geotag.services import GeotagInput, geotag_build, geotags_create

        families = list(Family.objects.filter(sls=sls, geotag__isnull=True).order_by("building_no", "pk"))
        if not families:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_X(p.geom), ST_Y(p.geom) FROM enumeration_kelurahan k,"
                " ST_Dump(ST_GeneratePoints(k.boundary, %s, 2022)) p WHERE k.bps_code = %s",
                [len(families), sls.kelurahan_id],
            )
            points = cursor.fetchall()
        start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) - dt.timedelta(days=1)
        with transaction.atomic():
            geotags = []
            for n, (family, (lon, lat)) in enumerate(zip(families, points, strict=False)):
                data = GeotagInput(
                    client_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"regsosek-demo-geotag/{family.client_uuid}"),
                    latitude=lat,
                    longitude=lon,
                    accuracy_m=8.0,
                    captured_at=start + dt.timedelta(minutes=6 * n),
                    provider="gps",
                    building_no=family.building_no,
                )
                geotags.append((family, geotag_build(user=ppl, sls=sls, data=data)))
            geotags_create(geotags=[g for _f, g in geotags])
            for family, geotag in geotags:
                Family.objects.filter(pk=family.pk).update(geotag=geotag)

    def _sls_ready_to_confirm(self, koseka: User, pml: User, *, avoid: SLS) -> SLS | None:
        """One SLS of the Koseka's kecamatan with every VK1 row final and every family approved (the
        PML approves what was submitted), not yet confirmed: the Koseka's step of the demo. Skipped
        when one is ready or was confirmed already; an SLS with returned families is left alone (they
        are the PPL's)."""
        from households.services import family_approve, sls_open_items

        candidates = [
            s
            for s in scoping.visible_sls(koseka).filter(is_synthetic=True).exclude(pk=avoid.pk).order_by("-pk")
            if scoping.can_see_sls(pml, s)
        ]
        for sls in candidates:
            # Ready, or confirmed by the Koseka in an earlier demo: nothing to change.
            confirmed = SLSConfirmation.objects.filter(sls=sls).exists()
            if confirmed or (PrelistFamily.objects.filter(sls=sls).exists() and not any(sls_open_items(sls).values())):
                return sls
        for sls in candidates:
            open_rows = PrelistFamily.objects.filter(sls=sls).exclude(status__in=FINAL_PRELIST).exists()
            blocked = Family.objects.filter(sls=sls).exclude(status__in=[FamilyStatus.SUBMITTED, FamilyStatus.APPROVED])
            if open_rows or blocked.exists() or not PrelistFamily.objects.filter(sls=sls).exists():
                continue
            with transaction.atomic():
                for family in Family.objects.filter(sls=sls, status=FamilyStatus.SUBMITTED).order_by("pk"):
                    family_approve(user=pml, family=family, comment="Disetujui untuk demo (data sintetis)")
            return sls
        return None

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
