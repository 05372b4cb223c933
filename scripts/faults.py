"""`make faults`: break one part of the system in the middle of a sync, heal it, and prove that
nothing was lost and nothing stored twice (docs/reliability.md, "Faults").

Each scenario runs phones pushing their families and photos (retrying as the app does: Retry-After,
else backoff) against gunicorn and a Celery worker started here, on a scratch database, with the
project-private PostgreSQL and Redis (the scenarios that restart them refuse to run against servers
given by DATABASE_URL / REDIS_URL). Then `manage.py load_check` compares what the phones were told
with the database and the media files.

Run through `make faults [FAULTS=lost-answer,postgres-restart,…]`, which sources scripts/local-env.sh.
"""

from __future__ import annotations

import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".local" / "faults"
PG_DIR = ROOT / ".local" / "pg"
REDIS_DIR = ROOT / ".local" / "redis"
PGBIN = Path(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"))
DB = os.environ.get("FAULTS_DB", "regsosek_faults")
DEVICES_PER_SCENARIO = int(os.environ.get("FAULTS_DEVICES", "30"))
ATTEMPTS = 12
# What `docker stop` (the deployment of docs/operations.md) gives a container before SIGKILL.
STOP_GRACE_S = 10.0


def log(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*args: str, env: dict[str, str] | None = None, quiet: bool = True, cwd: Path = ROOT) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {done.stderr.strip()[-800:]}")
    if not quiet:
        log(done.stdout.strip())
    return done.stdout


class Stack:
    """gunicorn (as in production) and a Celery worker with beat, on the scratch database."""

    def __init__(self, env: dict[str, str], code: Path = ROOT) -> None:
        self.env, self.code = env, code
        self.port = free_port()
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            ["gunicorn", "regsosek.wsgi", "--config", "python:regsosek.gunicorn_conf", "--bind",
             f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null"],
            env=self.env, cwd=self.code, stdout=(OUT / "web.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/api/v1/questionnaire/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer; see {OUT / 'web.log'}")

    def start_worker(self) -> None:
        self.worker = subprocess.Popen(
            ["celery", "-A", "regsosek", "worker", "--beat", "--loglevel=WARNING", "--concurrency=2",
             "-Q", "celery,photos,ranking,exports", "--schedule", str(OUT / "celerybeat-schedule")],
            env=self.env, cwd=self.code, stdout=(OUT / "worker.log").open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, grace_s: float = 30.0) -> None:
        for process in (self.web, self.worker):
            if process is not None:
                stop_process(process, grace_s)


def stop_process(process: subprocess.Popen[bytes], grace_s: float) -> bool:
    """SIGTERM (gunicorn stops accepting and finishes the requests it holds, Celery its tasks),
    SIGKILL of the whole group after `grace_s`. True if it had to be killed."""
    if process.poll() is not None:
        return False
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True
    return False


class Phones:
    """Devices sending their day: families in batches of three, then photos; each request retried
    until the server answers with something the app keeps (2xx) or refuses for good (4xx).
    `pause_s`: a device waits up to that long between two requests (a PPL who sends as they go).
    With `newer_version`, a batch holding a family of that questionnaire version waits for
    `first_release` (the phone made it with the definition it pulled once the server published
    it), and so does a device marked `offline_until_release` before it sends anything (no signal
    in the morning: its families, made with version 1, arrive after the update)."""

    def __init__(
        self, plan: dict[str, Any], devices: list[dict[str, Any]], url: str, pause_s: float = 0.0,
        newer_version: str | None = None,
    ) -> None:  # fmt: skip
        self.plan, self.devices, self.url, self.pause_s = plan, devices, url, pause_s
        self.newer_version = newer_version
        self.first_release = threading.Event()
        self.photo = Path(plan["photo"]["path"]).read_bytes()
        self.acknowledged: dict[str, str] = {}
        self.photos: dict[str, int] = {}
        self.errors: Counter[str] = Counter()
        self.gave_up: Counter[str] = Counter()
        self.unchanged = 0
        self.lock = threading.Lock()

    def run(self, spread_s: float) -> None:
        with ThreadPoolExecutor(max_workers=len(self.devices)) as pool:
            for future in [pool.submit(self._device, d, random.uniform(0, spread_s)) for d in self.devices]:  # noqa: S311
                future.result()

    def _send(self, http: httpx.Client, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        for attempt in range(ATTEMPTS):
            try:
                response = http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                kind, wait = f"{name}: {type(exc).__name__}", min(30.0, 2.0**attempt)
            else:
                if response.is_success:
                    return response
                kind = f"{name}: {response.status_code}"
                if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                    with self.lock:
                        self.errors[kind] += 1
                        self.gave_up[kind] += 1
                    return None
                given = response.headers.get("Retry-After", "")
                wait = float(given) if given.isdigit() else min(30.0, 2.0**attempt)
            with self.lock:
                self.errors[kind] += 1
            time.sleep(wait * random.uniform(0.5, 1.0))  # noqa: S311 - jitter
        with self.lock:
            self.gave_up[f"{name}: {ATTEMPTS} attempts"] += 1
        return None

    def _device(self, device: dict[str, Any], delay: float) -> None:
        time.sleep(delay)
        if device.get("offline_until_release"):
            self.first_release.wait()
        headers = {"Authorization": f"Bearer {device['token']}", "X-Device-ID": device["device"]}
        with httpx.Client(base_url=self.url, headers=headers, timeout=60) as http:
            families = device["families"]
            for start in range(0, len(families), 3):
                batch = families[start : start + 3]
                if any(item["record"]["version"] == self.newer_version for item in batch):
                    self.first_release.wait()
                self._pause()
                response = self._send(http, "push", "POST", "/api/v1/sync/push/", json={"families": batch})
                if response is None:
                    continue
                for item, result in zip(batch, response.json()["results"], strict=True):
                    with self.lock:
                        self.acknowledged[item["client_uuid"]] = result["result"]
                        self.unchanged += result["result"] == "unchanged"
            for photo in device["photos"]:
                self._pause()
                photo_headers = {
                    "Content-Type": "image/jpeg",
                    "X-Family-UUID": photo["family_uuid"],
                    "X-Content-SHA256": self.plan["photo"]["sha256"],
                }
                path = f"/api/v1/sync/photos/{photo['uuid']}"
                response = self._send(http, "photo", "PUT", path, content=self.photo, headers=photo_headers)
                if response is not None:
                    with self.lock:
                        self.photos[photo["uuid"]] = response.status_code

    def _pause(self) -> None:
        if self.pause_s:
            time.sleep(random.uniform(self.pause_s / 2, self.pause_s))  # noqa: S311

    def write(self, path: Path) -> None:
        results = {
            "acknowledged": self.acknowledged,
            "photos": self.photos,
            "gave_up": dict(self.gave_up),
            "errors": dict(self.errors),
        }
        path.write_text(json.dumps(results), encoding="utf-8")


class LosingProxy(http.server.ThreadingHTTPServer):
    """Forwards every request to gunicorn; for every `every`-th push and photo, throws the answer
    away after the server committed, as a mobile network does (the phone sees the connection drop)."""

    def __init__(self, upstream: str, every: int) -> None:
        self.upstream, self.every, self.count, self.dropped = upstream, every, 0, 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", free_port()), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: LosingProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        upstream = httpx.request(
            self.command, self.server.upstream + self.path, headers=headers, content=body, timeout=120
        )
        drop = False
        if self.path.startswith(("/api/v1/sync/push/", "/api/v1/sync/photos/")) and upstream.is_success:
            with self.server.lock:
                self.server.count += 1
                drop = self.server.count % self.server.every == 0
                self.server.dropped += drop
        if drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(upstream.status_code)
        for key, value in upstream.headers.items():
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(upstream.content)))
        self.end_headers()
        self.wfile.write(upstream.content)

    do_GET = do_POST = do_PUT = _forward  # noqa: N815 - http.server's names


