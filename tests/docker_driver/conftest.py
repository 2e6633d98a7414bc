"""The Docker tests' daemon (``tests/support/docker.py``, registered here), drivers in both modes
over its unix socket, containers removed after each test, and a stub Engine API for what a real
daemon here cannot show (pulls from a registry, other API versions)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from omnicloud.container import Container
from omnicloud.container.drivers.docker import AsyncDockerContainerDriver, DockerContainerDriver
from omnicloud.errors import NotFoundError
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.docker import IMAGE, DockerDaemon, docker_daemon
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen

__all__ = ["IMAGE", "PROGRESS", "QUICK", "docker_daemon", "engine", "fresh_name"]

QUICK = RetryPolicy(max_attempts=2, backoff=0.01, backoff_cap=0.05, total_seconds=5)


def fresh_name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def d(mode: str, portal: Portal, docker_daemon: DockerDaemon) -> Iterator[DockerContainerDriver]:
    driver = open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        endpoint=docker_daemon.unix,
        stop_timeout=1,
        http=HttpConfig(retry=QUICK),
    )
    yield driver
    close_in_mode(driver, portal)


@pytest.fixture
def made(d: DockerContainerDriver) -> Iterator[list[Container]]:
    """Containers a test made (append them): removed afterwards."""
    containers: list[Container] = []
    yield containers
    for container in containers:
        with contextlib.suppress(NotFoundError):
            d.destroy_container(container)


def engine(
    api_version: str = "1.41",
    routes: dict[tuple[str, str], Callable[[Seen], Reply]] | None = None,
) -> Callable[[Seen], Reply]:
    """A stub Engine API handler: ``GET /version`` answers ``api_version``; ``routes`` maps
    ``(method, path without the /v1.NN prefix)`` to a reply; anything else is a Docker 404."""
    table = dict(routes or {})

    def handle(seen: Seen) -> Reply:
        if seen.method == "GET" and seen.path == "/version":
            return Reply(200, {"ApiVersion": api_version, "MinAPIVersion": "1.12", "Version": "x"})
        path = seen.path
        if path.startswith("/v1."):
            path = "/" + path.split("/", 2)[2]
        handler = table.get((seen.method, path))
        if handler is None:
            return Reply(404, {"message": f"page not found: {seen.method} {path}"})
        return handler(seen)

    return handle


def json_lines(*items: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(item).encode() + b"\r\n" for item in items)


#: A pull's progress stream as Docker sends it (one JSON object per line).
PROGRESS = b"".join(
    json.dumps(item).encode() + b"\r\n"
    for item in (
        {"status": "Pulling from library/tomcat", "id": "8.0"},
        {"status": "Downloading", "id": "abc", "progressDetail": {"current": 1, "total": 2}},
        {"status": "Digest: sha256:00"},
        {"status": "Status: Downloaded newer image for tomcat:8.0"},
    )
)


def image_doc(tag: str, ident: str = "sha256:" + "ab" * 32) -> dict[str, Any]:
    return {"Id": ident, "RepoTags": [tag], "RepoDigests": [], "Created": 1700000000, "Size": 1}


def container_doc(ident: str, name: str, image: str, status: str) -> dict[str, Any]:
    return {
        "Id": ident,
        "Name": "/" + name,
        "Image": "sha256:" + "ab" * 32,
        "Config": {"Image": image, "Tty": True},
        "State": {"Status": status, "Running": status == "running"},
        "Created": "2026-12-06T02:00:00.123456789Z",
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}}},
    }
