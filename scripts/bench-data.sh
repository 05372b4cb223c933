#!/usr/bin/env bash
# One generated database for every benchmark: FAMILIES (default 500,000) synthetic families with
# the areas and the shipped PMT model, in the database BENCH_TEMPLATE (default regsosek_bench_data)
# of this checkout's cluster. The benchmarks copy it when run with the same BENCH_TEMPLATE
# (docs/performance.md, "One generated database"). Its identifiers are sealed with this
# checkout's .local keys, so a copy is only readable from here.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
FAMILIES=${FAMILIES:-500000}
BENCH_TEMPLATE=${BENCH_TEMPLATE:-regsosek_bench_data}
[[ $BENCH_TEMPLATE =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_TEMPLATE must be a plain lower-case name" >&2; exit 2; }
ADMIN_URL=$(python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(scheme="postgresql", path="/postgres").geturl())')
BENCH_URL=$(T=$BENCH_TEMPLATE python3 -c 'import os, urllib.parse as u; p=u.urlparse(os.environ["DATABASE_URL"]); print(p._replace(path="/" + os.environ["T"]).geturl())')
# Kept on purpose: the point is to generate once. Leave the services running for the benchmarks
# (`make services-stop` stops them).
psql -q "$ADMIN_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$BENCH_TEMPLATE'" | grep -q 1 \
  || psql -q "$ADMIN_URL" -c "CREATE DATABASE $BENCH_TEMPLATE"
export DATABASE_URL=$BENCH_URL STATIC_PLAIN_STORAGE=1 LOG_LEVEL=WARNING
python manage.py migrate -v0
python manage.py load_wilayah >/dev/null
python manage.py load_pmt_model >/dev/null
echo "generating up to $FAMILIES synthetic families into $BENCH_TEMPLATE (families already there are kept)"
python manage.py generate_synthetic --families "$FAMILIES" 2>/dev/null | tail -1
# psql takes postgresql:// only (DATABASE_URL may say postgis://).
psql -q "$(python3 -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1])._replace(scheme="postgresql").geturl())' "$BENCH_URL")" -c "VACUUM ANALYZE"
echo "ready: BENCH_TEMPLATE=$BENCH_TEMPLATE make bench-ranking (or bench-monitoring, bench-fkp, bench-exports)"