def restart_postgres() -> None:
    data = PG_DIR / "data"
    run("runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "restart",
        "-o", f"-c listen_addresses=127.0.0.1 -c port={(PG_DIR / 'port').read_text().strip()} "
        f"-c unix_socket_directories={PG_DIR / 'run'}", "-l", str(PG_DIR / "postgres.log"))  # fmt: skip


def redis_cli(*args: str) -> None:
    port, password = (REDIS_DIR / "port").read_text().strip(), (REDIS_DIR / "password").read_text().strip()
    subprocess.run(
        ["redis-cli", "-p", port, "-a", password, "--no-auth-warning", *args], capture_output=True, check=False
    )


def start_redis() -> None:
    port, password = (REDIS_DIR / "port").read_text().strip(), (REDIS_DIR / "password").read_text().strip()
    run("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
        str(REDIS_DIR), "--daemonize", "yes", "--pidfile", str(REDIS_DIR / "redis.pid"), "--logfile",
        str(REDIS_DIR / "redis.log"), "--requirepass", password)  # fmt: skip


def worker_children(stack: Stack) -> list[int]:
    if stack.worker is None:
        return []
    out = subprocess.run(["pgrep", "-P", str(stack.worker.pid)], capture_output=True, text=True, check=False).stdout
    return [int(pid) for pid in out.split()]


