#!/usr/bin/env bash
# `make bench-review`: server time of the review desk (the queue for a BPS admin and a PML, a family
# page) at 500,000 synthetic families, beside one raw SQL statement returning the same rows
# (docs/performance.md, "Review desk").
# Usage: make bench-review [FAMILIES=500000] [GENERATE=50000] [ROUNDS=20] [BENCH_DB=regsosek_bench_review] [DROP=1]
#        [OWN_IDENTIFIERS=1]  (copies get their own NIK and No. KK, 1 family in 200 sharing them)
# The scratch database is kept for the next run (filling it takes minutes); DROP=1 drops it at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-500000}
GENERATE=${GENERATE:-50000}
ROUNDS=${ROUNDS:-20}
BENCH_DB=${BENCH_DB:-regsosek_bench_review}
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
export BENCH_DB
BENCH_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["BENCH_DB"]).geturl())')
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
psql -q "$ADMIN_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_DB'" | grep -q 1 \
  || bench_database_create "$ADMIN_URL" "$BENCH_DB"
cleanup() {
  [ -z "${DROP:-}" ] || psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" || true
  stop_started_services
}
trap cleanup EXIT
export DATABASE_URL=$BENCH_URL STATIC_PLAIN_STORAGE=1 LOG_LEVEL=WARNING
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(uname -sr)"
python manage.py bench_review --families "$FAMILIES" --generate "$GENERATE" --rounds "$ROUNDS" ${OWN_IDENTIFIERS:+--own-identifiers}
