"""Time the analysts' exports against a plain COPY of the same columns, and measure the XLSX
writer's peak memory (docs/performance.md, "Exports"). Run by `make bench-exports` on a scratch
database of synthetic families; it writes export jobs and files there (files under MEDIA_ROOT).

- CSV: `export_run` of every family (a BPS admin's export, as the task runs it) against
  `COPY (SELECT <the same columns> … ORDER BY id) TO STDOUT` into a file, in the same run.
- XLSX: each export in a child process of its own, whose peak resident memory (ru_maxrss) is
  read when it ends: one kelurahan, one kecamatan, then every family, so growth with size shows.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from enumeration.models import Kelurahan, Role, User
from households.models import Family
from monitoring import export_sql, exports
from monitoring.models import ExportJob


def _bench_admin() -> User:
    user, _created = User.objects.get_or_create(
        username="bench.exports", defaults={"full_name": "Bench exports", "role": Role.BPS_ADMIN}
    )
    return user


def _run(user: User, *, fmt: str, filters: exports.ExportFilters) -> tuple[ExportJob, float]:
    ExportJob.objects.filter(requested_by=user).delete()
    job = exports.export_job_create(user=user, kind="families", fmt=fmt, labels=False, filters=filters)
    start = time.perf_counter()
    done = exports.export_run(job_id=job.pk)
    elapsed = time.perf_counter() - start
    assert done is not None  # noqa: S101 - a benchmark of our own job
    return done, elapsed


def _plain_copy(path: Path) -> tuple[int, float]:
    """COPY of the same columns for every family, straight to a file: the limit."""
    columns = export_sql.family_columns(export_sql.current_definition(), labels=False)
    select = export_sql.select_sql("families", columns, scope_sql="SELECT id FROM households_family")
    start = time.perf_counter()
    with connection.cursor() as cursor, path.open("wb") as out:
        raw = cursor.cursor
        with raw.copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv)", (0, 2**62)) as copy:
            for data in copy:
                out.write(data)
        rows = raw.rowcount
    return rows, time.perf_counter() - start


class Command(BaseCommand):
    help = "Benchmark the analysts' exports (CSV against COPY; XLSX peak memory)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--xlsx-child", default="", help=argparse_suppress())
        parser.add_argument("--skip-xlsx-all", action="store_true", help="no XLSX of every family")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["xlsx_child"]:
            self._xlsx_child(json.loads(options["xlsx_child"]))
            return
        user = _bench_admin()
        families = Family.objects.count()
        self.stdout.write(f"families: {families:,}")
        scratch = exports.export_dir()
        scratch.mkdir(parents=True, exist_ok=True)
        # Twice each, alternating, so neither side alone profits from a warm cache.
        for round_ in (1, 2):
            rows, copy_s = _plain_copy(scratch / "plain-copy.csv")
            size = (scratch / "plain-copy.csv").stat().st_size
            job, export_s = _run(user, fmt="csv", filters=exports.ExportFilters())
            self.stdout.write(
                f"round {round_}: COPY {rows:,} rows {size / 2**20:.1f} MiB in {copy_s:.2f} s | "
                f"export CSV {job.row_count:,} rows {(job.file_size or 0) / 2**20:.1f} MiB in {export_s:.2f} s | "
                f"ratio {export_s / copy_s:.2f} (target <= 2)"
            )
        kelurahan = Kelurahan.objects.filter(sls_set__families__isnull=False).order_by("bps_code").first()
        sizes: list[tuple[str, dict[str, str]]] = []
        if kelurahan is not None:
            sizes.append((f"kelurahan {kelurahan.bps_code}", {"kelurahan_code": kelurahan.bps_code}))
            sizes.append((f"kecamatan {kelurahan.kecamatan_id}", {"kecamatan_code": kelurahan.kecamatan_id}))
        if not options["skip_xlsx_all"]:
            sizes.append(("every family", {}))
        for label, filters in sizes:
            child = subprocess.run(  # noqa: S603 - our own manage.py with our own arguments
                [sys.executable, "manage.py", "bench_exports", "--xlsx-child", json.dumps(filters)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            self.stdout.write(
                f"XLSX {label}: {result['rows']:,} rows, {result['bytes'] / 2**20:.1f} MiB "
                f"in {result['seconds']:.1f} s, "
                f"peak RSS {result['peak_mib']:.0f} MiB (target <= 300)"
            )

    def _xlsx_child(self, filters: dict[str, str]) -> None:
        user = _bench_admin()
        area = exports.ExportFilters(
            kecamatan_code=filters.get("kecamatan_code", ""), kelurahan_code=filters.get("kelurahan_code", "")
        )
        job, seconds = _run(user, fmt="xlsx", filters=area)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.stdout.write(
            json.dumps({"rows": job.row_count, "bytes": job.file_size, "seconds": seconds, "peak_mib": peak_kib / 1024})
        )


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