class Scenario:
    def __init__(
        self, name: str, what: str, fault: Callable[[Stack, dict[str, Any]], str], needs: str = "",
        pause_s: float = 0.0,
    ) -> None:  # fmt: skip
        self.name, self.what, self.fault, self.needs, self.pause_s = name, what, fault, needs, pause_s


def fault_lost_answer(stack: Stack, state: dict[str, Any]) -> str:
    state["traffic"].join()  # the proxy drops answers for as long as the phones send
    proxy: LosingProxy = state["proxy"]
    return f"{proxy.dropped} answers thrown away after the commit (every third successful push or photo)"


def fault_postgres(stack: Stack, state: dict[str, Any]) -> str:
    time.sleep(4)
    started = time.monotonic()
    restart_postgres()
    return f"PostgreSQL restarted (fast shutdown) 4 s into the traffic, down for {time.monotonic() - started:.1f} s"


def fault_redis(stack: Stack, state: dict[str, Any]) -> str:
    before = _count_in(OUT / "web.log", "photo.enqueue_failed")
    time.sleep(2)
    redis_cli("shutdown", "nosave")
    time.sleep(25)
    start_redis()
    state["traffic"].join()
    failed = _count_in(OUT / "web.log", "photo.enqueue_failed") - before
    return (
        "Redis shut down 2 s into the traffic and started again 25 s later (queued tasks lost with it); "
        f"{failed} photos stored while it was down could not be queued, left to the sweep"
    )


def _count_in(path: Path, event: str) -> int:
    return path.read_text(encoding="utf-8", errors="replace").count(f'"{event}"') if path.exists() else 0


def fault_worker(stack: Stack, state: dict[str, Any]) -> str:
    kills = 0
    deadline = time.monotonic() + 120
    while not worker_children(stack) and time.monotonic() < deadline:
        time.sleep(1)  # the pool is up (a loaded machine takes a while to start it)
    for _ in range(3):
        time.sleep(5)
        for pid in worker_children(stack):
            os.kill(pid, signal.SIGKILL)
            kills += 1
    time.sleep(4)
    if stack.worker is None:
        return f"{kills} pool processes SIGKILLed; no worker left to kill"
    os.killpg(stack.worker.pid, signal.SIGKILL)
    stack.worker.wait()
    time.sleep(3)
    stack.start_worker()
    return f"{kills} pool processes SIGKILLed during processing, then the whole worker; a new worker started"


def fault_disk(stack: Stack, state: dict[str, Any]) -> str:
    media = Path(state["media"])
    time.sleep(20)
    run("mount", "-o", "remount,size=400m", str(media))
    return "media on a 1 MB tmpfs (full after three uploads), grown to 400 MB 20 s into the traffic"


