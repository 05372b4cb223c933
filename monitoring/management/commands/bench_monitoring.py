"""`make bench-monitoring`: server time of the dashboard, trend and map at 500,000 families, beside
the raw SQL of the same numbers: the grouped counts over the families (what a fresh count must run,
the "before") and the reads of the counters kept per SLS (the "after"); then what the counters'
triggers add to a push and an approval (docs/performance.md, "Monitoring").

Meant for a scratch database (scripts/bench-monitoring.sh makes one): it writes synthetic data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client

from enumeration.models import Role, User
from enumeration.synthetic import synthetic_exists, synthetic_generate
from households import synthetic
from households.models import Family
from monitoring import progress
from regsosek.fieldwork import fieldwork_period

# What a fresh count cannot do without: the same aggregates as bare SQL, no scope, no rendering.
RAW_COUNTS = "SELECT sls_id, status, count(*) FROM households_family GROUP BY 1, 2"
RAW_VK1 = (
    "SELECT sls_id, count(*), count(*) FILTER (WHERE status IN ('moved', 'deceased', 'not_found', 'duplicate')) "
    "FROM households_prelistfamily GROUP BY 1"
)
RAW_TREND = (
    "SELECT (created_at AT TIME ZONE 'Asia/Jakarta')::date, count(*) FROM households_family GROUP BY 1; "
    "SELECT (reviewed_at AT TIME ZONE 'Asia/Jakarta')::date, count(*) FROM households_family "
    "WHERE status = 'approved' GROUP BY 1"
)
# What the pages read now: the counters kept per SLS by the triggers (monitoring.models).
RAW_COUNTERS = (
    "SELECT sls_id, status, families FROM monitoring_slsfamilycount; "
    "SELECT sls_id, status, rows FROM monitoring_slsprelistcount"
)
RAW_COUNTER_TREND = "SELECT day, sum(collected), sum(approved) FROM monitoring_slsfamilyday GROUP BY 1"
RAW_SLS_CENTROIDS = (
    "SELECT sls_id, sum(geotagged), sum(sum_lon), sum(sum_lat) FROM monitoring_slsfamilycount "
    "WHERE geotagged > 0 GROUP BY 1"
)
RAW_VIEWPORT = (
    "SELECT count(*) FROM households_family f JOIN geotag_geotag g ON g.id = f.geotag_id "
    "WHERE g.location && ST_MakeEnvelope(%s, %s, %s, %s, 4326)::geography"
)


def _median_ms(fn: Callable[[], Any], rounds: int) -> tuple[float, float]:
    fn()  # warm the caches once, as a server that has answered before
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


class Command(BaseCommand):
    help = "Benchmark of the monitoring pages at N synthetic families (writes synthetic data: scratch DB only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=500_000)
        parser.add_argument(
            "--generate",
            type=int,
            default=50_000,
            help="families generated record by record; the other SLS get copies of them (default 50,000)",
        )
        parser.add_argument("--rounds", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        self._setup(options["families"], options["generate"])
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        rounds = options["rounds"]
        families = Family.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM households_member")
            members = cursor.fetchone()[0]
        self.stdout.write(f"data: {families:,} families, {members:,} members; median and max of {rounds} requests")
        admin = User.objects.filter(role=Role.BPS_ADMIN).first() or User.objects.create(
            username="bench.admin", full_name="Bench admin", role=Role.BPS_ADMIN, is_synthetic=True
        )
        koseka = User.objects.filter(role=Role.KOSEKA, is_synthetic=True).order_by("pk").first()
        pml = User.objects.filter(role=Role.PML, is_synthetic=True).order_by("pk").first()
        ppl = User.objects.filter(role=Role.PPL, is_synthetic=True, assignments__ended_at__isnull=True).first()
        assert koseka and pml and ppl  # noqa: S101 - the synthetic dataset has them
        sls = ppl.assignments.filter(ended_at__isnull=True).select_related("sls__kelurahan").first()
        assert sls is not None  # noqa: S101
        kel = sls.sls.kelurahan

        def raw(sql: str, params: tuple[Any, ...] = ()) -> Callable[[], None]:
            def run() -> None:
                with connection.cursor() as cursor:
                    for statement in sql.split("; "):
                        cursor.execute(statement, params or None)
                        cursor.fetchall()

            return run

        self._line("raw SQL: families per SLS and status (the floor of a fresh count)", raw(RAW_COUNTS), rounds)
        self._line("raw SQL: VK1 rows per SLS", raw(RAW_VK1), rounds)
        every = progress.node_sls_qs(user=admin, node=progress.Node(progress.KOTA, "", "kota"))
        self._line(
            "before: fresh counts per SLS, kota (sls_counts_fresh)",
            lambda: progress.sls_counts_fresh(sls_qs=every),
            rounds,
        )
        self._line("raw SQL: the counters per SLS (families, VK1 rows)", raw(RAW_COUNTERS), rounds)
        self._line("after: counters per SLS, kota (sls_counts)", lambda: progress.sls_counts(sls_qs=every), rounds)
        pages = [
            ("dashboard kota, BPS admin", admin, "/pemantauan/"),
            ("dashboard kota by PPL, BPS admin", admin, "/pemantauan/?by=ppl"),
            ("dashboard kecamatan, BPS admin", admin, f"/pemantauan/kecamatan/{kel.kecamatan_id}/"),
            ("dashboard kelurahan, BPS admin", admin, f"/pemantauan/kelurahan/{kel.pk}/"),
            ("dashboard SLS, BPS admin", admin, f"/pemantauan/sls/{sls.sls_id}/"),
            ("dashboard kota, Koseka (a kecamatan)", koseka, "/pemantauan/"),
            ("dashboard kota by PPL, PML (a team)", pml, "/pemantauan/?by=ppl"),
            ("dashboard PPL, PML", pml, f"/pemantauan/ppl/{ppl.pk}/"),
        ]
        for label, user, url in pages:
            self._line(label, self._get(user, url), rounds)
        self._line("raw SQL: families per day (collected, approved)", raw(RAW_TREND), rounds)
        kota = progress.Node(progress.KOTA, "", "kota")

        def trend() -> None:
            progress.progress_trend(user=admin, node=kota, target=families)

        self._line(
            "before: fresh families per day, kota (trend_days_fresh)",
            lambda: progress.trend_days_fresh(sls_qs=every),
            rounds,
        )
        self._line("raw SQL: the counters per SLS and day, summed per day", raw(RAW_COUNTER_TREND), rounds)
        self._line("trend data, kota, BPS admin (progress_trend)", trend, rounds)
        self._line("raw SQL: SLS centroids from the counters (low-zoom map)", raw(RAW_SLS_CENTROIDS), rounds)
        city = (106.64, -6.38, 106.78, -6.22)
        lon, lat = self._densest_point()
        for zoom, half in ((12, None), (14, 0.03), (16, 0.008), (17, 0.004), (18, 0.002)):
            box = city if half is None else (lon - half * 1.6, lat - half, lon + half * 1.6, lat + half)
            bbox = ",".join(f"{v:.5f}" for v in box)
            self._line(f"raw SQL: geotags in the zoom {zoom} viewport", raw(RAW_VIEWPORT, box), rounds)
            url = f"/pemantauan/peta/titik.json?level=kota&key=&zoom={zoom}&bbox={bbox}"
            self._line(f"map points, zoom {zoom} viewport, BPS admin", self._get(admin, url), rounds)
        self._line(
            "map boundaries, kota (kecamatan), BPS admin",
            self._get(admin, "/pemantauan/peta/wilayah.json?level=kota&key=&zoom=12"),
            rounds,
        )
        self._write_cost(rounds)

    def _write_cost(self, rounds: int) -> None:
        """What the counter triggers add to the writes of the push and the review desk: the same
        statements with the triggers on and off (ALTER TABLE ... DISABLE TRIGGER, inside a transaction
        that is rolled back), interleaved, ms per family (median of `rounds`)."""
        columns = [f.column for f in Family._meta.concrete_fields]
        fresh = {"id": "nextval(pg_get_serial_sequence('households_family', 'id'))", "client_uuid": "gen_random_uuid()"}
        select = ", ".join(fresh.get(c, c) for c in columns)
        insert = (
            f"INSERT INTO households_family ({', '.join(columns)}) "  # noqa: S608 - column names from the model
            f"SELECT {select} FROM households_family WHERE id = ANY(%s)"
        )
        approve = "UPDATE households_family SET status = 'approved', reviewed_at = now() WHERE id = %s"
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM households_family WHERE status = 'submitted' ORDER BY id LIMIT 400")
            ids = [row[0] for row in cursor.fetchall()]
        batches = [ids[i : i + 20] for i in range(0, 200, 20)]  # ten pushes of 20 families (one COPY each)
        singles = ids[200:400]
        triggers = ("monitoring_family_insert", "monitoring_family_update", "monitoring_family_delete")

        def run(kind: str, on: bool) -> float:
            with transaction.atomic(), connection.cursor() as cursor:
                if not on:
                    for name in triggers:
                        cursor.execute(f"ALTER TABLE households_family DISABLE TRIGGER {name}")
                started = time.perf_counter()
                if kind == "push":
                    for batch in batches:
                        cursor.execute(insert, [batch])
                    n = sum(len(b) for b in batches)
                else:
                    for fid in singles:
                        cursor.execute(approve, [fid])
                    n = len(singles)
                elapsed = (time.perf_counter() - started) * 1000 / n
                transaction.set_rollback(True)
            return elapsed

        for kind, label in (
            ("push", "push-shaped INSERT, 20 families a statement"),
            ("approve", "approval, one family a statement"),
        ):
            on: list[float] = []
            off: list[float] = []
            run(kind, True)  # warm
            for _ in range(max(3, rounds // 4)):
                off.append(run(kind, False))
                on.append(run(kind, True))
            self.stdout.write(
                f"  write cost, {label:<44} triggers off {statistics.median(off):6.3f} ms, "
                f"on {statistics.median(on):6.3f} ms a family"
            )

    def _setup(self, families: int, generate: int) -> None:
        started = time.perf_counter()
        if not synthetic_exists():
            dataset = synthetic_generate(families=families, seed=2022)
            per_sls = max(1, round(families / dataset.summary["sls"]))
            synthetic.families_generate(families_per_sls=per_sls, seed=2022, max_sls=max(1, generate // per_sls))
        copied = synthetic.families_copy_into_empty_sls()
        start, end = fieldwork_period()
        changed = synthetic.families_place_in_fieldwork(start=start, end=end)
        with connection.cursor() as cursor:
            if copied or changed:
                # The set-up rewrote every family row (copies, then geotags and dates): rebuild the
                # indexes once, as after any bulk load, instead of measuring their dead entries.
                cursor.execute("REINDEX TABLE households_family")
                cursor.execute("REINDEX TABLE households_prelistfamily")
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"set-up: {copied:,} families copied, {time.perf_counter() - started:.1f} s")

    def _densest_point(self) -> tuple[float, float]:
        """A point in the busiest kelurahan: the zoomed-in viewports are as full as any can be."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(ST_Collect(g.location::geometry)) AS c, "
                "count(*) AS n FROM geotag_geotag g JOIN enumeration_sls s ON s.id = g.sls_id GROUP BY s.kelurahan_id "
                "ORDER BY n DESC LIMIT 1) AS k"
            )
            row = cursor.fetchone()
        return (float(row[0]), float(row[1])) if row else (106.7, -6.3)

    def _get(self, user: User, url: str) -> Callable[[], None]:
        client = Client()
        client.force_login(user)

        def run() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")

        return run

    def _line(self, label: str, fn: Callable[[], Any], rounds: int) -> None:
        median, worst = _median_ms(fn, rounds)
        self.stdout.write(f"  {label:<58} {median:8.1f} ms (max {worst:7.1f})")
