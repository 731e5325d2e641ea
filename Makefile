# Operations Canvas — the two commands: `make run` and `make test`.
# Also: make serve (production-like gunicorn), make load (load test), make bench.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
LOAD_SECONDS ?= 60

# A Python >= 3.12: the one .python-version selects (pyenv), else any found.
FIND_PYTHON = for p in python3 python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; exit 0; fi; \
	done; exit 1

.PHONY: help run serve test test-sqlite test-postgres check-migrations lint format venv deps \
	test-deps chromium migrate bench load load-sqlite load-postgres clean

help:
	@echo "make run    set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make serve  production-like: gunicorn ($(WORKERS) workers), DEBUG off, whitenoise, on http://$(HOST):$(PORT)"
	@echo "make test   set up .venv with test tools, lint, run the whole suite on SQLite, then on PostgreSQL"
	@echo "            (make test-sqlite / make test-postgres run one of the two; PYTEST_ARGS=... is passed on)"
	@echo "make lint   ruff format --check and ruff check"
	@echo "make load   load test (20 founders, $(LOAD_SECONDS) s) against gunicorn on SQLite, then on PostgreSQL"
	@echo "make bench  run every benchmark script and print one table"

$(PY):
	@py="$$($(FIND_PYTHON))" || { echo "error: Python 3.12 or newer is needed and none was found (tried python3, python3.13, python3.12, ~/.pyenv/versions/3.12+)." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$py ($$($$py --version))"; \
	"$$py" -m venv $(VENV) && $(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

# Install the dependencies listed in pyproject.toml (re-run when it changes).
$(STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["dependencies"]))' > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	@touch $@

$(STAMP)-test: $(STAMP) pyproject.toml
	@$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print("\n".join(p["optional-dependencies"]["test"]))' > $(VENV)/requirements-test.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements-test.txt
	@touch $@

deps: $(STAMP)
test-deps: $(STAMP)-test

# Debian's chromium for the browser tests (installed when missing and we are root).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "error: could not install chromium with apt-get" >&2; exit 1; }; \
	  else echo "error: chromium is missing; install Debian's chromium package (needs root)" >&2; exit 1; fi; \
	fi

migrate: deps
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Serving at http://$(HOST):$(PORT)  (Ctrl-C stops)"
	scripts/with-worker $(PY) manage.py runserver $(HOST):$(PORT)

lint: test-deps
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: test-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-migrations: deps
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "error: models changed without a migration" >&2; exit 1; }

# The whole suite runs twice: on SQLite (the embedded default), then on a throwaway
# PostgreSQL server that scripts/with-postgres starts on a loopback port and always
# stops. A PostgreSQL that cannot be installed or started fails the run.
test: test-deps chromium lint check-migrations
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: test-deps chromium
	@echo "== test suite on SQLite"
	env -u DATABASE_URL $(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: test-deps chromium
	@echo "== test suite on PostgreSQL"
	scripts/with-postgres $(PY) -m pytest -q $(PYTEST_ARGS)

# Production-like serving: gunicorn workers, DEBUG off, whitenoise, JSON request logs.
# Plain http on loopback, so SSL redirect and secure cookies are off by default here
# (set DJANGO_SSL_REDIRECT=true DJANGO_SECURE_COOKIES=true behind a TLS proxy).
serve: deps
	WORKERS=$(WORKERS) HOST=$(HOST) PORT=$(PORT) scripts/serve

# Load test: 20 simulated founders for LOAD_SECONDS against gunicorn, on SQLite then
# on PostgreSQL; fails on any error or lost acknowledged edit.
load: load-sqlite load-postgres

load-sqlite: test-deps
	env -u DATABASE_URL $(PY) bench/load_test.py --seconds $(LOAD_SECONDS)

load-postgres: test-deps
	scripts/with-postgres --durable $(PY) bench/load_test.py --seconds $(LOAD_SECONDS)

bench: test-deps
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
