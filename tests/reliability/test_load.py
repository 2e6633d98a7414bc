"""Load: many concurrent calls through one async client; memory stays flat."""

from __future__ import annotations

import gc
import logging
import tracemalloc

import anyio

from omnicloud.cloudstack import AsyncCloudStack
from omnicloud.http._aiohttp import AiohttpTransport
from tests.integration.conftest import LiveSim
from tests.reliability._ledger import LEDGER


def test_thousand_concurrent_lists_one_client(live_sim: LiveSim) -> None:
    key, secret = live_sim.state.credentials("admin")

    async def go() -> tuple[int, int, int]:
        results: list[int] = []
        async with AsyncCloudStack(live_sim.endpoint, key, secret, timeout=60) as client:
            async with anyio.create_task_group() as group:

                async def one() -> None:
                    body = await client.listZones()
                    results.append(len(body["zone"]))

                for _ in range(1000):
                    group.start_soon(one)
            transport = client._http.transport
            assert isinstance(transport, AiohttpTransport)  # what the async client sends over
            open_connections = transport.connection_count()
        closed = transport.connection_count()
        return len(results), open_connections, closed

    done, open_connections, after_close = anyio.run(go)
    assert done == 1000
    assert 0 < open_connections <= 100  # pooled, bounded by max_connections
    assert after_close == 0
    LEDGER.add("load: concurrent calls on one client", done)
    LEDGER.gauge("load: open connections at peak", open_connections)


CLIENT_CODE = [
    "*/omnicloud/http/*",
    "*/omnicloud/cloudstack/*",
    "*/omnicloud/_flow.py",
    "*/omnicloud/_poll.py",
    "*/httpx/*",
    "*/httpcore/*",
    "*/aiohttp/*",
]


def client_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """Bytes allocated by client-side code (the in-process simulator is not counted)."""
    filtered = snapshot.filter_traces([tracemalloc.Filter(True, p) for p in CLIENT_CODE])
    return sum(stat.size for stat in filtered.statistics("filename"))


#: calls measured, and the growth allowed over them: 32 bytes a call (the earlier in-process
#: version allowed 256 KiB over 9,000 calls, 29 bytes a call)
MEASURED_CALLS = 2000
GROWTH_LIMIT = 64 * 1024


def test_memory_flat_over_thousands_of_calls(live_sim: LiveSim) -> None:
    """The async client as production runs it (its default transport, a real socket to a
    server) keeps no memory per call: once warm, 2,000 more calls leave < 64 KiB behind."""
    # the measurement is of the client, not of a debug trace kept by a log handler
    assert not logging.getLogger("omnicloud.http").isEnabledFor(logging.DEBUG)
    key, secret = live_sim.state.credentials("admin")

    async def batch(client: AsyncCloudStack, calls: int) -> None:
        limiter = anyio.CapacityLimiter(50)

        async def one() -> None:
            async with limiter:
                await client.listZones()

        async with anyio.create_task_group() as group:
            for _ in range(calls):
                group.start_soon(one)

    async def go() -> tuple[int, int]:
        async with AsyncCloudStack(live_sim.endpoint, key, secret, timeout=60) as client:
            await batch(client, 500)  # warm up pools and caches
            tracemalloc.start(1)
            try:
                # connections' buffers are re-allocated as they are used: let that settle
                # while traced, so the snapshots differ only by what calls leave behind
                await batch(client, 500)
                gc.collect()
                first = client_bytes(tracemalloc.take_snapshot())
                await batch(client, MEASURED_CALLS)
                gc.collect()
                second = client_bytes(tracemalloc.take_snapshot())
            finally:
                tracemalloc.stop()
        return first, second

    first, second = anyio.run(go)
    growth = second - first
    assert growth < GROWTH_LIMIT, (
        f"client memory grew by {growth} bytes over {MEASURED_CALLS} calls"
    )
    LEDGER.add("load: calls in the memory test", 1000 + MEASURED_CALLS)
    LEDGER.gauge(f"load: client memory growth over {MEASURED_CALLS:,} calls (bytes)", growth)
