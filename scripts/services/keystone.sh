#!/usr/bin/env bash
# A single-node OpenStack Keystone (identity) on 127.0.0.1, from Debian's python3-keystone.
#
# Usage: scripts/services/keystone.sh PORT [stop]
#   Installs python3-keystone if missing (apt-get, needs root), writes keystone.conf with a sqlite
#   database and fernet/credential key repositories under
#   $OMNICLOUD_SERVICES_DIR/keystone-PORT (default ~/.cache/omnicloud-services), runs db_sync,
#   fernet_setup, credential_setup and bootstrap (user "admin", project "admin", domain
#   "Default", region "RegionOne"; public endpoint http://127.0.0.1:PORT/v3, internal
#   http://localhost:PORT/v3), then starts keystone-wsgi-public on PORT in the background.
#   The admin password is $OMNICLOUD_KEYSTONE_PASSWORD (default "omnicloud-keystone-admin").
#   Idempotent: if Keystone already answers /v3 on PORT, it does nothing.
#   Prints "ready" once Keystone answers. Stop with: scripts/services/keystone.sh PORT stop
set -euo pipefail
PORT="${1:?usage: keystone.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
DIR="$BASE/keystone-$PORT"
CONF="$DIR/keystone.conf"
RUN="$DIR/run"

if [ "${2:-}" = "stop" ]; then
    pidfile="$RUN/keystone.pid"
    if [ -f "$pidfile" ]; then
        kill -- "-$(cat "$pidfile")" 2>/dev/null || kill "$(cat "$pidfile")" 2>/dev/null || true
        rm -f "$pidfile"
    fi
    exit 0
fi

healthy() { curl -fsS "http://127.0.0.1:$PORT/v3" >/dev/null 2>&1; }
if healthy; then
    echo ready
    exit 0
fi

if ! command -v keystone-wsgi-public >/dev/null || ! command -v keystone-manage >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends \
        python3-keystone >/dev/null
fi

PASSWORD="${OMNICLOUD_KEYSTONE_PASSWORD:-omnicloud-keystone-admin}"
USER_NAME="$(id -un)"
GROUP_NAME="$(id -gn)"
mkdir -p "$DIR/fernet-keys" "$DIR/credential-keys" "$DIR/log" "$RUN"
chmod 700 "$DIR"

cat >"$CONF" <<CONF
[DEFAULT]
use_stderr = true
debug = false
[database]
connection = sqlite:///$DIR/keystone.db
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $DIR/fernet-keys
[fernet_receipts]
key_repository = $DIR/fernet-keys
[credential]
key_repository = $DIR/credential-keys
[cache]
enabled = false
CONF

manage() { keystone-manage --config-file "$CONF" "$@" >>"$DIR/log/manage.log" 2>&1; }
if [ ! -f "$DIR/keystone.db" ]; then
    manage db_sync
    manage fernet_setup --keystone-user "$USER_NAME" --keystone-group "$GROUP_NAME"
    manage credential_setup --keystone-user "$USER_NAME" --keystone-group "$GROUP_NAME"
    manage bootstrap \
        --bootstrap-password "$PASSWORD" \
        --bootstrap-username admin \
        --bootstrap-project-name admin \
        --bootstrap-role-name admin \
        --bootstrap-service-name keystone \
        --bootstrap-region-id RegionOne \
        --bootstrap-admin-url "http://127.0.0.1:$PORT/v3" \
        --bootstrap-internal-url "http://localhost:$PORT/v3" \
        --bootstrap-public-url "http://127.0.0.1:$PORT/v3"
    # WAL: a reader left open by one request must not make another request's commit fail with
    # "database is locked" (catalog writes do that in the default rollback-journal mode)
    python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
        "$DIR/keystone.db"
fi
chmod 700 "$DIR/fernet-keys" "$DIR/credential-keys"

if ! { [ -f "$RUN/keystone.pid" ] && kill -0 "$(cat "$RUN/keystone.pid")" 2>/dev/null; }; then
    OS_KEYSTONE_CONFIG_FILES="$CONF" nohup setsid \
        keystone-wsgi-public --host 127.0.0.1 --port "$PORT" >"$DIR/log/keystone.log" 2>&1 &
    echo $! >"$RUN/keystone.pid"
fi

for _ in $(seq 1 300); do
    if healthy; then
        echo ready
        exit 0
    fi
    sleep 0.1
done
echo "keystone did not start; logs in $DIR/log" >&2
exit 1
