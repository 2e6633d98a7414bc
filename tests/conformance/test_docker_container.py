"""The Docker container driver (sync and async) passes the container conformance suite on a real
Docker daemon (``tests/support/docker.py``), over its unix socket and over TCP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.container.drivers.docker import AsyncDockerContainerDriver, DockerContainerDriver
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.docker import IMAGE, DockerDaemon, docker_daemon

from ._twin import MODES, Subject, open_subject
from .container import ContainerCaps, TestContainerConformance

__all__ = ["TestContainerConformance", "docker_daemon"]

QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)
# Libcloud's defaults (a TTY, stdin open) keep busybox's shell running; stops are quick.
CAPS = ContainerCaps(
    image=lambda driver: driver.ex_get_image(IMAGE),
    deploy={"network_mode": "none"},
    missing_id="0" * 64,
)


@pytest.fixture(params=[(m, t) for m in MODES for t in ("unix", "tcp")], ids=lambda p: "-".join(p))
def container_driver(
    request: pytest.FixtureRequest, docker_daemon: DockerDaemon, portal: Any
) -> Iterator[Subject[ContainerCaps]]:
    mode, way = request.param
    endpoint = docker_daemon.unix if way == "unix" else docker_daemon.tcp

    def make(asynchronous: bool) -> Any:
        cls = AsyncDockerContainerDriver if asynchronous else DockerContainerDriver
        return cls(endpoint=endpoint, stop_timeout=1, http=HttpConfig(retry=QUICK))

    with open_subject(mode, make, CAPS, portal) as subject:
        yield subject
