#!/usr/bin/env bash
# Set everything up, install the peers (cs, Libcloud, boto3, aiohttp), run every benchmark and
# write docs/benchmarks.md. Pass benchmark names (startup, bench_sim, ...) to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
exec .venv/bin/python -m bench.run_all "$@"
