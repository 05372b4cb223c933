"""Samples, once a second until SIGTERM, the database connections of one database and the memory of
process trees (gunicorn, the Celery worker); then writes the peaks, and the CPU seconds each tree and
the whole machine used meanwhile, for `scripts/load_report.py` (`make load`)."""

from __future__ import annotations

import json
import signal
import sys
import time
from typing import Any

import psutil  # type: ignore[import-untyped]
import psycopg

url, database, out = sys.argv[1], sys.argv[2], sys.argv[3]
trees = {name: int(pid) for name, pid in (arg.split("=") for arg in sys.argv[4:])}
peaks: dict[str, Any] = {"connections": 0, "connections_active": 0, **{f"rss_mib_{n}": 0.0 for n in trees}}
running = True


def stop(*_args: object) -> None:
    global running
    running = False


def tree(pid: int) -> list[Any]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process tree so far (its long-lived processes)."""
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def machine_busy_s() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def rss_mib(pid: int) -> float:
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


signal.signal(signal.SIGTERM, stop)
cpu_start = {name: cpu_s(pid) for name, pid in trees.items()}
busy_start, wall_start = machine_busy_s(), time.monotonic()
with psycopg.connect(url, autocommit=True) as conn:
    while running:
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchone()
        if row:
            # This sampler's own connection is not the application's.
            peaks["connections"] = max(peaks["connections"], row[0] - 1)
            peaks["connections_active"] = max(peaks["connections_active"], row[1] - 1)
        for name, pid in trees.items():
            peaks[f"rss_mib_{name}"] = max(peaks[f"rss_mib_{name}"], round(rss_mib(pid), 1))
        time.sleep(1)
for name, pid in trees.items():
    peaks[f"cpu_s_{name}"] = round(cpu_s(pid) - cpu_start[name], 1)
peaks["cpu_s_machine"] = round(machine_busy_s() - busy_start, 1)
peaks["wall_s"] = round(time.monotonic() - wall_start, 1)
with open(out, "w", encoding="utf-8") as handle:
    json.dump(peaks, handle)
