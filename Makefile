# Operations Canvas — the two commands: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# A Python >= 3.12: the one .python-version selects (pyenv), else any found.
FIND_PYTHON = for p in python3 python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$p; exit 0; fi; \
	done; exit 1

.PHONY: help run serve test lint format venv deps test-deps chromium migrate bench clean

help:
	@echo "make run    set up .venv, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   set up .venv with test tools, lint, run the whole suite"
	@echo "make lint   ruff format --check and ruff check"
	@echo "make bench  run the benchmark scripts"

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
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: test-deps
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: test-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: test-deps chromium lint
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || { echo "error: models changed without a migration" >&2; exit 1; }
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: deps
	@for script in bench/bench_*.py; do $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
