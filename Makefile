# The two commands of the README: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=1 DEMO_MODE=1

.PHONY: run test install install-dev messages translations migrate lint format e2e bench backup restore clean

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

## make messages: the catalogue brought up to date with the source by Django's makemessages (needs GNU
## gettext: apt-get install gettext); then translate what is empty or fuzzy in locale/nl/LC_MESSAGES/django.po.
## The .po file is the only copy of the Dutch; tests/qms/test_i18n.py runs the same command.
messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale nl --add-location file --no-obsolete \
		--ignore '.venv/*' --ignore 'tests/*' --ignore 'staticfiles/*' --ignore 'var/*'

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

## make bench: the benchmarks on a throwaway PostgreSQL under the production settings (DEBUG off; figures
## for docs/performance.md).
bench: install translations
	scripts/bench.sh

## make backup: the PostgreSQL database of DATABASE_URL (pg_dump, custom format) and the uploaded files
## into a timestamped file under var/backups (or BACKUP_DIR); prints its path. See docs/operations.md.
backup:
	scripts/backup.sh

## make restore FILE=var/backups/qms-<time>.dump: into the EMPTY database of DATABASE_URL only.
restore:
	scripts/restore.sh "$(FILE)"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .coverage htmlcov
