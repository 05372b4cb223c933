"""Hostile requests found in the attack session (docs/reliability.md): each answered cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from enumeration.models import User

pytestmark = pytest.mark.django_db

NUL_URLS = [
    "/api/v1/sls/?kelurahan=%00",
    "/api/v1/families/?status=%00",
    "/api/v1/sync/pull/?cursor=%00",
    "/admin/enumeration/user/?role__exact=%00",
    "/admin/enumeration/assignment/?q=%00",
    "/?kelurahan=%00",
    "/audit/?action=%00",
    "/masuk/?next=%00",
    "/api/v1/sls/?%00=1",
]


@pytest.mark.parametrize("persona", ["petugas", "supervisor", "koseka", "bps_admin", "pemkot", None])
def test_a_nul_in_a_query_parameter_is_a_400_for_every_role(request, persona: str | None) -> None:
    client = Client()
    if persona:
        user: User = request.getfixturevalue(persona)
        client.force_login(user)
    for url in NUL_URLS:
        answer = client.get(url)
        assert answer.status_code == 400, url
        if url.startswith("/api/"):
            assert answer.json()["code"] == "invalid", url


def test_a_nul_in_the_session_cookie_is_a_400() -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "abc\x00def12345"
    assert client.get("/").status_code == 400


def test_error_reports_hide_the_redis_password_and_every_credential_url() -> None:
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        reporter = ExceptionReporter(request, type(error), error, error.__traceback__)
        page = reporter.get_traceback_text() + reporter.get_traceback_html()
    secret = settings.REDIS_URL.split("@")[0].split(":")[-1]
    assert secret and secret not in page
    assert settings.SECRET_KEY not in page


def test_debug_tracebacks_are_logged_once_through_the_redaction_filter() -> None:
    """With DEBUG on, Django's own console handler printed request errors a second time, in plain
    text; now the "django" loggers write through the project's JSON handler and its filter only."""
    script = (
        "import django, logging; django.setup()\n"
        "try:\n    raise ValueError('NIK 3674011234567890')\n"
        "except ValueError:\n    logging.getLogger('django.request').exception('Internal Server Error: /x')\n"
    )
    env = {**os.environ, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "regsosek.settings"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["logger"] == "django.request" and "3674011234567890" not in lines[0]


def test_the_private_postgresql_logs_no_statement_or_value_of_a_failed_query() -> None:
    """A failed statement (e.g. a push losing the UUID race) once reached the server's log with its
    values; the private cluster (scripts/services.sh) now logs neither statements nor parameters."""
    port_file = Path(settings.BASE_DIR) / ".local" / "pg" / "port"
    if not port_file.exists() or str(connection.settings_dict["PORT"]) != port_file.read_text().strip():
        pytest.skip("an external PostgreSQL (DATABASE_URL): its logging is docs/operations.md's to set")
    with connection.cursor() as cursor:
        values = {}
        for name in (
            "log_min_error_statement",
            "log_error_verbosity",
            "log_statement",
            "log_parameter_max_length_on_error",
        ):
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    assert values == {
        "log_min_error_statement": "panic",
        "log_error_verbosity": "terse",
        "log_statement": "none",
        "log_parameter_max_length_on_error": "0",
    }


def test_an_unknown_format_parameter_is_ignored_not_a_404(client, supervisor) -> None:  # type: ignore[no-untyped-def]
    """DRF answered 404 to `?format=null` on every endpoint (the API fuzz); the schema names no such
    parameter, so it is ignored; a known format still picks its renderer."""
    client.force_login(supervisor)
    for url in ("/api/v1/me/?format=null", "/api/v1/sls/?format=xml", "/api/v1/families/?format="):
        answer = client.get(url)
        assert answer.status_code == 200 and answer["Content-Type"] == "application/json", url
    assert client.get("/api/v1/schema/?format=json")["Content-Type"].startswith("application/vnd.oai.openapi+json")
