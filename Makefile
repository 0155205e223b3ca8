# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: run test install install-dev translations migrate lint format e2e bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled with Babel (pure Python), so no gettext tools are needed to run the application.
translations: install
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

## make run: the application with demo data on the embedded default (SQLite, no Redis) with a Celery
## worker and beat, at http://127.0.0.1:8000. Ctrl-C stops everything.
run: install translations migrate
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py rundev

## make test: the whole suite, against a real PostgreSQL 15 and Redis started for the run (see
## scripts/test.sh); falls back to SQLite, loudly, when they cannot be started.
test: install-dev translations
	scripts/test.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

e2e: install-dev translations
	scripts/test.sh -m e2e

## make bench: the benchmarks on a throwaway PostgreSQL (figures for docs/performance.md).
bench: install translations
	scripts/bench.sh

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .coverage htmlcov