# The change the first release brings to the questionnaire: a clarified help text, hence a new
# version (docs/questionnaire.md, "Versioning": a used version is never edited).
HELP_V1 = "Kosongkan bila keluarga tidak memiliki Kartu Keluarga."
HELP_V2 = "Kosongkan bila keluarga tidak memiliki Kartu Keluarga; jangan menyalin nomor KK keluarga lain."


def with_newer_form(plan: dict[str, Any], version: str) -> dict[str, Any]:
    """The plan with each device's last batch made with `version` of the questionnaire (the phone
    pulled it after the first release; the batches before it keep version 1), and every third
    device without signal until the first release."""
    plan = json.loads(json.dumps(plan))
    for index, device in enumerate(plan["ppl"]):
        device["offline_until_release"] = index % 3 == 0
        for family in device["families"][6:]:
            family["record"]["version"] = version
    return plan


def prepare_release(
    base: Path, env: dict[str, str], number: int, newer_form: str | None
) -> tuple[Path, dict[str, str]]:
    """A release is a new directory of the code, as a new image or checkout brings it, made from the
    release before it: the definition it publishes, its own static files (`collectstatic`, as the
    image build does), its APP_RELEASE label (a new app version for the phones, docs/pwa.md) and
    `migrate` against the live database, all while the running release serves."""
    code = OUT / f"release-{number}"
    ignore = shutil.ignore_patterns(".venv", "node_modules", ".local", ".git", "__pycache__", "test-results")
    shutil.copytree(base, code, ignore=ignore, symlinks=True)
    if newer_form is not None:
        definitions = code / "households" / "questionnaire" / "definitions"
        text = (definitions / "regsosek22k-1.json").read_text(encoding="utf-8")
        text = text.replace('"version": "1"', f'"version": "{newer_form}"', 1).replace(HELP_V1, HELP_V2)
        (definitions / f"regsosek22k-{newer_form}.json").write_text(text, encoding="utf-8")
    env = {**env, "APP_RELEASE": f"faults-{number}", "STATIC_ROOT": str(OUT / f"static-{number}")}
    run(sys.executable, "manage.py", "migrate", "-v0", env=env, cwd=code)
    run(sys.executable, "manage.py", "collectstatic", "--noinput", "-v0", "--ignore", "js/*", env=env, cwd=code)
    return code, env


def switch_release(stack: Stack, code: Path, env: dict[str, str]) -> tuple[float, bool]:
    """The running release stops as `docker stop` stops a container (SIGTERM: gunicorn answers what it
    holds and refuses new connections, Celery finishes its tasks; SIGKILL after STOP_GRACE_S); the
    new release starts on the same port. Returns the time without a web server, and whether a
    process had to be killed."""
    started = time.monotonic()
    killed = False
    for process in (stack.web, stack.worker):
        if process is not None:
            killed |= stop_process(process, STOP_GRACE_S)
    stack.code, stack.env = code, env
    stack.start_web()
    stack.start_worker()
    return time.monotonic() - started, killed


def served_versions(url: str) -> tuple[str, str]:
    """What a phone sees: the app version in /app/sw.js and the current questionnaire version (its
    definition fetched, as the app does when the hash changes)."""
    worker = httpx.get(f"{url}/app/sw.js", timeout=60).text.split("\n", 1)[0]
    app = json.loads(worker.removeprefix("self.REGSOSEK_SW = ").removesuffix(";"))["version"]
    current = httpx.get(f"{url}/api/v1/questionnaire/", timeout=60).json()["current"]
    httpx.get(url + current["url"], timeout=60).raise_for_status()
    return str(app), str(current["version"])


def stored_by_version(stack: Stack, phones: Phones) -> dict[str, int]:
    """How many of these phones' families are stored, by the questionnaire version of their record."""
    uuids = ",".join(
        f"'{uuid.UUID(family['client_uuid'])}'" for device in phones.devices for family in device["families"]
    )
    query = f"SELECT form_version, count(*) FROM households_family WHERE client_uuid IN ({uuids}) GROUP BY 1"  # noqa: S608 - parsed UUIDs
    url = urlparse(stack.env["DATABASE_URL"])._replace(scheme="postgresql").geturl()
    out = run("psql", "-qAt", "-F", " ", url, "-c", query)
    return {version: int(n) for version, n in (line.split() for line in out.splitlines() if line)}


