#!/usr/bin/env bash
# Set everything up, install the peers (cs, Libcloud, boto3, aiohttp), run every benchmark and
# write docs/benchmarks.md (raw JSON in bench/results/). About 25 minutes on a 2-core machine.
#
#   ./scripts/bench.sh                    # everything, full sizes
#   ./scripts/bench.sh startup bench_compute   # only those modules (partial report)
#   ./scripts/bench.sh --quick            # tiny sizes, one repetition: checks that all runs
#                                         # (same as OMNICLOUD_BENCH_QUICK=1; numbers mean nothing)
#
# The storage benchmark starts moto, ministack (own venv, from PyPI) and Swift s3api (Debian
# packages, installed by scripts/services/swift.sh when missing) on free 127.0.0.1 ports.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--quick" ]; then
    export OMNICLOUD_BENCH_QUICK=1
    shift
fi
./scripts/setup.sh
# GNU time measures each child's own peak RSS (wait4's ru_maxrss inherits the parent's after fork)
if [ ! -x /usr/bin/time ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -q --no-install-recommends time >/dev/null \
        || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends time >/dev/null; } \
        || echo "GNU time could not be installed: peak RSS falls back to wait4" >&2
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
exec .venv/bin/python -m bench.run_all "$@"
