#!/usr/bin/env bash
# make backup: the database (pg_dump, custom format) and the uploaded files, if any, into a timestamped
# file under $BACKUP_DIR (default: $QMS_VAR_DIR/backups, i.e. var/backups). Prints the path(s) written.
#
#   DATABASE_URL=postgres://user:password@host:5432/qms scripts/backup.sh
#
# The dump is consistent on its own (one snapshot); restore it with scripts/restore.sh (make restore).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "backup: $*" >&2; exit 1; }
pg_tool() {
  command -v "$1" 2>/dev/null && return
  local found
  found=$(ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && echo "$found" || fail "$1 not found (install postgresql-client, the server's version or newer)"
}

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*) ;;
  *) fail "DATABASE_URL must point at the PostgreSQL database to back up (the embedded SQLite default is not backed up here: copy var/db.sqlite3)" ;;
esac
VAR_DIR=${QMS_VAR_DIR:-var}
BACKUP_DIR=${BACKUP_DIR:-$VAR_DIR/backups}
MEDIA_ROOT=${MEDIA_ROOT:-$VAR_DIR/media}
mkdir -p "$BACKUP_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
DUMP="$BACKUP_DIR/qms-$STAMP.dump"

# Written under a temporary name and renamed when complete: a file named *.dump is a whole backup.
"$(pg_tool pg_dump)" --format=custom --no-owner --dbname "$DATABASE_URL" --file "$DUMP.partial"
mv "$DUMP.partial" "$DUMP"
echo "$DUMP"
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  MEDIA="$BACKUP_DIR/qms-$STAMP-media.tar.gz"
  tar -czf "$MEDIA.partial" -C "$MEDIA_ROOT" .
  mv "$MEDIA.partial" "$MEDIA"
  echo "$MEDIA"
fi
