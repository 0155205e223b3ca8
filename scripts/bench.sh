#!/usr/bin/env bash
# Runs the benchmarks against a throwaway PostgreSQL 15 and Redis (as the tests do), on a fresh
# database. Benchmarks measure and print; record their figures in docs/performance.md.
#
#   scripts/bench.sh                                   # every benchmark
#   scripts/bench.sh benchmark_register --risks 100000 # one, with its arguments
set -uo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/services.sh
source scripts/services.sh

start_postgres || { loud "PostgreSQL could not be started"; exit 1; }
PG_OK=1
start_redis && REDIS_OK=1 || loud "Redis could not be started: running without it"
export DEBUG=1 DEMO_MODE=0 QMS_VAR_DIR="$TMP/var"
$PY manage.py migrate --noinput -v 0 || exit 1

run() { say "manage.py $*"; $PY manage.py "$@"; }
if [ $# -gt 0 ]; then
  run "$@"
else
  run benchmark_register --risks 10000
  run benchmark_register --risks 100000 --seconds 10
  run benchmark_scoring --organisations 1000
  run benchmark_kpis
fi
