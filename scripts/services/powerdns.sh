#!/usr/bin/env bash
# A PowerDNS Authoritative Server with its HTTP API on 127.0.0.1, from Debian's packages.
#
# Usage: scripts/services/powerdns.sh PORT [stop]
#   Installs pdns-server and pdns-backend-sqlite3 if missing (apt-get, needs root), creates a
#   sqlite database from the schema the package ships and writes pdns.conf under
#   $OMNICLOUD_SERVICES_DIR/powerdns-PORT (default ~/.cache/omnicloud-services), then starts
#   pdns_server in the background. The API (webserver) listens on 127.0.0.1:PORT, DNS on
#   127.0.0.1:PORT+1 (UDP and TCP). The API key is $OMNICLOUD_POWERDNS_KEY (default
#   "omnicloud-powerdns-key"). Idempotent: if the API already answers on PORT, it does nothing.
#   Prints "ready" once the API answers. Stop with: scripts/services/powerdns.sh PORT stop
set -euo pipefail
PORT="${1:?usage: powerdns.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
DIR="$BASE/powerdns-$PORT"
RUN="$DIR/run"
KEY="${OMNICLOUD_POWERDNS_KEY:-omnicloud-powerdns-key}"

if [ "${2:-}" = "stop" ]; then
    pidfile="$RUN/pdns.pid"
    if [ -f "$pidfile" ]; then
        kill -- "-$(cat "$pidfile")" 2>/dev/null || kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    fi
    exit 0
fi

healthy() {
    curl -fsS -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/api/v1/servers/localhost" \
        >/dev/null 2>&1
}
if healthy; then
    echo ready
    exit 0
fi

if ! command -v pdns_server >/dev/null || ! command -v sqlite3 >/dev/null \
    || [ ! -f /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends \
        pdns-server pdns-backend-sqlite3 sqlite3 >/dev/null \
        || { apt-get update -q >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=600 \
            --no-install-recommends pdns-server pdns-backend-sqlite3 sqlite3 >/dev/null; }
    # the package's own service is not wanted: the tests start their servers on free ports
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now pdns >/dev/null 2>&1 || true; fi
fi

SCHEMA=""
for candidate in /usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql \
    /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql; do
    if [ -f "$candidate" ]; then SCHEMA="$candidate"; break; fi
done
if [ -z "$SCHEMA" ]; then
    echo "no schema.sqlite3.sql from pdns-backend-sqlite3 found" >&2
    exit 1
fi

mkdir -p "$RUN" "$DIR/log"
chmod 700 "$DIR"
DB="$DIR/pdns.sqlite3"
if [ ! -f "$DB" ]; then
    sqlite3 "$DB" <"$SCHEMA"
fi

umask 077
cat >"$DIR/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$DB
api=yes
api-key=$KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$PORT
webserver-allow-from=127.0.0.1
local-address=127.0.0.1
local-port=$((PORT + 1))
daemon=no
guardian=no
disable-syslog=yes
socket-dir=$RUN
setuid=
setgid=
loglevel=4
security-poll-suffix=
CONF

if ! { [ -f "$RUN/pdns.pid" ] && kill -0 "$(cat "$RUN/pdns.pid")" 2>/dev/null; }; then
    nohup setsid pdns_server --config-dir="$DIR" >"$DIR/log/pdns.log" 2>&1 &
    echo $! >"$RUN/pdns.pid"
fi

for _ in $(seq 1 150); do
    if healthy; then
        echo ready
        exit 0
    fi
    if ! kill -0 "$(cat "$RUN/pdns.pid")" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
echo "powerdns did not start; log: $(tail -c 600 "$DIR/log/pdns.log" 2>/dev/null)" >&2
exit 1
