"""Prints one load scenario's figures (`make load`): throughput and p50 / p95 / p99 per endpoint from
locust's CSV statistics, errors by kind, database connections and peak memory."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

name, prefix, results_path, peaks_path = sys.argv[1:5]
with Path(f"{prefix}_stats.csv").open(encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
results = json.loads(Path(results_path).read_text(encoding="utf-8")) if Path(results_path).exists() else {}
peaks = json.loads(Path(peaks_path).read_text(encoding="utf-8")) if Path(peaks_path).exists() else {}
print(f"{'endpoint':44} {'requests':>9} {'failed':>7} {'req/s':>7}", end=" ")
print(f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for row in rows:
    label = row["Name"] if row["Name"] != "Aggregated" else "all"
    print(
        f"{label[:44]:44} {int(row['Request Count']):>9,} {int(row['Failure Count']):>7,} "
        f"{float(row['Requests/s']):>7.1f} {row['50%']:>8} {row['95%']:>8} {row['99%']:>8} "
        f"{float(row['Max Response Time']):>8.0f}"
    )
errors = results.get("errors", {})
print(f"errors by kind ({name}): " + (", ".join(f"{k}: {v} times" for k, v in sorted(errors.items())) or "none"))
if peaks:
    print(
        f"database connections: peak {peaks['connections']} open, {peaks['connections_active']} active at once; "
        "peak memory (RSS of the process tree): "
        + ", ".join(f"{k.removeprefix('rss_mib_')} {v:.0f} MiB" for k, v in peaks.items() if k.startswith("rss_mib_"))
    )
if peaks.get("wall_s"):
    wall = peaks["wall_s"]
    trees = {k.removeprefix("cpu_s_"): v for k, v in peaks.items() if k.startswith("cpu_s_") and k != "cpu_s_machine"}
    others = peaks["cpu_s_machine"] - sum(trees.values())
    print(
        f"CPU over {wall:.0f} s (cores busy on average): "
        + ", ".join(f"{n} {v / wall:.2f}" for n, v in trees.items())
        + f", everything else (PostgreSQL, locust, other work) {others / wall:.2f}"
        + f"; machine {peaks['cpu_s_machine'] / wall:.2f}"
    )
