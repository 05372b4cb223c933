"""gunicorn settings of `make run` and the production image: `gunicorn --config python:regsosek.gunicorn_conf`.

One sync worker process per core, one thread each, as docs/performance.md measured: the heaviest
request, a sync push, is CPU-bound (about 1.3 ms of web-server CPU per family), and on two cores two
processes pushed 934-989 families/s against 848-854 with three and 757-812 with four, with a lower
p99. Past one process per core they only take turns on the cores and each holds its own memory (a
worker peaks at about 134 MiB); threads would share one interpreter lock per process. Sync workers
hold a connection for a whole request, so a proxy in front must buffer slow clients' bodies
(docs/operations.md). WEB_CONCURRENCY sets the number of processes instead, e.g. when a container
may use fewer cores than it sees.
"""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on (a cpuset or `taskset` narrows it; a CPU quota does not)."""
    return len(os.sched_getaffinity(0)) or 1


workers = int(os.environ.get("WEB_CONCURRENCY") or usable_cores())
threads = 1
worker_class = "sync"
accesslog = "-"
