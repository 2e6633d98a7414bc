#!/usr/bin/env bash
# Create .venv (if needed) and install omnicloud with its development and simulator extras.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.omnicloud-installed
# pytest-xdist (in the dev extra) runs the suite on every core: reinstall if it is missing.
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! .venv/bin/python -c "import xdist" 2>/dev/null; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
    touch "$stamp"
fi
