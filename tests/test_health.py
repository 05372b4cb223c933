"""/healthz against the real database, Redis and a real Celery worker."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker

from regsosek.celery import app as celery_app


@pytest.mark.django_db
def test_health_is_down_without_a_worker(client, settings):
    settings.REGSOSEK_HEALTH_WORKER_TIMEOUT = 0.3
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["ok"] is False


@pytest.mark.django_db
def test_health_is_down_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.REGSOSEK_HEALTH_WORKER_TIMEOUT = 0.3
    response = client.get("/healthz")
    assert response.status_code == 503
    redis_check = response.json()["checks"]["redis"]
    assert redis_check["ok"] is False and redis_check["error"] == "ConnectionError"


@pytest.mark.django_db(transaction=True)
def test_health_is_ok_with_database_redis_and_a_running_worker(client):
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["worker"]["workers_answering"] >= 1
    assert body["checks"]["database"]["postgis"]


@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_the_real_broker():
    from regsosek.tasks import ping

    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert ping.delay().get(timeout=10) == "pong"  # type: ignore[attr-defined]
