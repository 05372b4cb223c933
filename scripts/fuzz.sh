#!/usr/bin/env bash
# `make fuzz`: the long API fuzz run (docs/reliability.md, "Fuzzing"): FUZZ_EXAMPLES generated
# requests per operation and persona (default 110: over 5,000 in all), as a PPL's device and a PML's
# session, against a throw-away test database with the fuzz's own users. Prints the tally.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/local-env.sh
trap stop_started_services EXIT
export STATIC_PLAIN_STORAGE=1
REDIS_URL=$(python3 -c 'import os, urllib.parse as u; print(u.urlparse(os.environ["REDIS_URL"])._replace(path="/1").geturl())')
export REDIS_URL
# A database name of its own (its test database is test_regsosek_fuzz): a long run can go on beside
# `make test` on the same private PostgreSQL.
DATABASE_URL=$(python3 -c 'import os, urllib.parse as u; print(u.urlparse(os.environ["DATABASE_URL"])._replace(path="/regsosek_fuzz").geturl())')
export DATABASE_URL
export FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-110}
python -m pytest tests/fuzz -q -p no:cacheprovider
