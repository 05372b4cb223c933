"""Conventions shared by every Celery task (docs/architecture.md, "Background jobs")."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from celery import shared_task

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class Queue(enum.StrEnum):
    """Every queue the workers listen on."""

    DEFAULT = "celery"
    PHOTOS = "photos"
    RANKING = "ranking"
    EXPORTS = "exports"


def regsosek_task(*, name: str, queue: Queue = Queue.DEFAULT, **options: Any) -> Callable[[F], F]:
    """Declare a task with a stable name, late acks and time limits.

    Task arguments must be ids and primitives: never personal data (docs/privacy.md).
    """

    defaults: dict[str, Any] = {
        "name": name,
        "queue": queue.value,
        "acks_late": True,
        "reject_on_worker_lost": True,
        "ignore_result": True,
    }
    defaults.update(options)

    def decorator(func: F) -> F:
        return shared_task(**defaults)(func)  # type: ignore[no-any-return]  # celery-types: Task

    return decorator


@regsosek_task(name="regsosek.ping", ignore_result=False)
def ping() -> str:
    """Round trip used by /healthz to prove a worker consumes the queue."""
    return "pong"
