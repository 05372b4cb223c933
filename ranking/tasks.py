"""Celery entry points of the ranking app (thin: the job is ranking/jobs.py)."""

from __future__ import annotations

from ranking.fitjob import pmt_fit_execute
from ranking.jobs import ranking_run_execute
from regsosek.tasks import Queue, regsosek_task


@regsosek_task(name="ranking.run", queue=Queue.RANKING, time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def ranking_run_task(run_id: int) -> None:
    """Compute ranking run `run_id` (its id only: never personal data in task arguments)."""
    ranking_run_execute(run_id)


@regsosek_task(name="ranking.fit_pmt_model", queue=Queue.RANKING, time_limit=3600, soft_time_limit=3600 - 60)
def pmt_fit_task(fit_id: int) -> None:
    """Fit the PMT model of upload `fit_id` (its id only: the file stays in the database)."""
    pmt_fit_execute(fit_id)
