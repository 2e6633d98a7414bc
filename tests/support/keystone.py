"""A real Keystone (Debian's python3-keystone) for the OpenStack tests, once per session (per
pytest-xdist worker) on a free loopback port: ``scripts/services/keystone.sh`` sets it up on
sqlite and starts ``keystone-wsgi-public``. Registered by ``tests/openstack_client/conftest.py``
only.

Each start is tried three times on fresh ports (``tests/support/servers.py``); a Keystone that
still cannot start fails each of its tests with the reason (CI never skips them). While the
package is not installed yet, one worker at a time runs the script (apt-get and the shared
``SERVICES_DIR``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.s3servers import ROOT, SERVICES_DIR
from tests.support.servers import exclusive, free_port, start_server

__all__ = ["KeystoneServer", "keystone_server"]


@dataclass(frozen=True)
class KeystoneServer:
    """A running Keystone: the bootstrap admin (user and project ``admin`` in domain
    ``Default``) and its password; the catalog lists ``identity`` in ``RegionOne`` (public
    ``http://127.0.0.1:PORT/v3``, internal ``http://localhost:PORT/v3``)."""

    port: int
    password: str = field(repr=False)
    username: str = "admin"
    project: str = "admin"
    domain: str = "Default"
    region: str = "RegionOne"

    @property
    def url(self) -> str:
        """The auth URL (without ``/v3``, as Libcloud's ``ex_force_auth_url``)."""
        return f"http://127.0.0.1:{self.port}"


def _script(port: int, *extra: str, password: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    if password:
        env["OMNICLOUD_KEYSTONE_PASSWORD"] = password
    command = ["bash", str(ROOT / "scripts/services/keystone.sh"), str(port), *extra]
    installed = shutil.which("keystone-wsgi-public") is not None
    lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not installed else nullcontext()
    with lock:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _stop(port: int) -> None:
    _script(port, "stop")
    shutil.rmtree(Path(SERVICES_DIR, f"keystone-{port}"), ignore_errors=True)


@pytest.fixture(scope="session")
def keystone_server() -> Iterator[KeystoneServer]:
    password = "pw-" + secrets.token_urlsafe(12)

    def start(attempt: int) -> KeystoneServer:
        port = free_port()
        done = _script(port, password=password)
        if done.returncode != 0:
            _stop(port)
            raise RuntimeError(f"keystone.sh failed: {done.stderr.strip()[-300:]}")
        return KeystoneServer(port, password)

    server = start_server("keystone", start)
    try:
        yield server
    finally:
        _stop(server.port)
