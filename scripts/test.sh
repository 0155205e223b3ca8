#!/usr/bin/env bash
# Runs the test suite against a real PostgreSQL 15 and a real Redis, started here for this run only:
# as a non-root user, on loopback ports, in a temporary directory that is removed afterwards.
#
# If either cannot be started, the suite still runs (on SQLite, without the tests that need them)
# after a loud warning, unless QMS_REQUIRE_SERVICES=1 (set by .ci/run): then it fails.
# Extra arguments go to pytest (e.g. scripts/test.sh -m e2e, scripts/test.sh tests/qms -x);
# QMS_SKIP_CHECKS=1 skips ruff and the Django checks, to run a few tests while working.
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/services.sh
source scripts/services.sh

say "Starting PostgreSQL and Redis for the tests"
if start_postgres; then PG_OK=1; echo "PostgreSQL on 127.0.0.1:$PG_PORT"; else loud "PostgreSQL could not be started: running on SQLite"; fi
if start_redis; then REDIS_OK=1; echo "Redis on 127.0.0.1:$REDIS_PORT"; else loud "Redis could not be started: tests that need it are skipped"; fi

if [ "${QMS_REQUIRE_SERVICES:-0}" = 1 ] && { [ "$PG_OK" = 0 ] || [ "$REDIS_OK" = 0 ]; }; then
  loud "QMS_REQUIRE_SERVICES=1 and PostgreSQL or Redis did not start: failing"
  exit 1
fi
export QMS_TEST_SERVICES="$PG_OK$REDIS_OK"

if [ "${QMS_SKIP_CHECKS:-0}" = 1 ]; then
  say "Checks skipped (QMS_SKIP_CHECKS=1): only for running a few tests while working"
else
  say "Checks: ruff, the import contracts, migrations, Django system checks"
  .venv/bin/ruff check . || exit 1
  .venv/bin/ruff format --check . || exit 1
  .venv/bin/lint-imports || { loud "An import breaks the dependency direction (pyproject.toml, docs/architecture.md)"; exit 1; }
  $PY manage.py makemigrations --check --dry-run --settings=tests.settings >/dev/null || { loud "Missing migrations (run makemigrations)"; exit 1; }
  $PY manage.py check --settings=tests.settings || exit 1
fi

say "Tests"
# In parallel, a test file per worker (module fixtures such as the browser and the demo stay in one
# process); QMS_TEST_WORKERS=0 runs in this process only.
$PY -m pytest -n "${QMS_TEST_WORKERS:-auto}" --dist loadfile --cov --cov-report=term:skip-covered "$@"
status=$?
if [ "$PG_OK" = 0 ] || [ "$REDIS_OK" = 0 ]; then
  loud "This run did NOT use PostgreSQL and Redis (see above): CI (.ci/run) would fail"
fi
exit $status
