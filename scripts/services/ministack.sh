#!/usr/bin/env bash
# Install ministack (an AWS emulator) into its own virtualenv and start it on 127.0.0.1:PORT.
# Its own venv because ministack pins botocore exactly, which conflicts with boto3 in .venv.
# Usage: scripts/services/ministack.sh PORT   (prints "ready" when it answers; runs in background)
set -euo pipefail
PORT="${1:?usage: ministack.sh PORT}"
BASE="${OMNICLOUD_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/omnicloud-services}"
mkdir -p "$BASE"
VENV="$BASE/ministack-venv"
if [ ! -x "$VENV/bin/ministack" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "ministack==1.5.33"
fi
LOG="$BASE/ministack-$PORT.log"
BIND_HOST=127.0.0.1 GATEWAY_PORT="$PORT" nohup "$VENV/bin/ministack" >"$LOG" 2>&1 &
echo $! > "$BASE/ministack-$PORT.pid"
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/_localstack/health" >/dev/null 2>&1; then
        echo ready
        exit 0
    fi
    sleep 0.1
done
echo "ministack did not start; see $LOG" >&2
exit 1
