#!/bin/sh
# The Celery worker: the one definition of how it starts, used by docker-compose.yml and by the
# production-stack test (tests/ops). WORKER_CONCURRENCY (2): processes; LOG_LEVEL (INFO).
# Extra arguments go to `celery worker` (e.g. --hostname, --queues).
set -eu
cd "$(dirname "$0")/.."

exec celery -A qms worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-2}" "$@"
