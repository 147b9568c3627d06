#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests and demos, from Debian's packages.
#
#   scripts/pg.sh install   install the `postgresql` package with apt, only when initdb is missing
#   scripts/pg.sh start     initdb (first time) + pg_ctl start on 127.0.0.1:$VEILLE_PG_PORT; prints the URL
#   scripts/pg.sh stop      stop the server and delete its data directory
#   scripts/pg.sh url       the SQLAlchemy URL of the store database
#   scripts/pg.sh status    exit 0 when the server runs
#
# The cluster lives in $VEILLE_PG_DIR (default /tmp/veille-pg-$PORT), listens on 127.0.0.1 only
# (and a Unix socket inside the data directory), trusts local connections and is tuned for
# speed, not durability (fsync off): it is for tests and demos, never for data you keep.
# initdb refuses to run as root, so as root everything runs as the `postgres` system user that
# the Debian package creates, in a data directory that user owns.
set -euo pipefail

PORT=${VEILLE_PG_PORT:-54329}
DIR=${VEILLE_PG_DIR:-/tmp/veille-pg-$PORT}
ROLE=veille
DB=veille

bindir() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then
        echo "$found"
    elif command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    else
        return 1
    fi
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

url() {
    echo "postgresql+psycopg://$ROLE@127.0.0.1:$PORT/$DB"
}

running() {
    local bin
    bin=$(bindir) || return 1
    [ -f "$DIR/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DIR" status >/dev/null 2>&1
}

install() {
    if bindir >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "pg.sh: PostgreSQL is not installed and installing it needs root: apt-get install postgresql" >&2
        return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends postgresql
}

start() {
    local bin
    if ! bin=$(bindir); then
        echo "pg.sh: no initdb found (run: scripts/pg.sh install)" >&2
        return 1
    fi
    if running; then
        url
        return 0
    fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
        rm -rf "$DIR"
        mkdir -p "$DIR"
        chmod 700 "$DIR"
        if [ "$(id -u)" = 0 ]; then
            chown postgres: "$DIR"
        fi
        # C collation: ids sort byte-wise, exactly as SQLite sorts them.
        as_owner "$bin/initdb" -D "$DIR" -U "$ROLE" --auth=trust --encoding=UTF8 --no-locale >"$DIR.initdb.log" 2>&1 \
            || { cat "$DIR.initdb.log" >&2; return 1; }
        rm -f "$DIR.initdb.log"
    fi
    as_owner "$bin/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null || { tail -n 20 "$DIR/server.log" >&2 || true; return 1; }
    if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$PORT" -U "$ROLE" "$DB"
    fi
    url
}

stop() {
    local bin
    if bin=$(bindir) && running; then
        as_owner "$bin/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null
    fi
    rm -rf "$DIR"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    url) url ;;
    status) running ;;
    *) echo "usage: $0 install|start|stop|url|status" >&2; exit 2 ;;
esac
