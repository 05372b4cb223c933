#!/usr/bin/env bash
# Project-private PostgreSQL+PostGIS and Redis under .local/ (git-ignored), on loopback only.
#   scripts/services.sh start   start whatever is not running; prints nothing else on success
#   scripts/services.sh stop    stop what runs from this checkout
#   scripts/services.sh env     print `export DATABASE_URL=... REDIS_URL=...` for the private services
# When DATABASE_URL or REDIS_URL is already set, that service is left alone.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL=$ROOT/.local
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_DIR=$LOCAL/pg
REDIS_DIR=$LOCAL/redis

free_port() {  # a free loopback port, preferring $1
  python3 - "$1" <<'PY'
import socket, sys
start = int(sys.argv[1])
for port in range(start, start + 200):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    sys.exit("no free port")
PY
}

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }

as_pg_owner() {
  # initdb and postgres refuse to run as root: run them as the `postgres` system user.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

make_traversable() {
  # The postgres user must reach .local/pg: give other users search (x) permission on the
  # ancestors that lack it (a fresh clone in a mode-700 temporary folder, for instance).
  [ "$(id -u)" -eq 0 ] || return 0
  local dir=$PG_DIR
  while [ "$dir" != "/" ]; do
    if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

# The server's log never holds a value of a family record (docs/operations.md, "PostgreSQL logging"):
# no failed statement's text, no bind parameters, no statement logging; the error message itself
# stays terse (no DETAIL quoting a key's values).
PG_PRIVATE_LOGGING="-c log_min_error_statement=panic -c log_error_verbosity=terse -c log_statement=none \
-c log_parameter_max_length=0 -c log_parameter_max_length_on_error=0 -c log_min_duration_statement=-1"

pg_running() { [ -f "$PG_DIR/data/postmaster.pid" ] && as_pg_owner "$PGBIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; }
# PONG, not the exit code: redis-cli exits 0 on an authentication error too, and another checkout's
# Redis may have taken this port since (its password is not ours).
redis_running() { [ -f "$REDIS_DIR/port" ] && [ "$(redis-cli -p "$(cat "$REDIS_DIR/port")" -a "$(cat "$REDIS_DIR/password")" --no-auth-warning ping 2>/dev/null)" = PONG ]; }

pg_start() {
  mkdir -p "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    secret > "$PG_DIR/password"
    free_port 54329 > "$PG_DIR/port"
    mkdir -p "$PG_DIR/data" "$PG_DIR/run"
    chmod 700 "$PG_DIR/data"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$PG_DIR"; fi
    make_traversable
    as_pg_owner "$PGBIN/initdb" -D "$PG_DIR/data" -U regsosek --pwfile="$PG_DIR/password" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log"
  fi
  make_traversable
  if ! pg_running; then
    local port; port=$(cat "$PG_DIR/port")
    if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
      port=$(free_port "$port"); echo "$port" > "$PG_DIR/port"
    fi
    as_pg_owner "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR/run -c fsync=${PG_FSYNC:-on} $PG_PRIVATE_LOGGING" >/dev/null
  fi
  local port; port=$(cat "$PG_DIR/port")
  if ! PGPASSWORD=$(cat "$PG_DIR/password") psql -h 127.0.0.1 -p "$port" -U regsosek -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'regsosek'" | grep -q 1; then
    PGPASSWORD=$(cat "$PG_DIR/password") psql -q -h 127.0.0.1 -p "$port" -U regsosek -d postgres -c "CREATE DATABASE regsosek"
  fi
}

redis_start() {
  mkdir -p "$REDIS_DIR"
  [ -f "$REDIS_DIR/password" ] || secret > "$REDIS_DIR/password"
  if ! redis_running; then
    free_port 63799 > "$REDIS_DIR/port"
    redis-server --port "$(cat "$REDIS_DIR/port")" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$REDIS_DIR" --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --requirepass "$(cat "$REDIS_DIR/password")"
    for _ in $(seq 50); do redis_running && break; sleep 0.1; done
    redis_running || { echo "Redis did not start; see $REDIS_DIR/redis.log" >&2; exit 1; }
  fi
}

cmd=${1:-}
case "$cmd" in
  start)
    [ -n "${DATABASE_URL:-}" ] || pg_start
    [ -n "${REDIS_URL:-}" ] || redis_start
    ;;
  stop)
    if [ -z "${DATABASE_URL:-}" ] && pg_running; then as_pg_owner "$PGBIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null; fi
    if [ -z "${REDIS_URL:-}" ] && redis_running; then
      redis-cli -p "$(cat "$REDIS_DIR/port")" -a "$(cat "$REDIS_DIR/password")" --no-auth-warning shutdown nosave >/dev/null 2>&1 || true
    fi
    ;;
  env)
    if [ -z "${DATABASE_URL:-}" ]; then
      echo "export DATABASE_URL=postgis://regsosek:$(cat "$PG_DIR/password")@127.0.0.1:$(cat "$PG_DIR/port")/regsosek"
    fi
    if [ -z "${REDIS_URL:-}" ]; then
      echo "export REDIS_URL=redis://:$(cat "$REDIS_DIR/password")@127.0.0.1:$(cat "$REDIS_DIR/port")/0"
    fi
    ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
