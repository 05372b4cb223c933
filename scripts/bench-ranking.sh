#!/usr/bin/env bash
# `make bench-ranking`: a ranking run of N synthetic families against one raw SQL statement over the
# same rows, on a scratch database. Usage: make bench-ranking [FAMILIES=500000] [BENCH_DB=regsosek_bench_ranking]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-500000}
BENCH_DB=${BENCH_DB:-regsosek_bench_ranking}
[[ $BENCH_DB =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_DB must be a plain lower-case name" >&2; exit 2; }
export BENCH_DB
BENCH_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["BENCH_DB"]).geturl())')
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
bench_database_create "$ADMIN_URL" "$BENCH_DB"
export DATABASE_URL=$BENCH_URL STATIC_PLAIN_STORAGE=1
cleanup() {
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $BENCH_DB" || true
  stop_started_services
}
trap cleanup EXIT
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py load_pmt_model >/dev/null
echo "generating $FAMILIES synthetic families (not timed here; docs/performance.md, Foundation)"
python manage.py generate_synthetic --families "$FAMILIES" 2>/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%FT%TZ)"
python manage.py bench_ranking 2>/dev/null
