"""Celery entry points of the monitoring app: the analysts' exports."""

from __future__ import annotations

from monitoring import exports
from regsosek.tasks import Queue, regsosek_task


@regsosek_task(name="monitoring.run_export", queue=Queue.EXPORTS, time_limit=2 * 3600, soft_time_limit=2 * 3600 - 60)
def run_export(job_id: int) -> None:
    """Write the file of one export job (by id only: the filters and requester are on its row)."""
    exports.export_run(job_id=job_id)
