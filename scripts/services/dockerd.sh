#!/usr/bin/env bash
# A Docker daemon (Debian's docker.io) on a unix socket and on 127.0.0.1:PORT, with a busybox image.
#
# Usage: scripts/services/dockerd.sh PORT [stop]
#   Installs docker.io and busybox-static if missing (apt-get, needs root), then starts dockerd
#   with its state under $OMNICLOUD_SERVICES_DIR/dockerd-PORT (default ~/.cache/omnicloud-services):
#   the socket is dockerd-PORT/docker.sock, the API also listens on tcp://127.0.0.1:PORT, no
#   iptables rules and no bridge network are made (containers run with networking "none" or the
#   host's). No registry is reachable, so the image omnicloud-busybox:latest is imported from a
#   root file system of /bin/busybox and its sh, echo, sleep, cat links (docker import).
#   Idempotent: a daemon already answering /_ping on PORT is kept. Prints "ready" (and the socket
#   path on the next line) once the daemon answers and the image is there.
#   Stop with: scripts/services/dockerd.sh PORT stop (kills the daemon, removes its folder).
set -euo pipefail
PORT="${1:?usage: dockerd.sh PORT [stop]}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
DIR="$BASE/dockerd-$PORT"
SOCK="$DIR/docker.sock"
IMAGE="omnicloud-busybox:latest"

stop_daemon() {
    local pidfile="$DIR/docker.pid" pid
    if [ -f "$pidfile" ]; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    # containers' mounts under the data root must go before the folder can
    if [ -d "$DIR" ]; then
        { grep -o " $DIR/[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r \
            | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
        rm -rf "$DIR" 2>/dev/null || true
    fi
}

if [ "${2:-}" = "stop" ]; then
    stop_daemon
    exit 0
fi

ping_ok() {
    curl -fsS --max-time 2 "http://127.0.0.1:$PORT/_ping" >/dev/null 2>&1
}
image_ok() {
    curl -fsS --max-time 5 "http://127.0.0.1:$PORT/images/$IMAGE/json" >/dev/null 2>&1
}
if ping_ok && image_ok; then
    echo ready
    echo "$SOCK"
    exit 0
fi

if ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null \
    || ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
    export DEBIAN_FRONTEND=noninteractive
    packages=(docker.io busybox-static)
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${packages[@]}" \
        >/dev/null \
        || { apt-get update -q >/dev/null && apt-get install -y -q -o DPkg::Lock::Timeout=600 \
            --no-install-recommends "${packages[@]}" >/dev/null; }
fi

mkdir -p "$DIR"
chmod 700 "$DIR"
if ! ping_ok; then
    if [ -f "$DIR/docker.pid" ] && kill -0 "$(cat "$DIR/docker.pid")" 2>/dev/null; then
        : # starting already
    else
        rm -f "$DIR/docker.pid" "$SOCK"
        nohup setsid dockerd \
            --host "unix://$SOCK" --host "tcp://127.0.0.1:$PORT" \
            --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
            --iptables=false --ip6tables=false --bridge=none \
            >"$DIR/dockerd.log" 2>&1 &
    fi
    for _ in $(seq 1 300); do
        if ping_ok; then break; fi
        sleep 0.1
    done
    if ! ping_ok; then
        echo "dockerd did not start; log: $(tail -c 800 "$DIR/dockerd.log" 2>/dev/null)" >&2
        exit 1
    fi
fi

if ! image_ok; then
    ROOTFS="$DIR/rootfs"
    rm -rf "$ROOTFS"
    mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp"
    cp /bin/busybox "$ROOTFS/bin/busybox"
    for tool in sh echo sleep cat; do ln -sf busybox "$ROOTFS/bin/$tool"; done
    tar -C "$ROOTFS" -cf "$DIR/rootfs.tar" .
    # the API's import (POST /images/create?fromSrc=-), as docker import does it
    curl -fsS --max-time 60 -X POST -H "Content-Type: application/x-tar" \
        --data-binary "@$DIR/rootfs.tar" \
        "http://127.0.0.1:$PORT/images/create?fromSrc=-&repo=omnicloud-busybox&tag=latest&changes=CMD%20%5B%22%2Fbin%2Fsh%22%5D" \
        >"$DIR/import.log" 2>&1 || true
    rm -rf "$ROOTFS" "$DIR/rootfs.tar"
    if ! image_ok; then
        echo "importing $IMAGE failed: $(tail -c 400 "$DIR/import.log" 2>/dev/null)" >&2
        exit 1
    fi
fi
echo ready
echo "$SOCK"
