from __future__ import annotations

import hashlib
import json
import random
import secrets
import statistics
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from enumeration.models import SLS, Assignment, Device, DeviceToken
from households import form, records
from households.models import Family
from households.synthetic import (
    FAMILY_COLUMNS,
    MEMBER_COLUMNS,
    family_copy_row,
    member_copy_rows,
    synthetic_record,
)


class Command(BaseCommand):
    help = (
        "Sync benchmark: push N synthetic families through the running HTTP server (several concurrent "
        "clients, batches like the app's), then COPY the same rows straight into PostgreSQL; print "
        "families per second for both, their ratio, and request latency. Run it through `make bench-sync`, "
        "which starts gunicorn on a dedicated benchmark database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", required=True, help="base URL of the running server")
        parser.add_argument("--families", type=int, default=50_000)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        n, clients, batch = options["families"], options["clients"], options["batch"]
        rng = random.Random(options["seed"])  # noqa: S311 - synthetic data
        assignments = list(
            Assignment.objects.filter(ended_at__isnull=True, sls__is_synthetic=True, sls__families__isnull=True)
            .select_related("sls__kelurahan__kecamatan__kabkota", "ppl")
            .order_by("sls_id")
        )
        if not assignments:
            raise CommandError("No synthetic SLS without families: run generate_synthetic --no-families first.")
        tokens: dict[int, str] = {}
        for a in assignments:
            if a.ppl_id not in tokens:
                device = Device.objects.create(pk=uuid.uuid4(), user=a.ppl, name="bench")
                key = secrets.token_urlsafe(32)
                DeviceToken.objects.create(
                    key_hash=hashlib.sha256(key.encode()).hexdigest(),
                    device=device,
                    expires_at=timezone.now() + timedelta(hours=6),
                )
                tokens[a.ppl_id] = key
        # Build every family first (untimed): the same records go through HTTP and through COPY.
        per_sls = max(1, -(-n // len(assignments)))
        work: list[tuple[str, list[dict[str, Any]]]] = []
        pending: dict[int, list[dict[str, Any]]] = {}
        made = 0
        for a in assignments:
            kec = a.sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
            for building in range(1, per_sls + 1):
                if made >= n:
                    break
                record = synthetic_record(rng, a.sls, kec, building=building, serial=made * 7)
                pending.setdefault(a.ppl_id, []).append(
                    {
                        "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "sls": a.sls_id,
                        "base_revision": None,
                        "record": record,
                    }
                )
                made += 1
                if len(pending[a.ppl_id]) == batch:
                    work.append((tokens[a.ppl_id], pending.pop(a.ppl_id)))
        work.extend((tokens[ppl], items) for ppl, items in pending.items() if items)
        members = sum(len(i["record"]["members"]) for _t, items in work for i in items)
        self.stdout.write(
            f"{made:,} families ({members:,} members) in {len(work):,} batches of <= {batch}, "
            f"{clients} concurrent clients -> {options['url']}"
        )

        latencies: list[float] = []
        outcomes: dict[str, int] = {}
        lock = threading.Lock()
        queue = list(reversed(work))

        def worker() -> None:
            with httpx.Client(base_url=options["url"], timeout=120) as http:
                while True:
                    with lock:
                        if not queue:
                            return
                        token, items = queue.pop()
                    started = time.perf_counter()
                    response = http.post(
                        "/api/v1/sync/push/",
                        content=json.dumps({"families": items}),
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    )
                    elapsed = time.perf_counter() - started
                    results = response.json()["results"] if response.status_code == 200 else []
                    with lock:
                        latencies.append(elapsed)
                        if response.status_code != 200:
                            outcomes[f"http_{response.status_code}"] = outcomes.get(
                                f"http_{response.status_code}", 0
                            ) + len(items)
                        for r in results:
                            outcomes[r["result"]] = outcomes.get(r["result"], 0) + 1

        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        api_seconds = time.perf_counter() - started
        stored = Family.objects.filter(client_uuid__in=[i["client_uuid"] for _t, items in work for i in items]).count()
        api_rate = made / api_seconds
        latencies.sort()
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        self.stdout.write(
            f"API:  {made:,} families in {api_seconds:7.1f} s = {api_rate:8,.0f} families/s; "
            f"request p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms; results {outcomes}; "
            f"stored {stored:,}"
        )
        copy_seconds = self._copy([i for _t, items in work for i in items])
        copy_rate = made / copy_seconds
        self.stdout.write(
            f"COPY: {made:,} families in {copy_seconds:7.1f} s = {copy_rate:8,.0f} families/s "
            "(same rows, prepared beforehand, into empty copies of the tables)"
        )
        self.stdout.write(f"ratio API / COPY = {api_rate / copy_rate:.3f}")

    def _copy(self, items: list[dict[str, Any]]) -> float:
        """COPY the same families and members into empty LIKE-copies of the tables; time only the COPY."""
        definition = form.definition_or_none("regsosek22k", "1")
        assert definition is not None  # noqa: S101
        sls_by_id = {s.pk: s for s in SLS.objects.filter(pk__in={i["sls"] for i in items})}
        ppl_by_sls = dict(
            Assignment.objects.filter(ended_at__isnull=True, sls_id__in=sls_by_id).values_list("sls_id", "ppl_id")
        )
        now = timezone.now()
        family_rows: list[tuple[Any, ...]] = []
        member_rows: list[tuple[Any, ...]] = []
        for index, i in enumerate(items, start=1):
            parts = records.split(definition, i["record"])
            family_rows.append(
                family_copy_row(
                    family_id=index,
                    client_uuid=uuid.UUID(i["client_uuid"]),
                    sls_id=i["sls"],
                    status="submitted",
                    record=i["record"],
                    parts=parts,
                    ppl_id=ppl_by_sls[i["sls"]],
                    now=now,
                    photo_required=False,
                )
            )
            member_rows.extend(member_copy_rows(family_id=index, parts=parts))
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor
            cursor.execute("CREATE TEMP TABLE bench_family (LIKE households_family INCLUDING ALL)")
            cursor.execute("CREATE TEMP TABLE bench_member (LIKE households_member INCLUDING ALL)")
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_family ({', '.join(FAMILY_COLUMNS)}) FROM STDIN") as copy:
                for row in family_rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY bench_member ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy:
                for row in member_rows:
                    copy.write_row(row)
            took = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_family, bench_member")
        return took
