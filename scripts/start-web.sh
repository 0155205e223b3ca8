#!/bin/sh
# The web service: the one definition of how it starts, used by docker-compose.yml (and the image's
# default command) and by the production-stack test (tests/ops). Migrates, then serves with gunicorn.
#   PORT (8000) or BIND (0.0.0.0:$PORT): where to listen; WEB_CONCURRENCY (3): gunicorn worker processes;
#   WEB_TIMEOUT (60): seconds before gunicorn restarts a stuck worker. Extra arguments go to gunicorn.
# The application writes one JSON line per request (qms/middleware.py): gunicorn's own access log would
# repeat it with the client's address and browser, so it is off; its error log goes to stderr.
set -eu
cd "$(dirname "$0")/.."

python manage.py migrate --noinput

export WEB_CONCURRENCY="${WEB_CONCURRENCY:-3}"
set -- --bind "${BIND:-0.0.0.0:${PORT:-8000}}" --timeout "${WEB_TIMEOUT:-60}" "$@"
# Heartbeat files in memory (Docker's /tmp may be a slow overlay), where there is /dev/shm.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  set -- --worker-tmp-dir /dev/shm "$@"
fi
exec gunicorn "$@" qms.wsgi:application
