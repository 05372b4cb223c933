"""Benchmark of the FKP documents (docs/performance.md, "FKP lists").

Expects a database with a finished ranking run (scripts/bench-fkp.sh makes one from synthetic
families). Prints the machine and its load, then, each against a raw limit measured in the same run:

- the XLSX of all the run's ranked rows (what the Celery task writes) and the CSV of the same rows
  (what the streamed download sends), against `COPY (the same rows, joined and ordered) TO STDOUT`;
- the PDF of every forum of the kelurahan with the most ranked families (forum by forum, then joined
  into one file as the kelurahan PDF is).

Each document is made in a forked child process, so its peak resident memory (ru_maxrss of that
child, from wait4) is its own; an idle child's peak is printed as the baseline it starts from.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from enumeration.models import Role, User
from fkp import documents, selectors, services
from fkp.grouping import DEFAULT_MAX_SLS
from ranking.models import RankedFamily

MEMORY_GOAL_MB = 300

RAW_SQL = """
COPY (
  SELECT r.rank, kc.name, kl.name, s.code, s.sub_code, f.head_name, f.data ->> 'r107', f.building_no,
         f.family_no,
         (SELECT m.nik_hash FROM households_member m WHERE m.family_id = f.id AND m.relationship = 1
          ORDER BY m.line_no LIMIT 1),
         f.kk_hash, r.rank_kelurahan, r.desil, r.welfare_group
  FROM ranking_rankedfamily r
  JOIN households_family f ON f.id = r.family_id
  JOIN enumeration_sls s ON s.id = r.sls_id
  JOIN enumeration_kelurahan kl ON kl.bps_code = r.kelurahan_id
  JOIN enumeration_kecamatan kc ON kc.bps_code = r.kecamatan_id
  WHERE r.run_id = %s
  ORDER BY r.rank
) TO STDOUT WITH (FORMAT csv)
"""


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _in_child(work: Callable[[], dict[str, Any]]) -> tuple[dict[str, Any], float]:
    """Run `work` in a forked child; its JSON result and the child's peak resident memory (MiB)."""
    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        code = 0
        try:
            result = work()
        except BaseException as exc:
            result, code = {"error": type(exc).__name__}, 1
        with os.fdopen(write, "w") as pipe:
            pipe.write(json.dumps(result))
        os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _pid, status, usage = os.wait4(pid, 0)
    result = json.loads(text or "{}")
    if status != 0 or "error" in result:
        raise CommandError(f"the child failed: {result.get('error', status)}")
    return result, usage.ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time the FKP documents (XLSX of all ranked rows, CSV, the largest kelurahan's forum PDFs) and their memory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--run", default="latest", help='A finished run id, or "latest".')
        parser.add_argument("--max-sls", type=int, default=DEFAULT_MAX_SLS)
        parser.add_argument("--skip-pdf", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        admin, _ = User.objects.get_or_create(
            username="bench.fkp", defaults={"role": Role.BPS_ADMIN, "full_name": "Benchmark FKP"}
        )
        runs = selectors.run_list(user=admin)
        run = runs.first() if options["run"] == "latest" else runs.filter(pk=int(options["run"])).first()
        if run is None:
            raise CommandError("no finished ranking run: make one first (scripts/bench-fkp.sh)")
        rows = RankedFamily.objects.filter(run=run).count()
        self.stdout.write(f"ranking run #{run.pk}: {rows:,} ranked families; before: {_load()}")
        _idle, baseline = _in_child(lambda: {})
        self.stdout.write(f"idle child peak RSS (the baseline every child starts from): {baseline:.0f} MiB")

        raw_s, raw_bytes = self._raw(run.pk)
        self.stdout.write(
            f"raw limit, COPY of the same rows and columns to CSV: {raw_s:.2f} s, {raw_bytes / 1e6:.1f} MB"
        )

        def xlsx() -> dict[str, Any]:
            started = time.perf_counter()
            with tempfile.NamedTemporaryFile(suffix=".xlsx") as target:
                count = documents.write_xlsx(
                    selectors.run_rows(user=admin, run=run), documents.RUN_COLUMNS, target, title="bench"
                )
                target.flush()
                size = os.path.getsize(target.name)
            return {"rows": count, "seconds": time.perf_counter() - started, "bytes": size}

        result, peak = _in_child(xlsx)
        self.stdout.write(
            f"XLSX of all ranked rows: {result['rows']:,} rows, {result['seconds']:.2f} s "
            f"({result['seconds'] / raw_s:.1f} x COPY), {result['bytes'] / 1e6:.1f} MB, "
            f"peak RSS {peak:.0f} MiB (goal <= {MEMORY_GOAL_MB}) {'OK' if peak <= MEMORY_GOAL_MB else 'OVER'}"
        )

        def csv() -> dict[str, Any]:
            started = time.perf_counter()
            size = sum(
                len(chunk.encode())
                for chunk in documents.csv_chunks(selectors.run_rows(user=admin, run=run), documents.RUN_COLUMNS)
            )
            return {"seconds": time.perf_counter() - started, "bytes": size}

        result, peak = _in_child(csv)
        self.stdout.write(
            f"CSV of all ranked rows (the streamed download): {result['seconds']:.2f} s "
            f"({result['seconds'] / raw_s:.1f} x COPY), {result['bytes'] / 1e6:.1f} MB, peak RSS {peak:.0f} MiB"
        )
        if not options["skip_pdf"]:
            self._pdfs(admin, run, options["max_sls"])
        self.stdout.write(f"after: {_load()}")

    def _raw(self, run_id: int) -> tuple[float, int]:
        sink = io.BytesIO()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(RAW_SQL.replace("%s", str(int(run_id)))) as copy:
            for data in copy:
                sink.write(data)
        return time.perf_counter() - started, sink.tell()

    def _pdfs(self, admin: User, run: Any, max_sls: int) -> None:
        largest = (
            RankedFamily.objects.filter(run=run)
            .values("kelurahan_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "kelurahan_id")
            .first()
        )
        if largest is None:
            return
        kelurahan = selectors.kelurahan_get(user=admin, code=largest["kelurahan_id"])
        if kelurahan is None:
            raise CommandError("the largest kelurahan is not visible")
        forums = selectors.forum_list(user=admin, run=run, kelurahan=kelurahan)
        if not forums:
            forums = services.forum_group_kelurahan(user=admin, run=run, kelurahan=kelurahan, max_sls=max_sls)
        self.stdout.write(
            f"largest kelurahan {kelurahan.pk} {kelurahan.name}: {largest['n']:,} families in {len(forums)} forums"
        )

        def pdfs() -> dict[str, Any]:
            # As the kelurahan PDF is made (fkp.services): forum by forum into files, then joined.
            timings, parts = [], []
            with tempfile.TemporaryDirectory() as folder:
                for forum in forums:
                    started = time.perf_counter()
                    rows = list(selectors.forum_rows(user=admin, forum=forum))
                    sheet = documents.ForumSheet(
                        title=selectors.forum_title(forum), kecamatan=kelurahan.kecamatan.name,
                        kelurahan=kelurahan.name, rows=rows, run_label=selectors.run_label(run),
                        sls=[(selectors.sls_label(s), s.name) for s in selectors.forum_sls(forum=forum)],
                    )  # fmt: skip
                    part = Path(folder) / f"forum-{forum.pk}.pdf"
                    with part.open("wb") as target:
                        documents.render_pdf([sheet], target, printed_on=timezone.localdate())
                    parts.append((sheet.title, part))
                    timings.append((len(rows), time.perf_counter() - started, part.stat().st_size))
                started = time.perf_counter()
                with tempfile.TemporaryFile() as target:
                    pages = documents.join_pdfs(parts, target)
                    joined = (time.perf_counter() - started, pages, target.tell())
            return {"forums": timings, "joined": joined}

        read_s, read_bytes = self._raw_forums(run.pk, kelurahan.pk)
        self.stdout.write(f"raw limit, COPY of the kelurahan's rows: {read_s:.2f} s, {read_bytes / 1e6:.2f} MB")
        result, peak = _in_child(pdfs)
        total = sum(t for _n, t, _s in result["forums"])
        for number, (n, seconds, size) in enumerate(result["forums"], start=1):
            self.stdout.write(
                f"  forum {number}: {n:,} families, {seconds:.1f} s ({n / seconds:.0f} rows/s), {size / 1e6:.2f} MB"
            )
        join_s, pages, size = result["joined"]
        total += join_s
        self.stdout.write(f"  joined into one file: {join_s:.1f} s, {pages:,} pages, {size / 1e6:.2f} MB")
        self.stdout.write(
            f"PDF of every forum of the kelurahan: {total:.1f} s ({total / read_s:.0f} x COPY), "
            f"peak RSS {peak:.0f} MiB (goal <= {MEMORY_GOAL_MB}) {'OK' if peak <= MEMORY_GOAL_MB else 'OVER'}"
        )

    def _raw_forums(self, run_id: int, kelurahan: str) -> tuple[float, int]:
        sql = RAW_SQL.replace("%s", str(int(run_id))).replace(
            "ORDER BY r.rank", f"AND r.kelurahan_id = '{int(kelurahan)}' ORDER BY s.code, s.sub_code, r.rank"
        )
        sink = io.BytesIO()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for data in copy:
                sink.write(data)
        return time.perf_counter() - started, sink.tell()
