#!/usr/bin/env bash
# Runs the benchmarks against a throwaway PostgreSQL 15 and Redis (as the tests do), on a fresh
# database, under the production settings (DEBUG off: the benchmark commands refuse DEBUG). Benchmarks
# measure and print; record their figures in docs/performance.md.
#
#   scripts/bench.sh                                         # every benchmark
#   scripts/bench.sh benchmark_register --risks 100000 --yes # one, with its arguments
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/services.sh
source scripts/services.sh

start_postgres || { loud "PostgreSQL could not be started"; exit 1; }
PG_OK=1
start_redis && REDIS_OK=1 || loud "Redis could not be started: running without it"
# Production settings, with only what a measurement on loopback needs relaxed (as qms.benchmark.Gunicorn
# does for its server): plain HTTP (no HTTPS redirect, no secure-only cookies, no HSTS) and a key of
# this run's own.
export DEBUG=0 DEMO_MODE=0 QMS_VAR_DIR="$TMP/var" STATIC_ROOT="$TMP/static" \
  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
  SECURE_HSTS_SECONDS=0
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
$PY manage.py migrate --noinput -v 0 || exit 1
# Hashed, compressed static files, as a deploy has them (the in-process KPI benchmark renders pages).
$PY manage.py collectstatic --noinput -v 0 || exit 1

run() { say "manage.py $*"; $PY manage.py "$@"; }
# The soak test (issue 16): the demo, then mixed traffic against gunicorn with the worker and beat
# (SOAK_SECONDS, default 600). scripts/bench.sh soak --seconds 60 runs it alone.
soak() {
  DEMO_MODE=1 $PY manage.py seed_demo --quiet-logins >/dev/null || return 1
  run soak --yes --seconds "${SOAK_SECONDS:-600}" "$@"
}
if [ "${1:-}" = soak ]; then
  shift
  soak "$@"
elif [ $# -gt 0 ]; then
  run "$@"
else
  run benchmark_register --risks 10000 --yes
  run benchmark_register --risks 100000 --seconds 10 --yes
  # Issue 11: a million incidents against 10,000 risks seeded in the same run (the ratios compare them).
  run benchmark_incidents --incidents 1000000 --yes
  # Issue 12: the CAPA overview at 100,000 non-conformities against 1,000, both seeded in the same run.
  run benchmark_capa --yes
  run benchmark_calendar
  run benchmark_scoring --organisations 1000 --yes
  run benchmark_kpis --yes
  # Issue 13: the maturity report over 10 years of 100 units x 9 principles x 3 assessors against 1 year.
  run benchmark_audits --yes
  # Issue 14: the management review pack and its PDF at 100,000 risks, 1,000,000 incidents and 100,000
  # non-conformities against an organisation 1/1000 the size, both seeded in the same run.
  run benchmark_reviews --yes
  soak
fi
