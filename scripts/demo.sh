#!/usr/bin/env bash
# Set everything up and run the main job on the embedded default (built-in simulator, no account).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/omnicloud demo "$@"
