"""Celery entry points of the FKP app."""

from __future__ import annotations

from fkp import services
from regsosek.tasks import regsosek_task


# A kelurahan's PDF is up to ~16,000 rows (22 forums); WeasyPrint's wall speed falls with the
# machine's load (docs/performance.md), so the limit leaves room: 2 hours, under the broker's
# 4-hour visibility timeout (a task still running is not delivered twice).
@regsosek_task(name="fkp.render_list_document", soft_time_limit=2 * 3600 - 60, time_limit=2 * 3600)
def render_list_document(document_id: int) -> None:
    """Make one list document (a forum's or a kelurahan's PDF, a run's XLSX), by its id only."""
    services.document_render(document_id=document_id)
