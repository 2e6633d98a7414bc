#!/usr/bin/env bash
# A Docker registry (Debian's docker-registry: CNCF distribution 2.x) on 127.0.0.1:PORT, with
# HTTP Basic authentication from an htpasswd file.
#
# Usage: OMNICLOUD_REGISTRY_USER=u OMNICLOUD_REGISTRY_PASSWORD=p scripts/services/registry.sh PORT [stop]
#   Installs docker-registry and apache2-utils (htpasswd) if missing (apt-get, needs root), then
#   starts the registry with its storage, config and htpasswd file under
#   $OMNICLOUD_SERVICES_DIR/registry-PORT (default ~/.cache/omnicloud-services). The user is
#   $OMNICLOUD_REGISTRY_USER (default "omnicloud"), the password $OMNICLOUD_REGISTRY_PASSWORD
#   (default "omnicloud-registry-password"); it goes to htpasswd on its standard input, never on
#   a command line. Plain HTTP: a Docker daemon treats registries on 127.0.0.0/8 as insecure
#   ones it may reach without TLS. Idempotent: a registry already answering on PORT is kept.
#   Prints "ready" once GET /v2/ answers 401 (credentials wanted).
#   Stop with: scripts/services/registry.sh PORT stop (kills it, removes its folder).
set -euo pipefail
PORT="${1:?usage: registry.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
DIR="$BASE/registry-$PORT"
USER_NAME="${OMNICLOUD_REGISTRY_USER:-omnicloud}"
PASSWORD="${OMNICLOUD_REGISTRY_PASSWORD:-omnicloud-registry-password}"

if [ "${2:-}" = "stop" ]; then
    pidfile="$DIR/registry.pid"
    if [ -f "$pidfile" ]; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -rf "$DIR"
    exit 0
fi

answer() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/v2/" 2>/dev/null \
        || true
}
if [ "$(answer)" = "401" ]; then
    echo ready
    exit 0
fi

if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    packages=(docker-registry apache2-utils)
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${packages[@]}" \
        >/dev/null \
        || { apt-get update -q >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=600 \
            --no-install-recommends "${packages[@]}" >/dev/null; }
    # the package's own service is not wanted: the tests start registries on free ports
    if command -v systemctl >/dev/null 2>&1; then
        systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
fi

mkdir -p "$DIR/data"
chmod 700 "$DIR"
printf '%s' "$PASSWORD" | htpasswd -B -i -c "$DIR/htpasswd" "$USER_NAME" >/dev/null 2>&1
cat >"$DIR/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DIR/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
auth:
  htpasswd:
    realm: omnicloud-registry
    path: $DIR/htpasswd
EOF

if [ -f "$DIR/registry.pid" ] && kill -0 "$(cat "$DIR/registry.pid")" 2>/dev/null; then
    : # starting already
else
    nohup setsid docker-registry serve "$DIR/config.yml" >"$DIR/registry.log" 2>&1 &
    echo $! >"$DIR/registry.pid"
fi
for _ in $(seq 1 100); do
    if [ "$(answer)" = "401" ]; then
        echo ready
        exit 0
    fi
    sleep 0.1
done
echo "the registry did not start; log: $(tail -c 800 "$DIR/registry.log" 2>/dev/null)" >&2
exit 1
