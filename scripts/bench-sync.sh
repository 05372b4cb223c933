#!/usr/bin/env bash
# `make bench-sync`: push N synthetic families through gunicorn on a dedicated database and compare
# with COPY. Usage: make bench-sync [FAMILIES=50000] [CLIENTS=8] [WORKERS=<cores>] [BENCH_DB=regsosek_bench] [STAGES=1]
# [GEOTAGS=0]. Families carry geotags as phones send them (one per building, some buildings with two
# families); GEOTAGS=0 pushes them without.
# STAGES=1: no gunicorn; time each stage of the push in one process (bench_sync --stages).
# BENCH_DB names the scratch database (created, then dropped), so two checkouts sharing one
# PostgreSQL do not run over each other's benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-50000}
CLIENTS=${CLIENTS:-8}
# One gunicorn process per core: the push is CPU-bound, more processes only take turns (docs/performance.md).
WORKERS=${WORKERS:-$(nproc)}
BENCH_DB=${BENCH_DB:-regsosek_bench}
GEOTAG_ARGS=()
[ "${GEOTAGS:-1}" != 0 ] || GEOTAG_ARGS=(--no-geotags)
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export BENCH_DB
BENCH_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["BENCH_DB"]).geturl())')
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
bench_database_create "$ADMIN_URL" "$BENCH_DB"
export DATABASE_URL=$BENCH_URL STATIC_PLAIN_STORAGE=1
pid=
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" || true
  stop_started_services
}
trap cleanup EXIT
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py generate_synthetic --families "$FAMILIES" --no-families 2>/dev/null
if [ -n "${STAGES:-}" ]; then
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  python manage.py bench_sync --families "$FAMILIES" --stages "${GEOTAG_ARGS[@]}" 2>/dev/null
  exit 0
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "gunicorn: $WORKERS sync worker processes, one thread each"
gunicorn regsosek.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads 1 --log-level warning \
  --timeout 300 >.local/bench-web.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/api/v1/questionnaire/" >/dev/null 2>&1 && break; sleep 0.2; done
python manage.py bench_sync --url "http://127.0.0.1:$PORT" --families "$FAMILIES" --clients "$CLIENTS" \
  "${GEOTAG_ARGS[@]}" 2>/dev/null
