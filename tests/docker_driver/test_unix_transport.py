"""Async requests over the daemon's unix socket: aiohttp's unix connector under asyncio, httpx's
``uds`` transport under trio (and where aiohttp is too old), with the same answers."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from omnicloud.container.drivers.docker import AsyncDockerContainerDriver
from omnicloud.container.drivers.docker_transport import UnixSocketAsyncTransport
from omnicloud.http import HttpConfig
from tests.support.docker import DockerDaemon

from .conftest import IMAGE, QUICK


def _listing(daemon: DockerDaemon, backend: str) -> tuple[Any, ...]:
    async def go() -> tuple[Any, ...]:
        driver = AsyncDockerContainerDriver(endpoint=daemon.unix, http=HttpConfig(retry=QUICK))
        try:
            version = await driver.ex_version()
            images = sorted(image.path for image in await driver.list_images())
            containers = await driver.list_containers()
            transport = driver._http.config.async_transport
            assert isinstance(transport, UnixSocketAsyncTransport)
            return version["ApiVersion"], images, len(containers), transport.library
        finally:
            await driver.aclose()

    result: tuple[Any, ...] = anyio.run(go, backend=backend)
    return result


def test_aiohttp_under_asyncio_httpx_under_trio(docker_daemon: DockerDaemon) -> None:
    on_asyncio = _listing(docker_daemon, "asyncio")
    on_trio = _listing(docker_daemon, "trio")
    assert on_asyncio[-1] == "aiohttp" and on_trio[-1] == "httpx"
    assert IMAGE in on_asyncio[1]
    assert on_asyncio[:2] == on_trio[:2]


def test_httpx_when_aiohttp_lacks_middlewares(
    docker_daemon: DockerDaemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omnicloud.http import _aiohttp

    monkeypatch.setattr(_aiohttp, "_HAS_MIDDLEWARES", False)
    assert _listing(docker_daemon, "asyncio")[-1] == "httpx"


def test_a_test_double_is_kept() -> None:
    import httpx

    double = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    driver = AsyncDockerContainerDriver(
        endpoint="unix:///nowhere.sock", http=HttpConfig(async_transport=double)
    )
    assert driver._http.config.async_transport is double
