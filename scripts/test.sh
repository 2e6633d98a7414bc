#!/usr/bin/env bash
# Set everything up and run every check: lint, format, strict typing, and the whole test suite
# (unit, real servers on 127.0.0.1, third-party clients against our simulators).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/services/system-packages.sh
# the libvirt driver's tests run libvirt's in-process test hypervisor (needs the headers above)
.venv/bin/python -c "import libvirt" 2>/dev/null \
    || .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[libvirt]"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
.venv/bin/mypy --strict src
# One pytest-xdist worker per core (OMNICLOUD_TEST_WORKERS=N to choose, 0 for none); each worker
# starts its own servers on free ports. loadscope keeps a module's or class's tests on one worker,
# so module-scoped fixtures (uploads, simulators) are built once.
.venv/bin/pytest -q -n "${OMNICLOUD_TEST_WORKERS:-auto}" --dist loadscope "$@"
