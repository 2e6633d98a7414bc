"""Azurite's Blob service for the Azure tests, started once per session (per xdist worker).

``scripts/services/azurite.sh PORT`` installs Node.js/npm (apt-get) and azurite (npm, into the
shared ``SERVICES_DIR``) when missing and starts ``azurite-blob`` on 127.0.0.1:PORT. Each start is
tried three times on fresh ports (``tests/support/servers.py``); a server that still cannot start
fails each of its tests with the reason (CI never skips them). Installing is done by one worker at
a time. Register the fixture by importing it into a conftest (``tests/azure_blobs/conftest.py``)
or a test module.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import exclusive, free_port, start_server

ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = os.environ.get("OMNICLOUD_SERVICES_DIR") or str(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "omnicloud-services"
)
#: The emulator's well-known account and key, published by Microsoft.
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

__all__ = ["ACCOUNT", "KEY", "Azurite", "azurite_server"]


@dataclass(frozen=True)
class Azurite:
    """A running Azurite Blob service."""

    port: int
    account: str = ACCOUNT
    key: str = KEY

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def url(self) -> str:
        """The account's Blob service URL (path-style)."""
        return f"http://127.0.0.1:{self.port}/{self.account}"

    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={self.account};AccountKey={self.key};"
            f"BlobEndpoint={self.url};"
        )


def _script(port: int, *extra: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    command = ["bash", str(ROOT / "scripts/services/azurite.sh"), str(port), *extra]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def _stop(port: int) -> None:
    with contextlib.suppress(Exception):
        _script(port, "stop", timeout=60)


def _wait(server: Azurite, seconds: float = 30) -> None:
    """Wait until the service answers a request (401/403 without credentials is an answer)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(f"{server.url}?comp=list", timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class _Shared:
    """The server of this process, shared by every place the fixture is registered (a conftest
    and a test module each make their own session fixture of it), and how many use it."""

    server: Azurite | None = None
    users = 0


@pytest.fixture(scope="session")
def azurite_server() -> Iterator[Azurite]:
    """Azurite on a free loopback port, stopped (and its data removed) after its last user."""
    running = _Shared.server
    if running is None:
        running = _Shared.server = _start()
    _Shared.users += 1
    try:
        yield running
    finally:
        _Shared.users -= 1
        if _Shared.users == 0:
            _Shared.server = None
            _stop(running.port)


def _start() -> Azurite:
    def start(attempt: int) -> Azurite:
        port = free_port()
        installed = Path(SERVICES_DIR, "azurite", "node_modules", ".bin", "azurite-blob").exists()
        lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not installed else nullcontext()
        try:
            with lock:
                done = _script(port, timeout=600)
            if done.returncode != 0:
                raise RuntimeError(f"azurite.sh failed: {done.stderr.strip()[-300:]}")
            server = Azurite(port)
            _wait(server)
        except BaseException:
            _stop(port)
            raise
        return server

    return start_server("azurite", start)
