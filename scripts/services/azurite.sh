#!/usr/bin/env bash
# Azurite's Blob service (Microsoft's Azure Storage emulator, npm package "azurite") on 127.0.0.1.
#
# Usage: scripts/services/azurite.sh PORT [stop]
#   Installs Node.js and npm with apt-get if missing (needs root), and azurite with npm into
#   $OMNICLOUD_SERVICES_DIR/azurite (default ~/.cache/omnicloud-services) if missing, then starts
#   azurite-blob on 127.0.0.1:PORT in the background with its data under
#   $OMNICLOUD_SERVICES_DIR/azurite-PORT. Idempotent: if something answers on PORT already (a
#   started Azurite), it does nothing. Prints "ready" once the port answers.
#   Stop (and remove the data) with: scripts/services/azurite.sh PORT stop
# Account: the emulator's well-known devstoreaccount1 and its published key; URLs are path-style,
# http://127.0.0.1:PORT/devstoreaccount1/<container>/<blob>.
set -euo pipefail
PORT="${1:?usage: azurite.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
PREFIX="$BASE/azurite"
DIR="$BASE/azurite-$PORT"
PIDFILE="$DIR/azurite.pid"
# 3.35.0 is the newest release that runs on Debian 12's Node 20 (3.36+ needs Node 22).
VERSION="${AZURITE_VERSION:-3.35.0}"

if [ "${2:-}" = "stop" ]; then
    if [ -f "$PIDFILE" ]; then
        kill -- "-$(cat "$PIDFILE")" 2>/dev/null || kill "$(cat "$PIDFILE")" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    exit 0
fi

answers() { curl -sS -o /dev/null "http://127.0.0.1:$PORT/devstoreaccount1?comp=list" 2>/dev/null; }
if answers; then
    echo ready
    exit 0
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi

if [ ! -x "$PREFIX/node_modules/.bin/azurite-blob" ]; then
    mkdir -p "$PREFIX"
    npm install --prefix "$PREFIX" --no-audit --no-fund --loglevel=error "azurite@$VERSION" >/dev/null
fi

mkdir -p "$DIR/data"
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    :  # started already, maybe still coming up
else
    nohup setsid "$PREFIX/node_modules/.bin/azurite-blob" \
        --blobHost 127.0.0.1 --blobPort "$PORT" --location "$DIR/data" \
        --skipApiVersionCheck --loose --disableTelemetry --silent \
        >"$DIR/azurite.log" 2>&1 &
    echo $! >"$PIDFILE"
fi

for _ in $(seq 1 300); do
    if answers; then
        echo ready
        exit 0
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
echo "azurite did not start on port $PORT; log in $DIR/azurite.log" >&2
exit 1
