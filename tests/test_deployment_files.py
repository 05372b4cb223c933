"""The deployment files agree with the code (no Docker engine runs here to try them)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_defines_the_stack_with_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"web", "worker", "beat", "db", "redis"}
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media"}
    assert compose["services"]["db"]["image"].startswith("postgis/postgis:15")
    assert "worker" in compose["services"]["worker"]["command"]
    assert "beat" in compose["services"]["beat"]["command"]


def test_every_setting_read_from_the_environment_is_documented():
    settings_text = (ROOT / "regsosek" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|float|list|secret)\(\s*"([A-Z_]+)"', settings_text))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.MULTILINE))
    assert read - documented == set()


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
