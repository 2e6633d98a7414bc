#!/usr/bin/env bash
# Set everything up and run every check: lint, format, strict typing, and the whole test suite
# (unit, real servers on 127.0.0.1, third-party clients against our simulators).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/services/system-packages.sh
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy --strict src
.venv/bin/pytest -q "$@"
