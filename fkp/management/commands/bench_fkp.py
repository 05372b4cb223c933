"""Benchmark of the FKP documents (docs/performance.md, "FKP lists").

Expects a database with a finished ranking run (scripts/bench-fkp.sh makes one from synthetic
families). Prints the machine and its load, then, each against a raw limit measured in the same run:

- the XLSX of all the run's ranked rows (what the Celery task writes) and the CSV of the same rows
  (what the streamed download sends), against `COPY (the same rows, joined and ordered) TO STDOUT`;
- the PDF of every forum of the kelurahan with the most ranked families (forum by forum, then joined
  into one file as the kelurahan PDF is), each forum laid out in parts of `--part-rows` rows.

`--synthetic` measures only the kelurahan PDF, from made-up rows and without a database of
families: `--forums` forums of `--rows` rows (defaults: the largest kelurahan at 500,000 families,
22 forums of up to 744 rows). `--part-rows 0` lays out each forum in one call, as before the parts,
so both can be measured in the same session.

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


GIVEN = ("SITI", "AHMAD", "NURHALIZA", "BUDI", "DEWI", "MUHAMMAD", "RINA", "AGUS", "SRI", "JOKO", "YULIANTI")
FAMILY = ("SANTOSO", "RAHMAWATI", "HIDAYAT", "PURNAMASARI", "SETIAWAN", "WULANDARI", "KURNIAWAN", "SAPUTRA")
STREETS = ("JL. MAWAR", "JL. RAYA PUSPIPTEK", "GG. MASJID AL-IKHLAS", "JL. PONDOK CABE RAYA", "KP. SETU")


def synthetic_sheet(number: int, row_count: int) -> documents.ForumSheet:
    """A forum of made-up rows shaped like real ones (names of two or three words, addresses that
    sometimes wrap, 12 SLS), for measuring the PDF without a database of families."""
    rows = []
    for index in range(row_count):
        sls = index * 12 // max(row_count, 1) + 1
        words = [GIVEN[index % len(GIVEN)], GIVEN[(index * 7) % len(GIVEN)], FAMILY[index % len(FAMILY)]]
        address = f"{STREETS[index % len(STREETS)]} NO. {index % 97 + 1} RT {sls:03d} RW 00{sls % 9 + 1}"
        row = documents.ListRow(
            ranked_id=index + 1, kecamatan="Pamulang", kelurahan="Pondok Cabe Udik", sls_code=f"{sls:04d}",
            sls_name=f"RT {sls:03d} RW 00{sls % 9 + 1}", head_name=" ".join(words[: 2 + index % 2]),
            address=address + (" BLOK C2 DEKAT MUSHOLA" if index % 5 == 0 else ""),
            building_no=f"{index % 400 + 1:03d}", family_no=f"{index % 3 + 1:03d}",
            nik="••••••••••••••••-KQTZ", kk="••••••••••••••••-BCDF", rank=index * 31 + 1,
            rank_kelurahan=index + 1, desil=index % 10 + 1, welfare_group=index % 4 + 1,
        )  # fmt: skip
        rows.append(row)
    return documents.ForumSheet(
        title=f"FKP Kelurahan Pondok Cabe Udik, forum {number}", kecamatan="Pamulang", kelurahan="Pondok Cabe Udik",
        sls=[(f"{n:04d}", f"RT {n:03d}") for n in range(1, 13)], rows=rows, run_label="Pemeringkatan #1",
    )  # fmt: skip


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
        parser.add_argument(
            "--synthetic",
            action="store_true",
            help="Only the kelurahan PDF, from made-up rows (no families needed): --forums forums of --rows rows.",
        )
        parser.add_argument("--forums", type=int, default=22, help="With --synthetic: forums (the largest: 22).")
        parser.add_argument("--rows", type=int, default=744, help="With --synthetic: rows a forum (the largest: 744).")
        parser.add_argument(
            "--part-rows",
            type=int,
            default=documents.PART_ROWS,
            help="Rows laid out by one WeasyPrint call (0: a whole forum at once, as before the parts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["synthetic"]:
            self._synthetic_pdfs(options["forums"], options["rows"], options["part_rows"])
            return
        admin, _ = User.objects.get_or_create(
            username="bench.fkp", defaults={"role": Role.BPS_ADMIN, "full_name": "Benchmark FKP"}
        )
        runs = selectors.run_list(user=admin)
        run = runs.first() if options["run"] == "latest" else runs.filter(pk=int(options["run"])).first()
        if run is None:
            raise CommandError("no finished ranking run: make one first (scripts/bench-fkp.sh)")
        rows = RankedFamily.objects.filter(run=run).count()
        self.stdout.write(
            f"ranking run #{run.pk}: {rows:,} ranked families; PDF parts of at most "
            f"{options['part_rows'] or 'a forum'} rows; before: {_load()}"
        )
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
            self._pdfs(admin, run, options["max_sls"], options["part_rows"])
        self.stdout.write(f"after: {_load()}")

    def _raw(self, run_id: int) -> tuple[float, int]:
        sink = io.BytesIO()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.cursor.copy(RAW_SQL.replace("%s", str(int(run_id)))) as copy:
            for data in copy:
                sink.write(data)
        return time.perf_counter() - started, sink.tell()

    def _pdfs(self, admin: User, run: Any, max_sls: int, part_rows: int) -> None:
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
                        documents.render_pdf(sheet, target, printed_on=timezone.localdate(), part_rows=part_rows)
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
        self._pdf_report(result, peak, raw_s=read_s)

    def _synthetic_pdfs(self, forum_count: int, row_count: int, part_rows: int) -> None:
        """The kelurahan PDF of `forum_count` forums of `row_count` made-up rows each, made as the
        Celery task makes it (forum by forum into files, then joined), in a child whose peak is
        printed: the peak depends on a forum's size, not on the city's families."""
        self.stdout.write(
            f"synthetic kelurahan PDF: {forum_count} forums of {row_count:,} rows "
            f"({forum_count * row_count:,} rows), parts of at most {part_rows or row_count:,} rows; before: {_load()}"
        )
        _idle, baseline = _in_child(lambda: {})
        self.stdout.write(f"idle child peak RSS (the baseline every child starts from): {baseline:.0f} MiB")

        def pdfs() -> dict[str, Any]:
            timings, parts = [], []
            with tempfile.TemporaryDirectory() as folder:
                for number in range(1, forum_count + 1):
                    started = time.perf_counter()
                    sheet = synthetic_sheet(number, row_count)
                    part = Path(folder) / f"forum-{number}.pdf"
                    with part.open("wb") as target:
                        documents.render_pdf(
                            sheet, target, printed_on=timezone.localdate(), synthetic=True, part_rows=part_rows
                        )
                    parts.append((sheet.title, part))
                    timings.append((row_count, time.perf_counter() - started, part.stat().st_size))
                started = time.perf_counter()
                with tempfile.TemporaryFile() as target:
                    pages = documents.join_pdfs(parts, target)
                    joined = (time.perf_counter() - started, pages, target.tell())
            return {"forums": timings, "joined": joined}

        result, peak = _in_child(pdfs)
        self._pdf_report(result, peak, raw_s=None)
        self.stdout.write(f"after: {_load()}")

    def _pdf_report(self, result: dict[str, Any], peak: float, *, raw_s: float | None) -> None:
        total = sum(t for _n, t, _s in result["forums"])
        for number, (n, seconds, size) in enumerate(result["forums"], start=1):
            self.stdout.write(
                f"  forum {number}: {n:,} families, {seconds:.1f} s ({n / seconds:.0f} rows/s), {size / 1e6:.2f} MB"
            )
        join_s, pages, size = result["joined"]
        total += join_s
        self.stdout.write(f"  joined into one file: {join_s:.1f} s, {pages:,} pages, {size / 1e6:.2f} MB")
        ratio = f" ({total / raw_s:.0f} x COPY)" if raw_s else ""
        self.stdout.write(
            f"PDF of every forum of the kelurahan: {total:.1f} s{ratio}, "
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
