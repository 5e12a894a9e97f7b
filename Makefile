# Worth Watching: `make run` serves the demo, `make test` runs the whole suite.
# Both build .venv from the pinned versions in requirements.lock on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
PIP := $(BIN)/python -m pip
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: help run dev test test-fast e2e lint format check-deploy migrate demo lock audit bench \
	clean backup restore load cluster bench-pages

help:
	@echo "make run    serve the demo at http://127.0.0.1:$(PORT)/ (SQLite, demo data)"
	@echo "make dev    the same with runserver's autoreload"
	@echo "make test   the whole test suite (DATABASE_URL picks the database)"
	@echo "make test-fast  the suite without the slow and browser tests, in 2 processes"
	@echo "make e2e    only the browser tests"
	@echo "make lint   ruff check, ruff format --check and the import contracts"
	@echo "make audit  Lighthouse on the running demo"
	@echo "make bench  the benchmark scripts, then every page under wrk (make bench-pages)"
	@echo "make cluster  nginx, two gunicorns, PostgreSQL, Redis and S3 on 127.0.0.1, checked"
	@echo "make backup / make restore BACKUP=file.tar [FORCE=1]  database and uploads (docs/operations.md)"
	@echo "make load   load and fault run against gunicorn (DATABASE_URL picks the database)"

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Stamps: reinstall only when the declared or pinned dependencies change.
# The dependency groups of pyproject.toml; the site itself is not installed.
$(VENV)/.run-installed: pyproject.toml requirements.lock | $(BIN)/python
	$(PIP) install --quiet -c requirements.lock --group demo
	@touch $@

$(VENV)/.dev-installed: pyproject.toml requirements.lock | $(BIN)/python
	$(PIP) install --quiet -c requirements.lock --group dev
	@touch $@ $(VENV)/.run-installed

migrate: $(VENV)/.run-installed
	$(MANAGE) migrate --noinput

# The curated demo films and their readers' reviews, then 17,000 real films
# (bokeh-sampledata, CC0). --new-only leaves the curated films untouched; a second run only
# checks (a few seconds) and writes nothing. --site-url: the admin address printed is the
# one served.
demo: migrate
	$(MANAGE) load_demo --site-url http://127.0.0.1:$(PORT)
	$(MANAGE) load_demo_reviews
	$(MANAGE) import_movies --from bokeh-sampledata --publish --new-only

# gunicorn and the background-task worker in one go (scripts/run_site.sh): Ctrl+C stops both.
run: demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  Worth Watching is at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo "  Editors: http://127.0.0.1:$(PORT)/admin/  username editor, password $${DEMO_EDITOR_PASSWORD:-watch-one-second}"
	@echo ""
	PORT=$(PORT) BIN=$(BIN) bash scripts/run_site.sh

dev: demo
	DJANGO_DEBUG=true $(MANAGE) runserver 127.0.0.1:$(PORT)

# Without /usr/bin/chromium the browser tests are skipped; pytest itself prints the one
# line saying so (tests/e2e/conftest.py), for `make test` and plain `pytest` alike.
# Two processes (pytest-xdist): every test, browser and concurrency ones included, passes so.
test: $(VENV)/.dev-installed
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# While working: everything but the tiers marked slow (subprocesses, concurrency, the demo,
# measurements over many rows) and e2e (browser). CI and `make test` run them all.
test-fast: $(VENV)/.dev-installed
	$(BIN)/pytest -n 2 -m "not slow and not e2e" $(PYTEST_ARGS)

e2e: $(VENV)/.dev-installed
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The production-like variables of docs/production.md.
check-deploy: $(VENV)/.dev-installed
	DJANGO_ENV=production \
	DJANGO_SECRET_KEY=ci-only-$$(printf 'x%.0s' $$(seq 1 60)) \
	DJANGO_ALLOWED_HOSTS=worthwatching.example \
	DJANGO_BEHIND_PROXY=true \
	DJANGO_CSRF_TRUSTED_ORIGINS=https://worthwatching.example \
	$(MANAGE) check --deploy --fail-level WARNING

# Lighthouse on the running demo (start `make run` first; PORT picks it). Installs the
# pinned npm package into .lighthouse/ on first use; uses Debian's Chromium.
LIGHTHOUSE_VERSION := 12.8.2
.lighthouse/node_modules/.bin/lighthouse:
	npm install --prefix .lighthouse --no-audit --no-fund --loglevel=error lighthouse@$(LIGHTHOUSE_VERSION)

audit: .lighthouse/node_modules/.bin/lighthouse | $(BIN)/python
	CHROME_PATH=/usr/bin/chromium $(BIN)/python scripts/lighthouse_audit.py http://127.0.0.1:$(PORT)

# Re-pin every dependency to the newest allowed version (commit the result).
lock:
	rm -rf /tmp/ww-lock && $(PYTHON) -m venv /tmp/ww-lock
	/tmp/ww-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/ww-lock/bin/python -m pip install --quiet --group dev
	/tmp/ww-lock/bin/python -m pip freeze > requirements.lock

# Import speed (SQLite, the real 17k-film file) and search latency (PostgreSQL at
# BENCH_DATABASE_URL); each prints its baseline, the ratio and the machine. Then every
# page under wrk against a bare view (benchmarks/pages.py; BENCH_ARGS="--films 100000
# --reviews 1000000 --duration 10", or --database-url for a seeded database), with
# Debian's wrk installed when missing. `make bench-pages` runs only that one.
bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/import_speed.py
	$(BIN)/python benchmarks/search_latency.py
	$(BIN)/python benchmarks/sitemap_speed.py
	$(BIN)/python benchmarks/score_refresh.py
	$(MAKE) bench-pages

bench-pages: $(VENV)/.dev-installed
	@command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python benchmarks/pages.py $(BENCH_ARGS)

# The database DATABASE_URL names and MEDIA_ROOT, in one .tar (docs/operations.md).
backup: $(VENV)/.run-installed
	$(BIN)/python scripts/backup.py backup $(BACKUP)

restore: $(VENV)/.run-installed
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=backups/<file>.tar [FORCE=1]"; exit 2; }
	$(BIN)/python scripts/backup.py restore $(BACKUP) $(if $(FORCE),--force)

# gunicorn under 50 accounts' reviews and readers, a worker killed and (on PostgreSQL)
# the database server restarted; prints the figures (docs/operations.md). LOAD_ARGS=--short
# is the CI version.
load: $(VENV)/.dev-installed
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Two gunicorn instances behind nginx sharing PostgreSQL (DATABASE_URL's server, a scratch
# database), Redis (CLUSTER_CACHE_URL, default db 3) and moto's S3; prints each check
# (docs/scaling.md). Installs Debian's nginx-light when nginx is missing.
cluster: $(VENV)/.dev-installed
	@command -v nginx >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }
	$(BIN)/python scripts/cluster.py $(CLUSTER_ARGS)
