"""Started flows (Start, Finish, Drop) in every runner: results in order, failures raised where
they are finished, dropped flows run to their end, and no worker thread outlives the runner."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest

from omnicloud._flow import Sleep
from omnicloud.http._streaming import Drop, Finish, Start, StreamingAsyncHttp, StreamingSyncHttp


class BoomError(Exception):
    pass


def job(tag: str, seconds: float, log: list[str], fail: bool = False) -> Any:
    log.append(f"start {tag}")
    yield Sleep(seconds)
    log.append(f"end {tag}")
    if fail:
        raise BoomError(tag)
    return tag


def main(log: list[str]) -> Any:
    slow = yield Start(job("slow", 0.3, log))
    quick = yield Start(job("quick", 0.0, log))
    failing = yield Start(job("failing", 0.0, log, fail=True))
    dropped = yield Start(job("dropped", 0.1, log, fail=True))
    results = [(yield Finish(quick)), (yield Finish(slow))]
    try:
        yield Finish(failing)
    except BoomError as exc:
        results.append(f"raised {exc}")
    yield Drop((dropped,))  # its failure is discarded, but it ran to its end
    return results


EXPECTED = ["quick", "slow", "raised failing"]


def test_sync_runner_runs_started_flows_in_threads_it_ends_when_closed() -> None:
    before = set(threading.enumerate())
    http = StreamingSyncHttp()
    log: list[str] = []
    assert http.run(main(log)) == EXPECTED
    assert "end dropped" in log
    assert log.index("end quick") < log.index("end slow")  # they ran at the same time
    assert any(t.name.startswith("omnicloud-background") for t in threading.enumerate())
    http.close()
    assert set(threading.enumerate()) - before == set()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_async_runner_runs_started_flows(backend: str) -> None:
    log: list[str] = []

    async def run() -> Any:
        http = StreamingAsyncHttp()
        try:
            return await http.run(main(log))
        finally:
            await http.aclose()

    assert anyio.run(run, backend=backend) == EXPECTED
    assert "end dropped" in log
    assert log.index("end quick") < log.index("end slow")


def test_trio_runner_drops_a_flow_it_never_started() -> None:
    log: list[str] = []

    def only_dropped() -> Any:
        never = yield Start(job("never", 0.0, log))
        yield Drop((never,))
        return "done"

    async def run() -> Any:
        http = StreamingAsyncHttp()
        try:
            return await http.run(only_dropped())
        finally:
            await http.aclose()

    assert anyio.run(run, backend="trio") == "done"
    assert log == []  # under trio a flow runs only once something waits for it
