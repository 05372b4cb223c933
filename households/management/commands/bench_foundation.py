from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from enumeration.imports import staff_import
from enumeration.synthetic import synthetic_generate, synthetic_remove


class _RollbackError(Exception):
    pass


def staff_csv(koseka: int, pml: int, ppl: int, kecamatan: list[str]) -> bytes:
    lines = ["username,nama,peran,username_atasan,kode_kecamatan,aktif"]
    lines += [f"bk{i:03d},Koseka Uji {i},koseka,,{kecamatan[i % len(kecamatan)]},1" for i in range(koseka)]
    lines += [f"bm{i:04d},PML Uji {i},pml,bk{i % koseka:03d},,1" for i in range(pml)]
    lines += [f"bp{i:05d},PPL Uji {i},ppl,bm{i % pml:04d},,1" for i in range(ppl)]
    return ("\n".join(lines) + "\n").encode()


class Command(BaseCommand):
    help = (
        "Benchmark of the foundation: staff CSV import (2,491 rows, then the same file again) and "
        "synthetic generation for N families (areas, staff, assignments, then family records). Runs in "
        "one transaction that is rolled back: the database is left as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=500_000)
        parser.add_argument("--no-families", action="store_true", help="skip the family records step")

    def handle(self, *args: Any, **options: Any) -> None:
        from enumeration.models import Kecamatan

        kecamatan = list(Kecamatan.objects.values_list("bps_code", flat=True))
        data = staff_csv(40, 490, 1961, kecamatan)
        try:
            with transaction.atomic():
                started = time.perf_counter()
                report = staff_import(data=data)
                first = time.perf_counter() - started
                assert report.ok and report.created == 2491, report.errors[:3]  # noqa: S101
                started = time.perf_counter()
                again = staff_import(data=data)
                second = time.perf_counter() - started
                assert again.unchanged == 2491  # noqa: S101
                rate = 2491 / first
                self.stdout.write(f"staff import, 2491 new rows:        {first:6.2f} s ({rate:,.0f} rows/s)")
                self.stdout.write(f"staff import, same file again:      {second:6.2f} s (2491 unchanged)")
                from households.synthetic import families_remove

                families_remove()
                synthetic_remove()
                started = time.perf_counter()
                dataset = synthetic_generate(families=options["families"], seed=2022)
                took = time.perf_counter() - started
                self.stdout.write(
                    f"synthetic areas/staff/assignments for {options['families']:,} families: {took:6.2f} s "
                    f"{dataset.summary}"
                )
                if not options["no_families"]:
                    from households.synthetic import families_generate

                    started = time.perf_counter()
                    per_sls = max(1, round(options["families"] / dataset.summary["sls"]))
                    made = families_generate(families_per_sls=per_sls, seed=2022)
                    took = time.perf_counter() - started
                    self.stdout.write(
                        f"synthetic families with members, revisions, events, VK1 rows: {made:,} in {took:6.1f} s "
                        f"({made / took:,.0f} families/s)"
                    )
                raise _RollbackError
        except _RollbackError:
            self.stdout.write("(rolled back; the database is unchanged)")
