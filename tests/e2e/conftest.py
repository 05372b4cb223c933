"""Browser end-to-end set-up: a dedicated database, the real web server (gunicorn) and Celery worker
as subprocesses, and Debian's chromium driven by Playwright (Playwright's own browser downloads are
not used).

`make test` runs these tests in their own pytest run with DATABASE_URL naming a fresh database whose
name ends in `_e2e` (scripts/test.sh); the fixtures refuse any other database, since they write to it
directly instead of through a throw-away test database.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "uji-e2e-rahasia-2022"

# The tests talk to real subprocesses from the test thread; Django's async-safety check would trip
# on Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class LiveStack:
    url: str
    env: dict[str, str]
    media_root: Path
    port: int
    logs: Path
    web: subprocess.Popen[bytes] | None = None

    def start_web(self, **extra_env: str) -> None:
        """(Re)starts gunicorn, e.g. with another APP_RELEASE to publish a new app version."""
        self.stop_web()
        self.web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "regsosek.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers",
             "1", "--threads", "4", "--log-level", "warning"],
            cwd=ROOT, env={**self.env, **extra_env}, stdout=(self.logs / "web.log").open("a"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        # A loaded machine (several test runs at once) can take more than half a minute to start it.
        _wait_for(f"{self.url}/app/", timeout=float(os.environ.get("E2E_START_TIMEOUT", "120")))

    def stop_web(self) -> None:
        if self.web is not None:
            _stop(self.web)
            self.web = None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def django_db_setup() -> None:
    """Use the dedicated e2e database as it is (the web server and worker share it)."""
    name = settings.DATABASES["default"]["NAME"]
    if not str(name).endswith("_e2e"):
        pytest.exit(f"e2e tests need a database whose name ends in _e2e (got {name!r}); run them through make test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def _wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL built here
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


@pytest.fixture(scope="session")
def live_stack(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStack]:
    work = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "load_wilayah")
    _manage(env, "collectstatic", "--noinput", "-v", "0", "--ignore", "js/*")
    port = _free_port()
    logs = work / "logs"
    logs.mkdir()
    stack = LiveStack(url=f"http://127.0.0.1:{port}", env=env, media_root=work / "media", port=port, logs=logs)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "regsosek", "worker", "-Q", "celery,photos,ranking",
         "--concurrency", "1", "--loglevel", "WARNING", "--hostname", f"e2e-{port}@%h"],
        cwd=ROOT, env=env, stdout=(logs / "worker.log").open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        stack.start_web()
        yield stack
    finally:
        stack.stop_web()
        _stop(worker)
        if os.environ.get("E2E_KEEP_LOGS"):
            shutil.copytree(logs, ROOT / ".local" / "e2e-logs", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """The web server subprocess checks passwords with the production hashers: keep them here too."""
