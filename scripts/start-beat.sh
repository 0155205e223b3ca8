#!/bin/sh
# Celery beat, the scheduler (one per installation): the one definition of how it starts, used by
# docker-compose.yml and by the production-stack test (tests/ops). Its schedule file (when each job
# last ran) lives in QMS_VAR_DIR, which must survive a restart (the compose volume).
# Extra arguments go to `celery beat`.
set -eu
cd "$(dirname "$0")/.."

VAR_DIR="${QMS_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"
exec celery -A qms beat --loglevel "${LOG_LEVEL:-INFO}" --schedule "$VAR_DIR/celerybeat-schedule" "$@"
