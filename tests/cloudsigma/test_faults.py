"""Client retries against the simulator's fault knobs, async (and sync where it adds something).

The simulator draws its faults from ``random.Random(seed)``, one draw per request and per
enabled knob, so the number of faulted requests is known in advance: each test uses its own seed
and recomputes the sequence.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from omnicloud.cloudsigma import AsyncCloudSigma, CloudSigma, CloudSigmaError
from omnicloud.errors import OutcomeUnknownError, RequestTimeoutError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.sim.cloudsigma import SimConfig

from .conftest import AsyncRecording, Recording, Sim


def _faulted_until(seed: int, rate: float, successes: int) -> int:
    """How many requests fail before ``successes`` requests got through."""
    rng, failed, passed = random.Random(seed), 0, 0
    while passed < successes:
        if rng.random() < rate:
            failed += 1
        else:
            passed += 1
    return failed


def _fast(transport: Any, attempts: int = 8, **http: Any) -> HttpConfig:
    retry = RetryPolicy(max_attempts=attempts, backoff=0.01, backoff_cap=0.05)
    return HttpConfig(retry=retry, transport=transport, async_transport=transport, **http)


def _tags_named(sim: Sim, prefix: str) -> list[str]:
    return [t["name"] for t in sim.state.all("tags") if t["name"].startswith(prefix)]


def test_concurrency_errors_on_creates_are_retried_async(sim: Sim, knobs: SimConfig) -> None:
    seed, rate, count = 4242, 0.5, 6
    expected = _faulted_until(seed, rate, count)
    assert expected > 0  # the seed does exercise retries
    knobs.concurrency_rate, knobs.seed = rate, seed
    transport = AsyncRecording()
    names = [f"async-retry-{i}" for i in range(count)]

    async def go() -> list[Any]:
        results: list[Any] = []
        async with AsyncCloudSigma(
            *sim.state.credentials, endpoint=sim.endpoint, http=_fast(transport)
        ) as cs:

            async def create(name: str) -> None:
                results.extend(await cs.create("tags", [{"name": name}]))

            async with anyio.create_task_group() as group:
                for name in names:
                    group.start_soon(create, name)
        return results

    created = anyio.run(go)
    knobs.concurrency_rate = 0.0
    rejected = [s for s in transport.sent if s.status == 503]
    assert len(rejected) == expected
    assert len(transport.sent) == count + expected
    assert all(s.method == "POST" and s.path == "/api/2.0/tags/" for s in transport.sent)
    assert sorted(t["name"] for t in created) == sorted(names)
    assert sorted(_tags_named(sim, "async-retry-")) == sorted(names)  # each exactly once


def test_concurrency_retries_give_up_within_the_budget(sim: Sim, knobs: SimConfig) -> None:
    knobs.concurrency_rate = 1.0
    transport = AsyncRecording()

    async def go() -> None:
        async with AsyncCloudSigma(
            *sim.state.credentials, endpoint=sim.endpoint, http=_fast(transport, attempts=3)
        ) as cs:
            await cs.create("tags", [{"name": "never-made"}])

    with pytest.raises(CloudSigmaError) as info:
        anyio.run(go)
    assert (info.value.status, info.value.error_type) == (503, "concurrency")
    assert len(transport.sent) == 3
    assert _tags_named(sim, "never-made") == []


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_503_on_a_create_is_not_resent(sim: Sim, knobs: SimConfig, kind: str) -> None:
    knobs.error_rate = 1.0
    transport: Any = Recording() if kind == "sync" else AsyncRecording()
    options: dict[str, Any] = {"endpoint": sim.endpoint, "http": _fast(transport)}
    with pytest.raises(CloudSigmaError) as info:
        if kind == "sync":
            with CloudSigma(*sim.state.credentials, **options) as cs:
                cs.create("tags", [{"name": f"backend-{kind}"}])
        else:

            async def go() -> None:
                async with AsyncCloudSigma(*sim.state.credentials, **options) as cs:
                    await cs.create("tags", [{"name": f"backend-{kind}"}])

            anyio.run(go)
    assert (info.value.status, info.value.error_type) == (503, "backend")
    assert len(transport.sent) == 1


def test_503_on_gets_is_retried_then_succeeds_async(sim: Sim, knobs: SimConfig) -> None:
    seed, rate = 5153, 0.6
    rng = random.Random(seed)
    failures = 0
    while rng.random() < rate:
        failures += 1
    assert 0 < failures < 7
    knobs.error_rate, knobs.seed = rate, seed
    transport = AsyncRecording()

    async def go() -> Any:
        async with AsyncCloudSigma(
            *sim.state.credentials, endpoint=sim.endpoint, http=_fast(transport)
        ) as cs:
            return await cs.get("balance")

    assert anyio.run(go)["currency"] == "EUR"
    assert [s.status for s in transport.sent] == [503] * failures + [200]


def test_503_on_gets_is_retried_then_raised_async(sim: Sim, knobs: SimConfig) -> None:
    knobs.error_rate = 1.0
    transport = AsyncRecording()

    async def go() -> Any:
        async with AsyncCloudSigma(
            *sim.state.credentials, endpoint=sim.endpoint, transport=transport, retry=2
        ) as cs:
            return await cs.get("balance")

    with pytest.raises(CloudSigmaError) as info:
        anyio.run(go)
    assert info.value.status == 503 and info.value.error_type == "backend"
    assert [s.status for s in transport.sent] == [503, 503, 503]


def _timed(
    kind: str, sim: Sim, transport: Any, use: Callable[[CloudSigma], Any]
) -> tuple[Any, float]:
    """``use(client)`` on a fresh client (its coroutine awaited in async mode), and the time it
    took; ``use`` calls the method directly, typed against the sync client."""
    options: dict[str, Any] = {
        "endpoint": sim.endpoint,
        "http": _fast(transport, 3, read_timeout=0.3),
    }
    started = time.monotonic()
    if kind == "sync":
        with CloudSigma(*sim.state.credentials, **options) as cs:
            return use(cs), time.monotonic() - started

    async def go() -> Any:
        async with AsyncCloudSigma(*sim.state.credentials, **options) as cs:
            return await use(cs)  # type: ignore[arg-type]  # the sync client's async twin

    return anyio.run(go), time.monotonic() - started


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


@KINDS
def test_slow_read_is_retried_then_succeeds(sim: Sim, knobs: SimConfig, kind: str) -> None:
    knobs.slow_seconds, knobs.slow_requests = 1.5, 1
    transport: Any = Recording() if kind == "sync" else AsyncRecording()
    balance, elapsed = _timed(kind, sim, transport, lambda c: c.get("balance"))
    assert balance["currency"] == "EUR"
    assert [s.status for s in transport.sent] == [0, 200]  # 0: timed out, no answer
    assert elapsed < 10


@KINDS
def test_slow_reads_raise_request_timeout(sim: Sim, knobs: SimConfig, kind: str) -> None:
    knobs.slow_seconds = 1.5
    transport: Any = Recording() if kind == "sync" else AsyncRecording()
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        _timed(kind, sim, transport, lambda c: c.get("balance"))
    assert time.monotonic() - started < 10
    assert [s.status for s in transport.sent] == [0, 0, 0]


@KINDS
def test_slow_create_is_not_resent(sim: Sim, knobs: SimConfig, kind: str) -> None:
    knobs.slow_seconds, knobs.slow_requests = 1.0, 1
    transport: Any = Recording() if kind == "sync" else AsyncRecording()
    with pytest.raises(OutcomeUnknownError):
        _timed(kind, sim, transport, lambda c: c.create("tags", [{"name": f"slow-{kind}"}]))
    assert [s.status for s in transport.sent] == [0]
    deadline = time.monotonic() + 5
    while not _tags_named(sim, f"slow-{kind}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _tags_named(sim, f"slow-{kind}") == [f"slow-{kind}"]  # it was applied, once
