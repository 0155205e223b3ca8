#!/usr/bin/env bash
# make restore FILE=var/backups/qms-<time>.dump: a backup of scripts/backup.sh into the EMPTY database of
# DATABASE_URL (create it first: createdb, or a fresh compose volume), then its uploaded files (the
# -media.tar.gz beside it, if any) into an empty MEDIA_ROOT. Refuses a database that has tables.
# Afterwards run `manage.py migrate` (a backup of an older release is brought up to date) and start the stack.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "restore: $*" >&2; exit 1; }
pg_tool() {
  command -v "$1" 2>/dev/null && return
  local found
  found=$(ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && echo "$found" || fail "$1 not found (install postgresql-client, the server's version or newer)"
}

FILE=${1:-${FILE:-}}
[ -n "$FILE" ] || fail "which backup? make restore FILE=var/backups/qms-<time>.dump"
[ -f "$FILE" ] || fail "no such file: $FILE"
case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  *) fail "DATABASE_URL must point at the (empty) PostgreSQL database to restore into" ;;
esac

TABLES=$("$(pg_tool psql)" --dbname "$DATABASE_URL" --no-psqlrc -At -c \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')") \
  || fail "cannot connect to DATABASE_URL"
[ "$TABLES" = 0 ] || fail "the database is not empty ($TABLES tables): restore only into a new, empty database (nothing was changed)"

# One transaction: a restore that fails leaves the database empty, as it was.
"$(pg_tool pg_restore)" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$DATABASE_URL" "$FILE"
echo "restored $FILE"

MEDIA="${FILE%.dump}-media.tar.gz"
if [ -f "$MEDIA" ]; then
  MEDIA_ROOT=${MEDIA_ROOT:-${QMS_VAR_DIR:-var}/media}
  mkdir -p "$MEDIA_ROOT"
  [ -z "$(ls -A "$MEDIA_ROOT")" ] || fail "MEDIA_ROOT ($MEDIA_ROOT) is not empty: the uploaded files were not restored"
  tar -xzf "$MEDIA" -C "$MEDIA_ROOT"
  echo "restored $MEDIA into $MEDIA_ROOT"
fi
