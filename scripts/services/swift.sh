#!/usr/bin/env bash
# A single-node OpenStack Swift with the s3api middleware on 127.0.0.1, from Debian's packages.
#
# Usage: scripts/services/swift.sh PORT
#   Installs the packages if missing (apt-get, needs root), writes a SAIO-style configuration under
#   $OMNICLOUD_SERVICES_DIR/swift-PORT (default ~/.cache/omnicloud-services), builds the rings once,
#   and starts memcached and the account/container/object/proxy servers in the background.
#   The proxy listens on PORT; the backends use PORT+1..PORT+3 and memcached PORT+4.
#   Idempotent: if the proxy already answers /healthcheck on PORT, it does nothing.
#   Prints "ready" once the proxy answers. Stop with: scripts/services/swift.sh PORT stop
# S3 credentials (tempauth): access key "test:tester", secret "testing", region us-east-1.
set -euo pipefail
PORT="${1:?usage: swift.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
DIR="$BASE/swift-$PORT"
ETC="$DIR/etc"
RUN="$DIR/run"

if [ "${2:-}" = "stop" ]; then
    for pidfile in "$RUN"/*.pid; do
        [ -f "$pidfile" ] || continue
        kill -- "-$(cat "$pidfile")" 2>/dev/null || kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    done
    exit 0
fi

healthy() { curl -fsS "http://127.0.0.1:$PORT/healthcheck" >/dev/null 2>&1; }
if healthy; then
    echo ready
    exit 0
fi

if ! command -v swift-proxy-server >/dev/null || ! command -v memcached >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends \
        swift swift-proxy swift-account swift-container swift-object memcached >/dev/null
fi

APORT=$((PORT + 1)); CPORT=$((PORT + 2)); OPORT=$((PORT + 3)); MPORT=$((PORT + 4))
mkdir -p "$ETC" "$RUN" "$DIR/srv/d1" "$DIR/log"

common() {  # $1 = port
    cat <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
bind_port = $1
workers = 1
user = $(id -un)
swift_dir = $ETC
devices = $DIR/srv
mount_check = false
log_level = WARNING
CONF
}

{ common "$APORT"; cat <<CONF
[pipeline:main]
pipeline = account-server
[app:account-server]
use = egg:swift#account
[account-replicator]
[account-auditor]
[account-reaper]
CONF
} >"$ETC/account-server.conf"

{ common "$CPORT"; cat <<CONF
[pipeline:main]
pipeline = container-server
[app:container-server]
use = egg:swift#container
[container-replicator]
[container-updater]
[container-auditor]
[container-sync]
CONF
} >"$ETC/container-server.conf"

{ common "$OPORT"; cat <<CONF
[pipeline:main]
pipeline = object-server
[app:object-server]
use = egg:swift#object
[object-replicator]
[object-updater]
[object-auditor]
CONF
} >"$ETC/object-server.conf"

{ common "$PORT"; cat <<CONF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl s3api tempauth copy slo dlo versioned_writes symlink proxy-logging proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
[filter:s3api]
use = egg:swift#s3api
location = us-east-1
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$MPORT
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:versioned_writes]
use = egg:swift#versioned_writes
[filter:symlink]
use = egg:swift#symlink
CONF
} >"$ETC/proxy-server.conf"

for ring in account:$APORT container:$CPORT object:$OPORT; do
    name=${ring%%:*}; port=${ring##*:}
    if [ ! -f "$ETC/$name.ring.gz" ]; then
        (cd "$ETC" && swift-ring-builder "$name.builder" create 10 1 1 >/dev/null \
            && swift-ring-builder "$name.builder" add "r1z1-127.0.0.1:$port/d1" 100 >/dev/null \
            && swift-ring-builder "$name.builder" rebalance >/dev/null)
    fi
done

start() {  # $1 = name, rest = command
    local name=$1; shift
    if [ -f "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then
        return
    fi
    nohup setsid "$@" >"$DIR/log/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
}
start memcached memcached -u "$(id -un)" -l 127.0.0.1 -p "$MPORT" -U 0
start account swift-account-server "$ETC/account-server.conf"
start container swift-container-server "$ETC/container-server.conf"
start object swift-object-server "$ETC/object-server.conf"
start proxy swift-proxy-server "$ETC/proxy-server.conf"

for _ in $(seq 1 150); do
    if healthy; then
        echo ready
        exit 0
    fi
    sleep 0.1
done
echo "swift did not start; logs in $DIR/log" >&2
exit 1
