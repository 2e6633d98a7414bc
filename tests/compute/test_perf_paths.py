"""The performance paths keep their behaviour: GC pause around mapping, request gate, pool size."""

from __future__ import annotations

import gc
from typing import Any

import anyio
import httpx

from omnicloud._flow import Emit, gc_paused
from omnicloud.compute._collect import collect, mapped
from omnicloud.compute.drivers.cloudstack import (
    AsyncCloudStackNodeDriver,
    CloudStackNodeDriver,
)
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest
from omnicloud.http._transport import _no_sniffio


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


def _pages() -> Any:
    seen: list[bool] = []
    yield Emit([1, 2])
    seen.append(gc.isenabled())
    yield Emit([3])
    return seen


def test_collect_and_mapped_convert_with_the_collector_paused() -> None:
    states: list[bool] = []

    def convert(item: int) -> int:
        states.append(gc.isenabled())
        return item * 2

    flow = collect(_pages(), convert)
    try:
        next(flow)
    except StopIteration as stop:
        assert stop.value == [2, 4, 6]
    assert states == [False, False, False]
    assert gc.isenabled()
    assert [effect.items for effect in mapped(_pages(), convert)] == [[2, 4], [6]]


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.active = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.active += 1
        self.peak = max(self.peak, self.active)
        await anyio.sleep(0.01)
        self.active -= 1
        return httpx.Response(200, content=b"{}", headers={"content-type": "application/json"})


def test_async_runner_hands_httpx_at_most_max_connections_requests() -> None:
    transport = CountingTransport()
    config = HttpConfig(max_connections=3)
    config.async_transport = transport
    http = AsyncHttp(config)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(http.send, HttpRequest("GET", "http://sim/x"))
        await http.aclose()

    anyio.run(main)
    assert transport.peak == 3


def test_cloudstack_driver_pool_defaults_to_sixteen_connections() -> None:
    for cls in (CloudStackNodeDriver, AsyncCloudStackNodeDriver):
        driver: Any = cls("key", "secret", url="http://sim/client/api")
        assert driver._http.config.max_connections == 16
        wide: Any = cls("key", "secret", url="http://sim/client/api", concurrency=40)
        assert wide._http.config.max_connections == 40


def test_missing_sniffio_is_remembered() -> None:
    import importlib.util
    import sys

    _no_sniffio()
    if importlib.util.find_spec("sniffio") is None or sys.modules.get("sniffio") is None:
        assert "sniffio" in sys.modules
