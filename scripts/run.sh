#!/usr/bin/env bash
# `make run`: the local demo. Migrates, loads areas and demo data, starts web + worker.
# Ctrl-C stops the web server, the worker and the services this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
# Like production: no technical error pages (they show local variables, i.e. records). DJANGO_DEBUG=1
# turns them on for a developer. Plain http on loopback or the LAN, so cookies are not Secure-only.
export DJANGO_DEBUG=${DJANGO_DEBUG:-0}
export DJANGO_SECURE_COOKIES=${DJANGO_SECURE_COOKIES:-0}
export DEMO_PASSWORD=${DEMO_PASSWORD:-regsosek-demo-2022}
# seed_demo's opt-in: demo accounts with a known password, for this local demo only.
export REGSOSEK_DEMO=1
PORT=${PORT:-8000}

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_started_services
  echo "Stopped."
}
trap cleanup INT TERM EXIT

python manage.py migrate --noinput -v 0
python manage.py load_wilayah
python manage.py load_pmt_model
python manage.py collectstatic --noinput -v 0 --ignore "*.test.js" --ignore "fake-server.js" --ignore "eval-cli.js" --ignore "js/*"
echo "Demo accounts (synthetic data), password: $DEMO_PASSWORD"
python manage.py seed_demo
python manage.py rank_families  # a finished ranking run of the approved demo families (idempotent)
python manage.py make_fkp_forums --run latest  # FKP forums of that run, lists ready for pemkot.demo (idempotent)

if ! python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', $PORT))" 2>/dev/null; then
  echo "Port $PORT is busy; set PORT=... to use another." >&2; exit 1
fi
celery -A regsosek worker --beat --loglevel=INFO --concurrency=2 -Q celery,photos,ranking,exports >.local/worker.log 2>&1 &
pids+=($!)
# Processes, threads and access log as in the production image (regsosek/gunicorn_conf.py).
gunicorn regsosek.wsgi --config python:regsosek.gunicorn_conf --bind "127.0.0.1:$PORT" >.local/web.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.3
done
echo
echo "Regsosek is running at http://127.0.0.1:$PORT/  (admin: http://127.0.0.1:$PORT/admin/)"
echo "Enumerator app (PWA): http://127.0.0.1:$PORT/app/  (sign in as ppl00001)"
echo "Health: $(curl -sS "http://127.0.0.1:$PORT/healthz")"
echo "Logs: .local/web.log, .local/worker.log. Press Ctrl-C to stop."
wait -n "${pids[@]}"
