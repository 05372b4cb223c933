#!/usr/bin/env bash
# `make bench-exports`: analysts' exports on a dedicated database of synthetic families, against a
# plain COPY of the same columns measured in the same run (docs/performance.md, "Exports").
# Usage: make bench-exports [FAMILIES=500000] [BENCH_DB=regsosek_bench_exports] [KEEP_DB=1] [SKIP_XLSX_ALL=1]
# KEEP_DB=1 keeps the database (generating 500,000 families takes minutes): a second run with the
# same BENCH_DB and FAMILIES reuses it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-500000}
BENCH_DB=${BENCH_DB:-regsosek_bench_exports}
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
export BENCH_DB
BENCH_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["BENCH_DB"]).geturl())')
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
exists=$(psql -tAq "$ADMIN_URL" -c "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'")
[ -n "${KEEP_DB:-}" ] && [ "$exists" = 1 ] || bench_database_create "$ADMIN_URL" "$BENCH_DB"
export DATABASE_URL=$BENCH_URL STATIC_PLAIN_STORAGE=1 MEDIA_ROOT
MEDIA_ROOT=$(mktemp -d)
cleanup() {
  rm -rf "$MEDIA_ROOT"
  [ -n "${KEEP_DB:-}" ] || psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" || true
  stop_started_services
}
trap cleanup EXIT
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py generate_synthetic --families "$FAMILIES" 2>/dev/null | tail -1
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
# SKIP_XLSX_ALL=1: no XLSX of every family (half an hour at 500,000); the area XLSX and the CSV stay.
python manage.py bench_exports ${SKIP_XLSX_ALL:+--skip-xlsx-all} 2>/dev/null
