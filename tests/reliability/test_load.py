"""Load: many concurrent calls through one async client; memory stays flat."""

from __future__ import annotations

import gc
import logging
import tracemalloc

import anyio
import httpx

from omnicloud.cloudstack import AsyncCloudStack
from omnicloud.http._aiohttp import AiohttpTransport
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
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
            transport = client._http.client._transport
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


def test_memory_flat_over_ten_thousand_calls() -> None:
    # the measurement is of the client, not of a debug trace kept by a log handler
    assert not logging.getLogger("omnicloud.http").isEnabledFor(logging.DEBUG)
    state = CloudStackState()
    key, secret = state.credentials("admin")
    transport = httpx.ASGITransport(app=create_app(state, config=SimConfig()))

    async def batch(client: AsyncCloudStack, calls: int) -> None:
        limiter = anyio.CapacityLimiter(50)

        async def one() -> None:
            async with limiter:
                await client.listZones()

        async with anyio.create_task_group() as group:
            for _ in range(calls):
                group.start_soon(one)

    async def go() -> tuple[int, int]:
        async with AsyncCloudStack(
            "http://sim.local/client/api", key, secret, transport=transport
        ) as client:
            await batch(client, 1000)  # warm up pools and caches
            gc.collect()
            tracemalloc.start(1)
            first = client_bytes(tracemalloc.take_snapshot())
            await batch(client, 9000)
            gc.collect()
            second = client_bytes(tracemalloc.take_snapshot())
            tracemalloc.stop()
        return first, second

    first, second = anyio.run(go)
    growth = second - first
    assert growth < 256 * 1024, f"client memory grew by {growth} bytes over 9,000 calls"
    LEDGER.add("load: calls in the memory test", 10_000)
    LEDGER.gauge("load: client memory growth over 9,000 calls (bytes)", growth)
