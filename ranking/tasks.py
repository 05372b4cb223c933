"""Celery entry points of the ranking app (thin: the job is ranking/jobs.py)."""

from __future__ import annotations

from ranking.jobs import ranking_run_execute
from regsosek.tasks import Queue, regsosek_task


@regsosek_task(name="ranking.run", queue=Queue.RANKING, time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def ranking_run_task(run_id: int) -> None:
    """Compute ranking run `run_id` (its id only: never personal data in task arguments)."""
    ranking_run_execute(run_id)
