# Sourced by scripts/run.sh and scripts/test.sh: starts the project-private services (unless
# DATABASE_URL / REDIS_URL are set) and exports the local configuration. Not for production.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$ROOT/.local/staticfiles"
STARTED_DB=0; STARTED_REDIS=0
[ -n "${DATABASE_URL:-}" ] || STARTED_DB=1
[ -n "${REDIS_URL:-}" ] || STARTED_REDIS=1
"$ROOT/scripts/services.sh" start
eval "$("$ROOT/scripts/services.sh" env)"
if [ -z "${DJANGO_SECRET_KEY:-}" ] && [ -z "${DJANGO_SECRET_KEY_FILE:-}" ]; then
  [ -f "$ROOT/.local/secret_key" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > "$ROOT/.local/secret_key"
  export DJANGO_SECRET_KEY_FILE="$ROOT/.local/secret_key"
fi
if [ -z "${FIELD_ENCRYPTION_KEYS:-}" ]; then
  [ -f "$ROOT/.local/field_keys" ] || python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > "$ROOT/.local/field_keys"
  FIELD_ENCRYPTION_KEYS=$(cat "$ROOT/.local/field_keys"); export FIELD_ENCRYPTION_KEYS
fi
if [ -z "${IDENTIFIER_HASH_KEY:-}" ]; then
  [ -f "$ROOT/.local/hash_key" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$ROOT/.local/hash_key"
  IDENTIFIER_HASH_KEY=$(cat "$ROOT/.local/hash_key"); export IDENTIFIER_HASH_KEY
fi
export MEDIA_ROOT=${MEDIA_ROOT:-$ROOT/.local/media}
# .venv/node/bin: Node.js 24 from the dev lock (scripts/node-links.sh), ahead of any system node.
export PATH="$ROOT/.venv/node/bin:$ROOT/.venv/bin:$PATH"

stop_started_services() {
  # services.sh leaves alone a service whose URL is set: unset the URLs of the services this
  # script started (it exported them above), keep a placeholder for those it found given.
  local args=()
  if [ "$STARTED_DB" = 1 ]; then args+=(-u DATABASE_URL); else args+=(DATABASE_URL=external); fi
  if [ "$STARTED_REDIS" = 1 ]; then args+=(-u REDIS_URL); else args+=(REDIS_URL=external); fi
  env "${args[@]}" "$ROOT/scripts/services.sh" stop || true
}

# bench_database_create ADMIN_URL NAME: an empty benchmark database, or, when BENCH_TEMPLATE names
# a database that `make bench-data` filled, a copy of it (PostgreSQL copies the files: a minute
# instead of the generation's quarter of an hour; docs/performance.md, "One generated database").
bench_database_create() {
  local admin=$1 name=$2 template=""
  if [ -n "${BENCH_TEMPLATE:-}" ]; then
    [[ $BENCH_TEMPLATE =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_TEMPLATE must be a plain lower-case name" >&2; return 2; }
    template=" TEMPLATE $BENCH_TEMPLATE"
  fi
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name$template"
}
