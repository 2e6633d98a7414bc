"""A real PowerDNS Authoritative Server (Debian's pdns-server on sqlite) for the PowerDNS tests,
once per session (per pytest-xdist worker) on free loopback ports: ``scripts/services/powerdns.sh``
installs it when missing and starts it with its HTTP API on PORT and DNS on PORT+1.

Registered by ``tests/powerdns/conftest.py`` and imported by
``tests/conformance/test_powerdns_dns.py``; both registrations share one server per process.
Each start is tried three times on fresh ports (``tests/support/servers.py``); a server that
still cannot start fails each of its tests with the reason (CI never skips them). While the
package is not installed yet, one worker at a time runs the script (apt-get and the shared
``SERVICES_DIR``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.s3servers import ROOT, SERVICES_DIR
from tests.support.servers import exclusive, free_port, start_server

__all__ = ["PowerDNSServer", "powerdns_server"]

_SCHEMA = Path("/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql")


@dataclass(frozen=True)
class PowerDNSServer:
    """A running PowerDNS: its API on ``127.0.0.1:port`` (server id ``localhost``), DNS on
    ``port + 1``, and the API key."""

    port: int
    key: str = field(repr=False)
    server_id: str = "localhost"

    @property
    def url(self) -> str:
        """The server's root URL (the API is under ``/api/v1``)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def dns_port(self) -> int:
        return self.port + 1


def _script(port: int, *extra: str, key: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    if key:
        env["OMNICLOUD_POWERDNS_KEY"] = key
    command = ["bash", str(ROOT / "scripts/services/powerdns.sh"), str(port), *extra]
    installed = shutil.which("pdns_server") is not None and _SCHEMA.exists()
    lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not installed else nullcontext()
    with lock:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _stop(port: int) -> None:
    _script(port, "stop")
    shutil.rmtree(Path(SERVICES_DIR, f"powerdns-{port}"), ignore_errors=True)


def _start() -> PowerDNSServer:
    key = "pdns-" + secrets.token_urlsafe(16)

    def start(attempt: int) -> PowerDNSServer:
        port = free_port(block=2)
        done = _script(port, key=key)
        if done.returncode != 0:
            _stop(port)
            raise RuntimeError(f"powerdns.sh failed: {done.stderr.strip()[-300:]}")
        return PowerDNSServer(port, key)

    return start_server("powerdns", start)


_LOCK = threading.Lock()
_RUNNING: list[PowerDNSServer] = []
_USERS = [0]


def _acquire() -> PowerDNSServer:
    """The process's one server (started by its first user)."""
    with _LOCK:
        if not _RUNNING:
            _RUNNING.append(_start())
        _USERS[0] += 1
        return _RUNNING[0]


def _release() -> None:
    """Stop the server when its last user is done."""
    with _LOCK:
        _USERS[0] -= 1
        if _USERS[0] == 0 and _RUNNING:
            _stop(_RUNNING.pop().port)


@pytest.fixture(scope="session")
def powerdns_server() -> Iterator[PowerDNSServer]:
    server = _acquire()
    try:
        yield server
    finally:
        _release()