def fault_two_releases(stack: Stack, state: dict[str, Any]) -> str:
    phones: Phones = state["phones"]
    app, definition = served_versions(stack.url)
    steps = [f"release 0: app {app}, questionnaire version {definition}"]
    try:
        # Both releases are built while the phones send the first part of their day.
        first = prepare_release(stack.code, stack.env, 1, phones.newer_version)
        second = prepare_release(first[0], first[1], 2, None)
        acked_before_first = len(phones.acknowledged)
        for number, (code, env) in enumerate((first, second), start=1):
            acked, sending = len(phones.acknowledged), state["traffic"].is_alive()
            down, killed = switch_release(stack, code, env)
            new_app, definition = served_versions(stack.url)
            if new_app == app or not sending:
                state["problem"] = f"release {number}: the app version did not change, or no phone was sending"
            app = new_app
            if definition == phones.newer_version:
                phones.first_release.set()  # the phones pull the new definition and send what waited
            steps.append(
                f"release {number} after {acked} families acknowledged: no web server for {down:.1f} s"
                f"{' (SIGKILL after the grace)' if killed else ''}; app {app}, questionnaire version {definition}"
            )
            time.sleep(8)  # the phones go on sending to this release
    finally:
        phones.first_release.set()
    state["traffic"].join()
    stored = stored_by_version(stack, phones)
    older_after = stored.get("1", 0) - acked_before_first
    if not stored.get(phones.newer_version or "", 0) or older_after <= 0:
        state["problem"] = "no family of the newer version, or none of version 1 after the first release"
    return (
        "; ".join(steps)
        + f"; stored by questionnaire version {stored} ({older_after} of version 1 arrived after the first release)"
    )


SCENARIOS = [
    Scenario("lost-answer", "the answer to a push or photo is lost after the commit", fault_lost_answer),
    Scenario("postgres-restart", "PostgreSQL restarts in the middle of the traffic", fault_postgres, "pg"),
    Scenario("redis-down", "Redis is down during sync", fault_redis, "redis"),
    Scenario("worker-kill", "the Celery worker is killed while processing photos", fault_worker),
    Scenario("disk-full", "the media disk fills up", fault_disk, "root"),
    Scenario(
        "two-releases",
        "two releases of the app in the day, while the phones hold unsent families",
        fault_two_releases,
        pause_s=6.0,
    ),
]


