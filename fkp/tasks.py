"""Celery entry points of the FKP app."""

from __future__ import annotations

from fkp import services
from regsosek.tasks import regsosek_task


@regsosek_task(name="fkp.render_list_document", soft_time_limit=1800, time_limit=1860)
def render_list_document(document_id: int) -> None:
    """Make one list document (a forum's PDF, a run's XLSX), by its id only."""
    services.document_render(document_id=document_id)
