#!/usr/bin/env bash
# `make test`: lint and type checks, then every suite against real PostGIS and Redis.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
trap stop_started_services EXIT
export STATIC_PLAIN_STORAGE=1
# Tests use Redis database 1, so a `make run` worker (database 0) on the same private Redis is not
# mistaken for theirs (Celery's broadcast channels are per database).
REDIS_URL=$(python3 -c 'import os, urllib.parse as u; print(u.urlparse(os.environ["REDIS_URL"])._replace(path="/1").geturl())')
export REDIS_URL

failed=()
step() {
  local name=$1; shift
  echo "==> $name"
  "$@"
  local code=$?
  if [ "$code" -ne 0 ]; then echo "!! $name failed (exit $code)"; failed+=("$name"); fi
}

pytest_suite() {
  # pytest exits 5 when it collected no test: that is a failure here, never a pass.
  python -m pytest "$@"
  local code=$?
  if [ "$code" -eq 5 ]; then echo "pytest collected no tests"; return 1; fi
  return "$code"
}

step "ruff" ruff check .
step "ruff format" ruff format --check .
step "mypy" mypy .
# The layers of docs/architecture.md (.importlinter) and the ORM-only-in-selectors rule.
step "import contracts" lint-imports --no-cache
step "lint rules" python scripts/lint_rules.py
step "migrations" python manage.py makemigrations --check --dry-run -v 1
step "django checks" python manage.py check --fail-level WARNING
step "eslint" npx --no-install eslint static/js
step "tsc" npx --no-install tsc --noEmit -p jsconfig.json
step "pytest" pytest_suite -m "not e2e" -q
# A glob, not a folder: since Node 21 a folder argument is taken as a file name.
step "node --test" node --test --test-concurrency=2 "static/js/**/*.test.js"
e2e_suite() {
  # A fresh database of its own: the browser tests drive the real web server and worker, which
  # cannot see pytest's throw-away test database (tests/e2e/conftest.py).
  local admin e2e
  admin=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
  e2e=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/regsosek_e2e").geturl())')
  PGOPTIONS="-c client_min_messages=warning" psql -q "$admin" -c "DROP DATABASE IF EXISTS regsosek_e2e WITH (FORCE)" \
    -c "CREATE DATABASE regsosek_e2e" || return 1
  DATABASE_URL=$e2e pytest_suite -m e2e tests/e2e -q
}
step "e2e (chromium)" e2e_suite

if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All suites passed."
