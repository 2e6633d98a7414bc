"""A real Docker daemon (Debian's docker.io) for the Docker tests, once per session (per
pytest-xdist worker): ``scripts/services/dockerd.sh`` installs it when missing and starts dockerd
on a unix socket of its own and on a free loopback port, with the image
``omnicloud-busybox:latest`` imported (no registry is reachable here).

Registered by ``tests/docker_driver/conftest.py`` and imported by
``tests/conformance/test_docker_container.py``; both share one daemon per process. Each start is
tried three times on fresh ports (``tests/support/servers.py``); a daemon that still cannot start
fails each of its tests with the reason (dockerd's log tail). While the package is not installed
yet, one worker at a time runs the script (apt-get and the shared ``SERVICES_DIR``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.s3servers import ROOT, SERVICES_DIR
from tests.support.servers import exclusive, free_port, start_server

__all__ = ["IMAGE", "DockerDaemon", "docker_daemon"]

#: The image every daemon started here has.
IMAGE = "omnicloud-busybox:latest"


@dataclass(frozen=True)
class DockerDaemon:
    """A running dockerd: its API on ``tcp://127.0.0.1:port`` and on the unix ``socket``."""

    port: int
    socket: str

    @property
    def tcp(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def unix(self) -> str:
        return f"unix://{self.socket}"


def _installed() -> bool:
    return (
        all(shutil.which(tool) for tool in ("dockerd", "containerd", "runc"))
        and Path("/bin/busybox").exists()
    )


def _script(port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    command = ["bash", str(ROOT / "scripts/services/dockerd.sh"), str(port), *extra]
    lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not _installed() else nullcontext()
    with lock:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _stop(port: int) -> None:
    _script(port, "stop")


def _start() -> DockerDaemon:
    def start(attempt: int) -> DockerDaemon:
        port = free_port()
        done = _script(port)
        if done.returncode != 0:
            _stop(port)
            raise RuntimeError(f"dockerd.sh failed: {done.stderr.strip()[-600:]}")
        lines = done.stdout.split()
        socket = lines[-1] if lines and lines[-1].endswith(".sock") else ""
        if not socket or not Path(socket).exists():
            _stop(port)
            raise RuntimeError(f"dockerd.sh named no socket: {done.stdout[-300:]!r}")
        return DockerDaemon(port, socket)

    return start_server("dockerd", start)


_LOCK = threading.Lock()
_RUNNING: list[DockerDaemon] = []
_USERS = [0]


def _acquire() -> DockerDaemon:
    """The process's one daemon (started by its first user)."""
    with _LOCK:
        if not _RUNNING:
            _RUNNING.append(_start())
        _USERS[0] += 1
        return _RUNNING[0]


def _release() -> None:
    """Stop the daemon when its last user is done."""
    with _LOCK:
        _USERS[0] -= 1
        if _USERS[0] == 0 and _RUNNING:
            _stop(_RUNNING.pop().port)


@pytest.fixture(scope="session")
def docker_daemon() -> Iterator[DockerDaemon]:
    daemon = _acquire()
    try:
        yield daemon
    finally:
        _release()