def main() -> int:
    wanted = [s for s in os.environ.get("FAULTS", "").split(",") if s] or [s.name for s in SCENARIOS]
    unknown = set(wanted) - {s.name for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"unknown scenarios {sorted(unknown)}; known: {[s.name for s in SCENARIOS]}")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    base = urlparse(os.environ["DATABASE_URL"])
    admin = base._replace(scheme="postgresql", path="/postgres").geturl()
    env = {
        **os.environ,
        "DATABASE_URL": base._replace(path=f"/{DB}").geturl(),
        "REDIS_URL": urlparse(os.environ["REDIS_URL"])._replace(path="/3").geturl(),
        "PHOTO_SWEEP_INTERVAL_S": "10",
        "PHOTO_SWEEP_AGE_S": "15",
        "PHOTO_STORAGE_FULL_RETRY_S": "5",
        # A short pool life, so connections broken by a restart are found by the health check.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    env.pop("DJANGO_DEBUG", None)
    env.pop("STATIC_PLAIN_STORAGE", None)
    private_pg = os.environ.get("PRIVATE_PG") == "1"
    private_redis = os.environ.get("PRIVATE_REDIS") == "1"
    log(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; scratch database {DB}")
    run("psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", "-c", f"CREATE DATABASE {DB}")
    for command in (["migrate", "-v0"], ["load_wilayah"], ["collectstatic", "--noinput", "-v0", "--ignore", "js/*"]):
        run(sys.executable, "manage.py", *command, env=env)
    run(sys.executable, "manage.py", "generate_synthetic", "--families", "60000", "--no-families", env=env)
    devices = DEVICES_PER_SCENARIO * len(SCENARIOS)
    run(sys.executable, "manage.py", "load_prepare", "--plan", str(OUT / "plan.json"), "--ppl", str(devices),
        "--pml", "0", "--koseka", "0", "--new-phones", "0", "--photo-share", "0.5", env=env, quiet=False)  # fmt: skip
    plan = json.loads((OUT / "plan.json").read_text(encoding="utf-8"))
    failed = []
    for index, scenario in enumerate(SCENARIOS):
        if scenario.name not in wanted:
            continue
        log(f"\n== {scenario.name}: {scenario.what}")
        if (scenario.needs == "pg" and not private_pg) or (scenario.needs == "redis" and not private_redis):
            log(f"skipped: it restarts the project-private {scenario.needs}, and DATABASE_URL / REDIS_URL name another")
            continue
        if scenario.needs == "root" and os.geteuid() != 0:
            log("skipped: mounting a small tmpfs for the media needs root")
            continue
        devices_plan = plan["ppl"][index * DEVICES_PER_SCENARIO : (index + 1) * DEVICES_PER_SCENARIO]
        sub_plan = {**plan, "ppl": devices_plan}
        newer_version = "2" if scenario.name == "two-releases" else None
        if newer_version is not None:
            sub_plan = with_newer_form(sub_plan, newer_version)
            devices_plan = sub_plan["ppl"]
        (OUT / f"{scenario.name}-plan.json").write_text(json.dumps(sub_plan), encoding="utf-8")
        media = OUT / f"media-{scenario.name}"
        media.mkdir()
        scenario_env = {**env, "MEDIA_ROOT": str(media)}
        state: dict[str, Any] = {"media": str(media)}
        if scenario.name == "disk-full":
            run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(media))
        stack = Stack(scenario_env)
        proxy = None
        try:
            stack.start_web()
            stack.start_worker()
            target = stack.url
            if scenario.name == "lost-answer":
                proxy = LosingProxy(stack.url, every=3)
                threading.Thread(target=proxy.serve_forever, daemon=True).start()
                state["proxy"] = proxy
                target = f"http://127.0.0.1:{proxy.server_address[1]}"
            phones = Phones(sub_plan, devices_plan, target, scenario.pause_s, newer_version)
            started = time.monotonic()
            traffic = threading.Thread(target=phones.run, args=(8.0,))
            traffic.start()
            state["traffic"], state["phones"] = traffic, phones
            outcome = scenario.fault(stack, state)
            traffic.join()
            log(f"fault: {outcome}")
            log(
                f"traffic: {len(devices_plan)} phones, {time.monotonic() - started:.0f} s; answers that were not "
                f"success (each retried): {dict(phones.errors) or 'none'}; "
                f"retries answered 'unchanged': {phones.unchanged}"
            )
            results = OUT / f"{scenario.name}-results.json"
            phones.write(results)
            check = subprocess.run(
                [sys.executable, "manage.py", "load_check", "--plan", str(OUT / f"{scenario.name}-plan.json"),
                 "--results", str(results), "--wait-photos", "180"],
                env=scenario_env, cwd=ROOT, capture_output=True, text=True, check=False,
            )  # fmt: skip
            log(check.stdout.strip())
            if check.returncode != 0:
                log(check.stderr.strip()[-500:])
                failed.append(scenario.name)
            elif state.get("problem"):
                log(f"not what this scenario is for: {state['problem']}")
                failed.append(scenario.name)
        finally:
            if proxy is not None:
                proxy.shutdown()
            stack.stop()
            if scenario.name == "disk-full":
                subprocess.run(["umount", str(media)], check=False)
    run("psql", "-q", admin, "-c", f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    log(
        f"\nfaults: {len(failed)} scenario(s) lost or duplicated something: {failed}"
        if failed
        else "\nfaults: all passed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
