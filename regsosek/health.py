"""/healthz: database, Redis and Celery worker status as JSON; 503 when any is down."""

from __future__ import annotations

import logging
import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT PostGIS_Lib_Version()")
        (postgis,) = cursor.fetchone() or ("?",)
    return {"ok": True, "postgis": postgis}


def _check_redis() -> dict[str, Any]:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True}


def _check_worker() -> dict[str, Any]:
    from regsosek.celery import app

    # limit=1: answer as soon as one worker replies instead of waiting out the whole timeout.
    replies = app.control.ping(timeout=settings.REGSOSEK_HEALTH_WORKER_TIMEOUT, limit=1)
    if not replies:
        return {"ok": False, "error": "no worker answered"}
    return {"ok": True, "workers_answering": len(replies)}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    for name, check in (("database", _check_database), ("redis", _check_redis), ("worker", _check_worker)):
        started = time.monotonic()
        try:
            result = check()
        except Exception as exc:
            logger.warning("healthz.failed", extra={"check": name, "error": type(exc).__name__})
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        checks[name] = result
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503)
