from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import secrets
import statistics
import threading
import time
import urllib.parse
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from enumeration.models import SLS, Assignment, Device, DeviceToken, User
from fieldapp import sync
from fieldapp.synthetic import synthetic_geotag
from geotag.models import Geotag
from households import form, records, services
from households.models import Family, Member
from households.synthetic import family_rows, synthetic_record
from regsosek import pgcopy


class Command(BaseCommand):
    help = (
        "Sync benchmark: push N synthetic families through the running HTTP server (several concurrent "
        "clients, batches like the app's), then COPY the same rows straight into PostgreSQL; print "
        "families per second for both, their ratio, and request latency. Run it through `make bench-sync`, "
        "which starts gunicorn on a dedicated benchmark database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="base URL of the running server (not with --stages)")
        parser.add_argument("--families", type=int, default=50_000)
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument("--batch", type=int, default=50)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--no-geotags",
            dest="geotags",
            action="store_false",
            help="families without geotags (by default one per building, some buildings with two families)",
        )
        parser.add_argument(
            "--stages",
            action="store_true",
            help="no HTTP: time each stage of a push in this process (CPU ms per family), then roll back",
        )

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
        users: dict[str, User] = {}
        device_of: dict[str, str] = {}  # token -> its device id (sent as X-Device-ID, as the app does)
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
                users[key] = a.ppl
                device_of[key] = str(device.pk)
        # Build every family first (untimed): the same records go through HTTP and through COPY.
        per_sls = max(1, -(-n // len(assignments)))
        work: list[tuple[str, list[dict[str, Any]]]] = []
        pending: dict[int, list[dict[str, Any]]] = {}
        made = geotags = 0
        clocks: dict[int, dt.datetime] = {}
        for a in assignments:
            kec = a.sls.kelurahan.kecamatan.kemendagri_code.replace(".", "")
            building, geotag = 0, None
            for k in range(per_sls):
                if made >= n:
                    break
                # As phones send them: one geotag per building, every fifth family in the building of
                # the family before it (family 002 there, the same geotag).
                shared = k % 5 == 4
                if not shared:
                    building += 1
                record = synthetic_record(rng, a.sls, kec, building=building, serial=made * 7)
                item: dict[str, Any] = {
                    "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "sls": a.sls_id,
                    "base_revision": None,
                    "record": record,
                }
                if shared:
                    record["family"]["r110"] = "002"
                elif options["geotags"]:
                    geotag = synthetic_geotag(rng, a.sls, building, clocks, a.ppl_id)
                    geotags += 1
                if options["geotags"]:
                    item["geotag"] = geotag
                pending.setdefault(a.ppl_id, []).append(item)
                made += 1
                if len(pending[a.ppl_id]) == batch:
                    work.append((tokens[a.ppl_id], pending.pop(a.ppl_id)))
        work.extend((tokens[ppl], items) for ppl, items in pending.items() if items)
        members = sum(len(i["record"]["members"]) for _t, items in work for i in items)
        if options["stages"]:
            self._stages([(users[token], items) for token, items in work])
            return
        if not options["url"]:
            raise CommandError("--url is required (the server to push to), unless --stages.")
        self.stdout.write(
            f"{made:,} families ({members:,} members, {geotags:,} geotags) in {len(work):,} batches of <= {batch}, "
            f"{clients} concurrent clients -> {options['url']}"
        )

        # Encode every request body before the clock starts: the client shares the cores with the
        # server, so it should spend its time sending, not building JSON.
        requests = [
            (
                {
                    "Authorization": f"Bearer {token}",
                    "X-Device-ID": device_of[token],
                    "Content-Type": "application/json",
                },
                json.dumps({"families": items}).encode(),
                len(items),
            )
            for token, items in work
        ]
        run = _Run(options["url"], requests)
        client_before = time.process_time()
        with _CpuWatch(options["url"]) as watch:
            started = time.perf_counter()
            run.go(clients)
            api_seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        stored = Family.objects.filter(client_uuid__in=[i["client_uuid"] for _t, items in work for i in items]).count()
        sent_geotags = {i["geotag"]["client_uuid"] for _t, items in work for i in items if i.get("geotag")}
        stored_geotags = Geotag.objects.filter(client_uuid__in=sent_geotags).count()
        api_rate = made / api_seconds
        latencies = sorted(run.latencies)
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        self.stdout.write(
            f"API:  {made:,} families in {api_seconds:7.1f} s = {api_rate:8,.0f} families/s; "
            f"request p50 {p50 * 1000:,.0f} ms, p99 {p99 * 1000:,.0f} ms; results {run.outcomes}; "
            f"stored {stored:,} families, {stored_geotags:,} geotags"
        )
        used = {**watch.seconds(), "bench client": client_cpu}
        used["anything else on the machine"] = max(0.0, watch.machine - sum(used.values()))
        cores = os.cpu_count() or 1
        self.stdout.write(
            f"CPU during the API run: {watch.machine / (api_seconds * cores):.0%} of {cores} cores busy; "
            "ms of CPU per family: "
            + ", ".join(f"{name} {seconds / made * 1000:.2f}" for name, seconds in used.items())
        )
        self.stdout.write(watch.memory())
        self._pull(options["url"], work[0][0], device_of[work[0][0]])
        copy_seconds = self._copy([i for _t, items in work for i in items])
        copy_rate = made / copy_seconds
        self.stdout.write(
            f"COPY: {made:,} families in {copy_seconds:7.1f} s = {copy_rate:8,.0f} families/s "
            "(families and members only, rows prepared beforehand: no HTTP, validation or encryption; "
            "into empty copies of the tables)"
        )
        self.stdout.write(f"ratio API / COPY = {api_rate / copy_rate:.3f}")

    def _pull(self, url: str, token: str, device_id: str) -> None:
        """One PPL's first pull (everything) and a pull with its cursor right after (nothing new), as
        the app asks for them: gzip accepted; bytes on the wire and time."""
        import httpx  # a development package: the production image has none (pyproject.toml, dev extra)

        headers = {"Authorization": f"Bearer {token}", "X-Device-ID": device_id, "Accept-Encoding": "gzip"}
        with httpx.Client(base_url=url, timeout=300) as http:
            figures = []
            cursor = None
            for _ in range(2):
                started = time.perf_counter()
                response = http.get(
                    "/api/v1/sync/pull/", params={"cursor": cursor} if cursor else None, headers=headers
                )
                took = time.perf_counter() - started
                response.raise_for_status()
                body = response.json()
                cursor = body["cursor"]
                wire = int(response.headers.get("Content-Length") or len(response.content))
                figures.append((len(body["families"]), wire, len(response.content), took))
        (families, wire, raw, took), (_, wire2, _raw2, took2) = figures
        self.stdout.write(
            f"pull of one PPL: first {families} families, {wire / 1024:,.0f} KiB on the wire "
            f"({raw / 1024:,.0f} KiB unzipped, {wire / max(families, 1) / 1024:.1f} KiB per family) in "
            f"{took * 1000:,.0f} ms; next with the cursor {wire2 / 1024:,.1f} KiB in {took2 * 1000:,.0f} ms"
        )

    def _stages(self, work: list[tuple[User, list[dict[str, Any]]]]) -> None:
        """CPU per family of each stage of the push path, one process, no HTTP; nothing is kept."""
        items = [i for _user, batch in work for i in batch]
        n = len(items)
        bodies = [json.dumps({"families": batch}).encode() for _user, batch in work]
        sls_by_id = {s.pk: s for s in form_sls(items)}
        definition = form.definition_for_record(items[0]["record"])
        pairs = [(i["record"], sls_by_id[i["sls"]]) for i in items]
        ppl = work[0][0]

        def build() -> None:
            for record, sls in pairs:
                services.family_build_new(
                    user=ppl, sls=sls, client_uuid=uuid.uuid4(), record=record, digest="", source="sync"
                )

        def push() -> None:
            with transaction.atomic():
                for user, batch in work:
                    sync.sync_push(user=user, device=None, items=batch)
                transaction.set_rollback(True)

        stages: list[tuple[str, Any]] = [
            ("parse the request bodies (JSON)", lambda: [json.loads(body) for body in bodies]),
            ("payload hash (canonical JSON, SHA-256)", lambda: [records.payload_sha256(r) for r, _s in pairs]),
            ("validation against the definition", lambda: [form.validate(definition, r, sls=s) for r, s in pairs]),
            (
                "split: typed columns, NIK / No. KK encrypted + hashed",
                lambda: [records.split(definition, r) for r, _ in pairs],
            ),
            ("validation + split + the unsaved rows (family_build_new)", build),
            ("the whole push, batch by batch (sync_push; this process only, not the database's CPU)", push),
        ]
        self.stdout.write(f"{n:,} families in {len(work):,} batches, one process, CPU ms per family:")
        for name, call in stages:
            started = time.process_time()
            call()
            self.stdout.write(f"  {(time.process_time() - started) / n * 1000:6.3f}  {name}")

    def _copy(self, items: list[dict[str, Any]]) -> float:
        """COPY the same families and members into empty LIKE-copies of the tables; time only the COPY."""
        definition = form.definition_or_none("regsosek22k", "1")
        assert definition is not None  # noqa: S101
        sls_by_id = {s.pk: s for s in SLS.objects.filter(pk__in={i["sls"] for i in items})}
        ppl_by_sls = dict(
            Assignment.objects.filter(ended_at__isnull=True, sls_id__in=sls_by_id).values_list("sls_id", "ppl_id")
        )
        now = timezone.now()
        families: list[Model] = []
        members: list[Model] = []
        for index, i in enumerate(items, start=1):
            family, roster = family_rows(
                family_id=index,
                client_uuid=uuid.UUID(i["client_uuid"]),
                sls_id=i["sls"],
                status="submitted",
                record=i["record"],
                parts=records.split(definition, i["record"]),
                ppl_id=ppl_by_sls[i["sls"]],
                now=now,
                photo_required=False,
            )
            families.append(family)
            members.extend(roster)
        family_values = pgcopy.rows(Family, families, now, with_id=True)
        member_values = pgcopy.rows(Member, members, now)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_family (LIKE households_family INCLUDING ALL)")
            cursor.execute("CREATE TEMP TABLE bench_member (LIKE households_member INCLUDING ALL)")
            started = time.perf_counter()
            pgcopy.copy_prepared(Family, family_values, with_id=True, table="bench_family")
            pgcopy.copy_prepared(Member, member_values, table="bench_member")
            took = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_family, bench_member")
        return took


def form_sls(items: list[dict[str, Any]]) -> list[SLS]:
    """The SLS of the items, with what validation reads."""
    return list(SLS.objects.filter(pk__in={i["sls"] for i in items}).select_related("kelurahan__kecamatan__kabkota"))


class _Run:
    """The timed part: `clients` threads send the prepared requests, one connection each (reused
    when the server keeps it open), and record latency and results."""

    def __init__(self, url: str, requests: list[tuple[dict[str, str], bytes, int]]) -> None:
        self.url = url
        self.queue = list(reversed(requests))
        self.latencies: list[float] = []
        self.outcomes: dict[str, int] = {}
        self.lock = threading.Lock()

    def go(self, clients: int) -> None:
        threads = [threading.Thread(target=self._client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _next(self) -> tuple[dict[str, str], bytes, int] | None:
        with self.lock:
            return self.queue.pop() if self.queue else None

    def _client(self) -> None:
        import httpx  # a development package, as in _pull

        with httpx.Client(base_url=self.url, timeout=300) as http:
            while (request := self._next()) is not None:
                headers, body, families = request
                started = time.perf_counter()
                response = http.post("/api/v1/sync/push/", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                results = response.json()["results"] if response.status_code == 200 else []
                with self.lock:
                    self.latencies.append(elapsed)
                    if response.status_code != 200:
                        key = f"http_{response.status_code}"
                        self.outcomes[key] = self.outcomes.get(key, 0) + families
                    for r in results:
                        self.outcomes[r["result"]] = self.outcomes.get(r["result"], 0) + 1


def _peak_kib(process: Path) -> int:
    """VmHWM of a process in KiB (0 if it is gone)."""
    try:
        for line in (process / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class _CpuWatch:
    """CPU seconds used during the timed run by the benchmark's web server (gunicorn processes
    bound to its port), by its database (PostgreSQL backends connected to its database) and by the
    whole machine. Processes are sampled every 0.2 s, so a backend that exits during the run (the
    web server recycles its connections after CONN_MAX_AGE) still counts up to its last sample."""

    def __init__(self, url: str) -> None:
        self.port = f":{urllib.parse.urlsplit(url).port}"
        self.database = f" {connection.settings_dict['NAME']} "
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.first: dict[int, tuple[str, float]] = {}
        self.last: dict[int, float] = {}
        self.peak_kib: dict[int, int] = {}  # the web server's processes: peak resident memory (VmHWM)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _CpuWatch:
        self.machine_start = self._machine_busy()
        self._sample(starting=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self._sample(starting=False)
        self.machine = self._machine_busy() - self.machine_start

    def seconds(self) -> dict[str, float]:
        totals = {"web server": 0.0, "database": 0.0}
        for pid, (label, first) in self.first.items():
            totals[label] += self.last[pid] - first
        return totals

    def _watch(self) -> None:
        while not self.stop.wait(0.2):
            self._sample(starting=False)

    def _sample(self, *, starting: bool) -> None:
        for process in Path("/proc").glob("[0-9]*"):
            try:
                stat = (process / "stat").read_text()
                command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue  # the process ended meanwhile
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            if name == "gunicorn" and self.port in command:
                label = "web server"
            elif name == "postgres" and self.database in command:
                label = "database"
            else:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            seconds = (int(fields[11]) + int(fields[12])) / self.ticks
            # A process born during the run counts from zero.
            self.first.setdefault(int(process.name), (label, seconds if starting else 0.0))
            self.last[int(process.name)] = seconds
            if label == "web server":
                self.peak_kib[int(process.name)] = max(self.peak_kib.get(int(process.name), 0), _peak_kib(process))

    def memory(self) -> str:
        """The web server's peak resident memory, largest process and all together."""
        peaks = self.peak_kib.values()
        if not peaks:
            return "web server memory: not seen"
        return (
            f"web server memory (peak resident): largest process {max(peaks) / 1024:,.0f} MiB, "
            f"all {len(peaks)} processes {sum(peaks) / 1024:,.0f} MiB"
        )

    def _machine_busy(self) -> float:
        """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return (sum(fields) - fields[3] - fields[4]) / self.ticks  # all but idle and iowait
