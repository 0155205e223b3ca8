# Shared by scripts/test.sh and scripts/bench.sh (sourced, not run): a throwaway PostgreSQL 15 and Redis
# for one run, as a non-root user, on loopback ports, in a temporary directory removed on exit.
# After sourcing: start_postgres && PG_OK=1 (exports DATABASE_URL), start_redis && REDIS_OK=1 (REDIS_URL).

PY=.venv/bin/python
TMP=$(mktemp -d /tmp/qms-test.XXXXXX)
chmod 755 "$TMP"
PG_OK=0
REDIS_OK=0
RUN_AS=()

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
loud() { printf '\n\033[1;31m!!! %s !!!\033[0m\n' "$*" >&2; }
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

cleanup() {
  if [ "$PG_OK" = 1 ]; then "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1; fi
  if [ -f "$TMP/redis.pid" ]; then kill "$(cat "$TMP/redis.pid")" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

find_pg_bin() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && dirname "$(readlink -f "$initdb")"
}

start_postgres() {
  PG_BIN=$(find_pg_bin) || return 1
  [ -n "$PG_BIN" ] || { echo "no PostgreSQL server binaries (initdb) found"; return 1; }
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: use the postgres user, creating one if the machine has none.
    id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres || return 1
    RUN_AS=(runuser -u postgres --)
    mkdir -p "$TMP/pg" && chown postgres "$TMP/pg"
  else
    mkdir -p "$TMP/pg"
  fi
  PG_PORT=$(free_port)
  "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$TMP/pg" -U qms --auth=trust -E UTF8 --no-locale >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log"; return 1; }
  # Durability is not needed for a throwaway test database: trade it for speed.
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $PG_PORT -k $TMP/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" \
    >/dev/null || { cat "$TMP/pg/server.log"; return 1; }
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U qms qms || return 1
  export DATABASE_URL="postgres://qms@127.0.0.1:$PG_PORT/qms"
}

start_redis() {
  local redis_server
  redis_server=$(command -v redis-server) || { echo "redis-server is not installed (apt-get install -y redis-server)"; return 1; }
  REDIS_PORT=$(free_port)
  "$redis_server" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log" || return 1
  for _ in $(seq 1 50); do
    $PY -c "import redis, sys; redis.Redis(port=$REDIS_PORT).ping()" 2>/dev/null && break
    sleep 0.1
  done
  $PY -c "import redis; redis.Redis(port=$REDIS_PORT).ping()" || { cat "$TMP/redis.log"; return 1; }
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

