"""A real Celery worker whose process is killed (SIGKILL) in the middle of a run: the task is
redelivered (acks_late, reject_on_worker_lost), redoes the run, and its rows exist exactly once.

How the kill lands mid-run, deterministically: the test holds an EXCLUSIVE lock on the ranked-rows
table, so the job computes every score, takes the run's row lock and then waits inside its final
transaction at the COPY of the rows; the test kills the pool process there, then lets go.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db.models import Count

from ranking.models import RankedFamily, RankingRun, RunStatus, UnrankedFamily
from ranking.services import ranking_run_start
from tests.ranking.factories import floor_model

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    url = urllib.parse.urlparse(os.environ["DATABASE_URL"])
    return url._replace(path="/" + str(settings.DATABASES["default"]["NAME"])).geturl()


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_leaves_no_half_run_and_the_redelivered_task_redoes_it(population, bps_admin, tmp_path):
    floor_model()
    database_url = _test_database_url()
    conninfo = urllib.parse.urlparse(database_url)._replace(scheme="postgresql").geturl()
    env = {**os.environ, "DATABASE_URL": database_url}
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "regsosek", "worker", "-Q", "ranking", "--pool", "prefork",
         "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"kill-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    blocker = psycopg.connect(conninfo)
    try:
        blocker.execute("LOCK TABLE ranking_rankedfamily IN EXCLUSIVE MODE")
        run = ranking_run_start(user=bps_admin)  # commits: the task is sent to the broker

        def waiting_at_copy() -> bool:
            waiting = blocker.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'ranking_rankedfamily'::regclass"
            ).fetchone()
            return bool(waiting and waiting[0])

        _wait(waiting_at_copy, "the job to reach the COPY of its rows")
        run.refresh_from_db()
        assert run.status == RunStatus.RUNNING and run.attempts == 1
        assert run.progress_done == run.progress_total == 14  # every family scored: truly mid-run
        pool = _children(worker.pid)
        assert len(pool) == 1
        os.kill(pool[0], signal.SIGKILL)
        _wait(lambda: pool[0] not in _children(worker.pid), "the pool process to be gone")
        blocker.rollback()  # let go of the table: the killed job's transaction is rolled back

        def finished() -> bool:
            run.refresh_from_db()
            return run.status == RunStatus.FINISHED

        _wait(finished, "the redelivered task to finish the run")
    finally:
        blocker.close()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
    output = (tmp_path / "worker.log").read_text()
    assert "WorkerLostError" in output or "SIGKILL" in output, output[-2000:]
    assert run.attempts == 2
    rows = RankedFamily.objects.filter(run=run)
    assert rows.count() == run.counts["ranked"] == 12
    assert sorted(rows.values_list("rank", flat=True)) == list(range(1, 13))
    assert not rows.values("family_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert UnrankedFamily.objects.filter(run=run).count() == 2
    assert RankingRun.objects.count() == 1
