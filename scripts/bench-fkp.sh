#!/usr/bin/env bash
# `make bench-fkp`: the FKP documents over a ranking run of N synthetic families, on a scratch
# database (docs/performance.md, "FKP lists").
# Usage: make bench-fkp [FAMILIES=500000] [BENCH_DB=regsosek_bench_fkp] [BENCH_ARGS="--skip-pdf"]
#        make bench-fkp BENCH_ARGS="--synthetic [--forums 22] [--rows 744] [--part-rows 250|0]"
#          (only the kelurahan PDF, from made-up rows: no database of families is made)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
if [[ " ${BENCH_ARGS:-} " == *" --synthetic "* ]]; then
  trap stop_started_services EXIT
  echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%FT%TZ)"
  # shellcheck disable=SC2086  # BENCH_ARGS is a list of options
  python manage.py bench_fkp $BENCH_ARGS 2>/dev/null
  exit
fi
FAMILIES=${FAMILIES:-500000}
BENCH_DB=${BENCH_DB:-regsosek_bench_fkp}
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
echo "generating $FAMILIES synthetic families and ranking every one of them (not timed here)"
python manage.py generate_synthetic --families "$FAMILIES" 2>/dev/null
python manage.py shell -v 0 -c "from enumeration.models import Role, User; User.objects.get_or_create(username='bench.fkp', defaults={'role': Role.BPS_ADMIN, 'full_name': 'Benchmark FKP'})"
python manage.py rank_families --user bench.fkp --status approved --status submitted --status returned 2>/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(date -u +%FT%TZ)"
python manage.py bench_fkp ${BENCH_ARGS:-} 2>/dev/null
