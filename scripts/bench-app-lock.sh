#!/usr/bin/env bash
# `make bench-app-lock`: unlock and save times of the enumerator app in headless chromium with the
# CPU throttled (docs/performance.md). Usage: make bench-app-lock [FAMILIES=150] [ROUNDS=5] [RATES=1,4]
# [BENCH_DB=regsosek_bench_lock]. A scratch database (created, then dropped) and one gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-150}
ROUNDS=${ROUNDS:-5}
RATES=${RATES:-1,4}
BENCH_DB=${BENCH_DB:-regsosek_bench_lock}
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BENCH_DB
BENCH_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["BENCH_DB"]).geturl())')
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
bench_database_create "$ADMIN_URL" "$BENCH_DB"
STATIC_ROOT=$(mktemp -d)
export DATABASE_URL=$BENCH_URL STATIC_ROOT DJANGO_DEBUG=0 DJANGO_SECURE_COOKIES=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
pid=
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$STATIC_ROOT"
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" || true
  stop_started_services
}
trap cleanup EXIT
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py collectstatic --noinput -v0 --ignore "js/*"
mkdir -p .local
gunicorn regsosek.wsgi --bind "127.0.0.1:$PORT" --workers 1 --threads 4 --log-level warning >.local/bench-app-lock-web.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/app/" >/dev/null 2>&1 && break; sleep 0.2; done
python scripts/bench_app_lock.py --url "http://127.0.0.1:$PORT" --families "$FAMILIES" --rounds "$ROUNDS" --rates "$RATES"
