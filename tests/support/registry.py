"""A real Docker registry (Debian's docker-registry, CNCF distribution 2.x) with htpasswd
authentication on a free loopback port, for the Docker registry-auth tests: started once per
module by ``scripts/services/registry.sh`` (which installs the package when missing) and stopped
after it. The Docker daemon of these tests reaches it over plain HTTP (a daemon allows that for
registries on 127.0.0.0/8).

While the package is not installed yet, one worker at a time runs the script (apt-get and the
shared ``SERVICES_DIR``).
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

__all__ = ["Registry", "registry_server"]


@dataclass(frozen=True)
class Registry:
    """A running registry on ``127.0.0.1:port`` with one user."""

    port: int
    user: str
    password: str = field(repr=False)

    @property
    def host(self) -> str:
        """The registry as image references name it (``127.0.0.1:PORT``)."""
        return f"127.0.0.1:{self.port}"


def _script(port: int, *extra: str, user: str = "", password: str = "") -> str:
    env = {**os.environ, "OMNICLOUD_SERVICES_DIR": SERVICES_DIR}
    if user:
        env["OMNICLOUD_REGISTRY_USER"] = user
        env["OMNICLOUD_REGISTRY_PASSWORD"] = password
    command = ["bash", str(ROOT / "scripts/services/registry.sh"), str(port), *extra]
    installed = all(shutil.which(tool) for tool in ("docker-registry", "htpasswd"))
    lock = exclusive(Path(SERVICES_DIR, ".install.lock")) if not installed else nullcontext()
    with lock:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"registry.sh failed: {done.stderr.strip()[-600:]}")
    return done.stdout


def _start() -> Registry:
    user, password = "omni-user", "reg-" + secrets.token_urlsafe(16)

    def start(attempt: int) -> Registry:
        port = free_port()
        try:
            _script(port, user=user, password=password)
        except RuntimeError:
            _script(port, "stop")
            raise
        return Registry(port, user, password)

    return start_server("docker-registry", start)


@pytest.fixture(scope="module")
def registry_server() -> Iterator[Registry]:
    registry = _start()
    try:
        yield registry
    finally:
        _script(registry.port, "stop")
