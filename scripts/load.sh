#!/usr/bin/env bash
# `make load`: the evening rush, then the morning rush, against gunicorn started as in production
# (regsosek.gunicorn_conf, DEBUG off) and a Celery worker, on a dedicated database of the private
# (or given) PostgreSQL and Redis; then checks that every family and photo is stored exactly once.
# Usage: make load [LOAD_PPL=1960] [LOAD_PML=490] [LOAD_KOSEKA=40] [LOAD_NEW_PHONES=200]
#                  [LOAD_MINUTES=10] [LOAD_RUSH_S=360] [LOAD_DB=regsosek_load]
# docs/reliability.md, "Load", has the figures of the last full run and how to read them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
LOAD_PPL=${LOAD_PPL:-1960}
LOAD_PML=${LOAD_PML:-490}
LOAD_KOSEKA=${LOAD_KOSEKA:-40}
LOAD_NEW_PHONES=${LOAD_NEW_PHONES:-200}
LOAD_MINUTES=${LOAD_MINUTES:-10}
export LOAD_RUSH_S=${LOAD_RUSH_S:-360}
LOAD_DB=${LOAD_DB:-regsosek_load}
[[ $LOAD_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "LOAD_DB must be a plain lower-case name" >&2; exit 2; }
OUT=.local/load
mkdir -p "$OUT"
rm -f "$OUT"/*.csv "$OUT"/*.json
export LOAD_DB
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
LOAD_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["LOAD_DB"]).geturl())')
PG_LOAD_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/" + os.environ["LOAD_DB"]).geturl())')
# Redis database 2: not make run's worker (0) nor the tests' (1).
REDIS_LOAD=$(python3 -c 'import os, urllib.parse as u; print(u.urlparse(os.environ["REDIS_URL"])._replace(path="/2").geturl())')
export DATABASE_URL=$LOAD_URL REDIS_URL=$REDIS_LOAD MEDIA_ROOT=$PWD/$OUT/media
unset DJANGO_DEBUG STATIC_PLAIN_STORAGE
rm -rf "$MEDIA_ROOT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_started_services
}
trap cleanup EXIT
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" -c "CREATE DATABASE $LOAD_DB"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py collectstatic --noinput -v 0 --ignore "*.test.js" --ignore "fake-server.js" --ignore "eval-cli.js" --ignore "js/*"
python manage.py generate_synthetic --families 500000 --no-families | tail -1
python manage.py load_prepare --plan "$OUT/plan.json" --ppl "$LOAD_PPL" --pml "$LOAD_PML" --koseka "$LOAD_KOSEKA" \
  --new-phones "$LOAD_NEW_PHONES"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Two gunicorn pools as docs/operations.md deploys them: the phones' API (/api/) and the pages, each
# with regsosek.gunicorn_conf, the pages and the Celery worker at a lower CPU priority (nice), so
# supervisors' pages and photo processing wait for the cores, not the phones' sync.
# LOAD_POOLS=1: one pool for everything, as before (for comparison).
API_PORT=$(free_port)
gunicorn regsosek.wsgi --config python:regsosek.gunicorn_conf --bind "127.0.0.1:$API_PORT" --access-logfile /dev/null \
  >"$OUT/web.log" 2>&1 &
web=$!; pids+=("$web")
trees=("api=$web")
if [ "${LOAD_POOLS:-2}" = 1 ]; then
  PAGES_PORT=$API_PORT
else
  PAGES_PORT=$(free_port)
  nice -n "${LOAD_PAGES_NICE:-5}" gunicorn regsosek.wsgi --config python:regsosek.gunicorn_conf \
    --bind "127.0.0.1:$PAGES_PORT" --access-logfile /dev/null >"$OUT/pages.log" 2>&1 &
  pages=$!; pids+=("$pages")
  trees+=("pages=$pages")
fi
nice -n "${LOAD_WORKER_NICE:-10}" celery -A regsosek worker --loglevel=WARNING --concurrency=2 \
  -Q celery,photos,ranking,exports >"$OUT/worker.log" 2>&1 &
worker=$!; pids+=("$worker")
trees+=("worker=$worker")
for port in $API_PORT $PAGES_PORT; do
  for _ in $(seq 150); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "a web server did not become healthy; see $OUT/*.log" >&2; exit 1; }
done
echo "gunicorn: $(python -c 'from regsosek import gunicorn_conf as g; print(g.workers, g.worker_class, "workers,", g.threads, "thread(s), timeout", getattr(g, "timeout", 30), "s")') a pool; pools: ${LOAD_POOLS:-2} (API on $API_PORT, pages on $PAGES_PORT)"
export LOAD_API_HOST="http://127.0.0.1:$API_PORT" LOAD_PAGES_HOST="http://127.0.0.1:$PAGES_PORT"

run_scenario() {  # name, users, spawn rate, run time
  local name=$1 users=$2 rate=$3 time=$4
  python scripts/load_sampler.py "$PG_LOAD_URL" "$LOAD_DB" "$OUT/$name-peaks.json" "${trees[@]}" &
  local sampler=$!
  LOAD_PLAN=$OUT/plan.json LOAD_RESULTS=$OUT/$name-results.json LOAD_SCENARIO=$name \
    locust -f tests/load/locustfile.py --headless -u "$users" -r "$rate" \
    --run-time "$time" --stop-timeout 120 --csv "$OUT/$name" --only-summary --loglevel WARNING \
    >"$OUT/$name-locust.log" 2>&1 || true
  kill -TERM "$sampler"; wait "$sampler" || true
  python scripts/load_report.py "$name" "$OUT/$name" "$OUT/$name-results.json" "$OUT/$name-peaks.json"
}

supervisors=$((LOAD_PML + LOAD_KOSEKA + 1))
echo "== evening rush: $LOAD_PPL PPL devices push their day over ${LOAD_RUSH_S}s, $supervisors supervisors' pages; ${LOAD_MINUTES} min"
run_scenario evening $((LOAD_PPL + supervisors)) $(((LOAD_PPL + supervisors + 59) / 60)) "${LOAD_MINUTES}m"
python manage.py load_check --plan "$OUT/plan.json" --results "$OUT/evening-results.json"
echo "== morning rush: $LOAD_PPL pulls with a cursor, and $LOAD_NEW_PHONES first pulls at the same moment"
run_scenario morning $((LOAD_PPL + LOAD_NEW_PHONES + supervisors)) 1000 3m
