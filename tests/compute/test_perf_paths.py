"""The performance paths keep their behaviour: GC handling of listings, request gate, pool size."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from omnicloud._collect import collect, mapped
from omnicloud._flow import Emit
from omnicloud._gc import long_lived, long_lived_pages
from omnicloud.compute.drivers.cloudstack import (
    AsyncCloudStackNodeDriver,
    CloudStackNodeDriver,
)
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, SyncHttp


@pytest.fixture
def opted_in() -> Iterator[None]:
    with long_lived_pages():
        yield


def test_long_lived_does_nothing_unless_the_application_opts_in() -> None:
    gc.collect()
    freeze_count = gc.get_freeze_count()
    with long_lived():
        assert gc.isenabled()
        built = _Cell()
    assert _generation_of(built) == 0  # left to the collector as usual
    assert gc.get_freeze_count() == freeze_count


@pytest.mark.usefixtures("opted_in")
def test_long_lived_restores_the_collector() -> None:
    assert gc.isenabled()
    with long_lived():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with long_lived():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller's choice is kept
    finally:
        gc.enable()


class _Cell:
    """A tracked container: the collector sees it in exactly one generation."""

    def __init__(self) -> None:
        self.items: list[object] = []


def _generation_of(target: object) -> int | None:
    for generation in range(3):
        if any(obj is target for obj in gc.get_objects(generation)):
            return generation
    return None


@pytest.mark.usefixtures("opted_in")
def test_long_lived_moves_what_it_built_to_the_oldest_generation() -> None:
    gc.collect()
    with long_lived():
        built = _Cell()
        assert _generation_of(built) == 0
    assert _generation_of(built) == 2
    assert gc.get_freeze_count() == 0  # nothing stays frozen


@pytest.mark.usefixtures("opted_in")
def test_long_lived_leaves_a_programs_own_frozen_objects_frozen() -> None:
    gc.collect()
    kept = _Cell()
    gc.freeze()
    try:
        with long_lived():
            built = _Cell()
        assert gc.get_freeze_count() > 0
        assert _generation_of(built) == 0  # left to the collector as usual
        assert _generation_of(kept) is None  # still in the permanent generation
    finally:
        gc.unfreeze()


@pytest.mark.usefixtures("opted_in")
def test_long_lived_objects_in_cycles_are_still_collected() -> None:
    import weakref

    with long_lived():
        cell = _Cell()
        cell.items.append(cell)
    probe = weakref.ref(cell)
    del cell
    gc.collect()
    assert probe() is None


def _pages() -> Any:
    seen: list[bool] = []
    yield Emit([1, 2])
    seen.append(gc.isenabled())
    yield Emit([3])
    return seen


def test_collect_and_mapped_leave_the_collector_alone_by_default() -> None:
    states: list[bool] = []

    def convert(item: int) -> int:
        states.append(gc.isenabled())
        return item * 2

    flow = collect(_pages(), convert)
    try:
        next(flow)
    except StopIteration as stop:
        assert stop.value == [2, 4, 6]
    assert states == [True, True, True]
    assert [effect.items for effect in mapped(_pages(), convert)] == [[2, 4], [6]]
    assert states == [True] * 6


@pytest.mark.usefixtures("opted_in")
def test_collect_and_mapped_convert_with_the_collector_paused_when_opted_in() -> None:
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


class _Item:
    """A listed item that a weak reference can watch."""


def _page_then_check(freed: list[bool]) -> Any:
    items = [_Item(), _Item()]
    first = weakref.ref(items[0])
    yield Emit(items)
    del items
    freed.append(first() is None)  # the runner must not hold the page once the flow resumes


def test_runners_let_go_of_an_emitted_page_when_the_flow_resumes() -> None:
    sync_freed: list[bool] = []
    assert sum(1 for _ in SyncHttp().iterate(_page_then_check(sync_freed))) == 2
    async_freed: list[bool] = []

    async def drain() -> int:
        return sum([1 async for _ in AsyncHttp().iterate(_page_then_check(async_freed))])

    assert anyio.run(drain) == 2
    assert sync_freed == [True]
    assert async_freed == [True]
