"""Coalesced job polling: the Batch effect in both runners; CloudStack job waits on the simulator.

N concurrent waits through the async client must make far fewer than N status requests (counted on
the server side), failed and cancelled jobs must still raise their own errors, and the sync client
must keep polling one job with one ``queryAsyncJobResult`` at a time.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl

import anyio
import pytest

from omnicloud._flow import Batch, Sleep
from omnicloud._poll import next_tick
from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import JobCancelledError, JobFailedError
from omnicloud.http import AsyncHttp, SyncHttp
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread

POLL = 0.05
Flow = Generator[Any, Any, Any]
POLL_COMMANDS = ("listAsyncJobs", "queryAsyncJobResult")


# -- the Batch effect, without HTTP ------------------------------------------------------------
class Recorder:
    """A batch function that records each batch and answers ``item * 10`` (errors as given)."""

    def __init__(self, fail_all: Exception | None = None) -> None:
        self.batches: list[list[Any]] = []
        self.fail_all = fail_all

    def run(self, items: Sequence[Any]) -> Flow[list[Any]]:
        self.batches.append(list(items))
        yield Sleep(0)
        if self.fail_all is not None:
            raise self.fail_all
        return [item if isinstance(item, Exception) else item * 10 for item in items]


def checked(recorder: Recorder, item: Any, window: float = 0.0) -> Flow[Any]:
    value = yield Batch("key", item, recorder.run, window)
    return value


def test_sync_runner_batches_one_item_at_a_time() -> None:
    recorder = Recorder()
    http = SyncHttp()
    assert [http.run(checked(recorder, n)) for n in (1, 2, 3)] == [10, 20, 30]
    assert recorder.batches == [[1], [2], [3]]
    with pytest.raises(KeyError):
        http.run(checked(recorder, KeyError("mine")))


def test_async_runner_coalesces_concurrent_items() -> None:
    recorder = Recorder()
    http = AsyncHttp()
    results: dict[int, Any] = {}

    async def one(n: int) -> None:
        try:
            results[n] = await http.run(checked(recorder, ValueError(n) if n == 3 else n))
        except ValueError as exc:
            results[n] = exc

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for n in range(10):
                group.start_soon(one, n)

    anyio.run(main)
    assert len(recorder.batches) == 1 and len(recorder.batches[0]) == 10
    assert {n: v for n, v in results.items() if n != 3} == {n: n * 10 for n in range(10) if n != 3}
    assert isinstance(results[3], ValueError)  # only the item whose outcome is an error raises


def test_async_batch_failure_reaches_every_waiter() -> None:
    recorder = Recorder(fail_all=RuntimeError("listing failed"))
    http = AsyncHttp()
    errors: list[BaseException] = []

    async def one(n: int) -> None:
        try:
            await http.run(checked(recorder, n))
        except RuntimeError as exc:
            errors.append(exc)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for n in range(5):
                group.start_soon(one, n)

    anyio.run(main)
    assert len(recorder.batches) == 1 and len(errors) == 5


def test_async_followers_survive_a_cancelled_leader() -> None:
    recorder = Recorder()
    http = AsyncHttp()
    results: dict[int, Any] = {}

    scopes: list[anyio.CancelScope] = []

    async def leader() -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            results[0] = await http.run(checked(recorder, 0, window=0.2))

    async def follower(n: int) -> None:
        results[n] = await http.run(checked(recorder, n, window=0.2))

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(leader)
            await anyio.sleep(0.01)
            for n in (1, 2):
                group.start_soon(follower, n)
            await anyio.sleep(0.05)
            scopes[0].cancel()  # while the leader still collects

    anyio.run(main)
    assert results == {1: 10, 2: 20}
    assert [sorted(batch) for batch in recorder.batches] == [[1, 2]]


def test_next_tick_aligns_on_a_shared_grid() -> None:
    assert next_tick(1.0, now=10.25) == pytest.approx(0.75)
    assert next_tick(1.0, now=10.75) == pytest.approx(1.25)  # never less than half an interval
    assert (10.25 + next_tick(1.0, now=10.25)) == pytest.approx(
        10.75 + next_tick(1.0, now=10.75) - 1
    )


def test_next_tick_spaces_checks_from_when_the_last_one_began() -> None:
    # a check began on the grid at 12.0 and its answer was handled by 12.07: the next check is
    # at 12.1, one interval after the last began, not a slot later
    assert 12.07 + next_tick(0.1, now=12.07, last=12.0) == pytest.approx(12.1)
    # handled at 12.03: still 12.1 (never within half an interval of the last check)
    assert 12.03 + next_tick(0.1, now=12.03, last=12.0) == pytest.approx(12.1)
    # handling overran the next slot: the one after, without waiting a further slot
    assert 12.13 + next_tick(0.1, now=12.13, last=12.0) == pytest.approx(12.2)


# -- CloudStack job waits against the simulator over HTTP --------------------------------------
class CountingApp:
    """ASGI wrapper counting API commands as the server receives them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.commands: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            params = dict(parse_qsl(scope.get("query_string", b"").decode()))
            self.commands[params.get("command", "?")] += 1
        await self.app(scope, receive, send)

    def polls(self) -> int:
        return sum(self.commands[name] for name in POLL_COMMANDS)


class Sim:
    def __init__(self, state: CloudStackState, config: SimConfig, app: CountingApp, url: str):
        self.state, self.config, self.app, self.url = state, config, app, url

    def client(self, account: str = "admin") -> AsyncCloudStack:
        key, secret = self.state.credentials(account)
        return AsyncCloudStack(self.url, key, secret, poll_interval=POLL)

    def sync_client(self, account: str = "admin") -> CloudStack:
        key, secret = self.state.credentials(account)
        return CloudStack(self.url, key, secret, poll_interval=POLL)


@pytest.fixture(scope="module")
def sim() -> Iterator[Sim]:
    state = CloudStackState()
    state.bulk_create_vms(5, account="admin", zone="Sandbox-Basic")
    config = SimConfig(job_latency=0.3)
    app = CountingApp(create_app(state, config=config))
    with serve_in_thread(app) as server:
        yield Sim(state, config, app, f"{server.url}/client/api")


def _deploy_args(client: CloudStack) -> dict[str, str]:
    zone = next(z for z in client.listZones()["zone"] if z["networktype"] == "Basic")
    size = client.listServiceOfferings()["serviceoffering"][0]
    image = client.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"][0]
    return {"zoneid": zone["id"], "serviceofferingid": size["id"], "templateid": image["id"]}


def test_concurrent_waits_make_far_fewer_poll_requests(sim: Sim) -> None:
    jobs = 40
    with sim.sync_client() as sync:
        spec = _deploy_args(sync)

    async def main() -> list[Any]:
        async with sim.client() as client:
            submitted = await anyio_gather(
                [
                    client.deployVirtualMachine(name=f"batch-{uuid.uuid4().hex[:8]}-{n}", **spec)
                    for n in range(jobs)
                ]
            )
            sim.app.commands.clear()
            return await anyio_gather([client.wait_for_job(s["jobid"]) for s in submitted])

    results = anyio.run(main)
    assert len({r["virtualmachine"]["id"] for r in results}) == jobs
    # unbatched: every job polled about job_latency / POLL times (~240 requests)
    assert sim.app.polls() <= jobs // 4, sim.app.commands
    assert sim.app.commands["listAsyncJobs"] >= 1


def test_waits_begun_slots_apart_still_share_one_listing(sim: Sim) -> None:
    # waits on jobs this client submitted are dated by the submit answer's Date header, so a
    # group of waits that begins a poll slot after another joins its listing in the next check
    # instead of asking for each of its jobs on its own (as it must for a job of unknown age)
    jobs = 40
    with sim.sync_client() as sync:
        spec = _deploy_args(sync)

    async def main() -> list[Any]:
        async with sim.client() as client:
            submitted = await anyio_gather(
                [
                    client.deployVirtualMachine(name=f"slots-{uuid.uuid4().hex[:8]}", **spec)
                    for _ in range(jobs)
                ]
            )
            sim.app.commands.clear()
            results: list[Any] = [None] * jobs

            async def wait(index: int) -> None:
                results[index] = await client.wait_for_job(submitted[index]["jobid"])

            async with anyio.create_task_group() as group:
                for index in range(jobs // 2):
                    group.start_soon(wait, index)
                await anyio.sleep(POLL * 2.5)  # the first half has checked at least once
                for index in range(jobs // 2, jobs):
                    group.start_soon(wait, index)
            return results

    results = anyio.run(main)
    assert len({r["virtualmachine"]["id"] for r in results}) == jobs
    assert sim.app.commands["queryAsyncJobResult"] <= 2, sim.app.commands
    assert sim.app.polls() <= jobs // 4, sim.app.commands


def test_failed_and_cancelled_jobs_keep_their_errors_in_a_batch(sim: Sim) -> None:
    with sim.sync_client() as sync:
        spec = _deploy_args(sync)
        vms = sync.listVirtualMachines(zoneid=spec["zoneid"])["virtualmachine"]
    sim.config.fail_jobs = {"stopVirtualMachine"}
    sim.config.job_latency = 0.5
    try:

        async def main() -> list[Any]:
            async with sim.client() as client:
                ok = await client.deployVirtualMachine(name="batch-ok", **spec)
                failing = await client.stopVirtualMachine(id=vms[0]["id"])
                cancelled = await client.rebootVirtualMachine(id=vms[1]["id"])
                await client.cancelAsyncJob(jobid=cancelled["jobid"])
                sim.app.commands.clear()
                waits = [client.wait_for_job(job["jobid"]) for job in (ok, failing, cancelled)]
                return await anyio_gather(waits, return_exceptions=True)

        ok, failing, cancelled = anyio.run(main)
    finally:
        sim.config.fail_jobs = set()
        sim.config.job_latency = 0.3
    assert ok["virtualmachine"]["name"] == "batch-ok"
    assert type(failing) is JobFailedError and failing.errortext
    assert type(cancelled) is JobCancelledError
    assert sim.app.commands["listAsyncJobs"] >= 1
    # all three are resolved together; a wait whose first tick lands alone may ask once by itself
    assert sim.app.commands["queryAsyncJobResult"] <= 1


def test_jobs_the_listing_does_not_show_are_queried_one_by_one(sim: Sim) -> None:
    with sim.sync_client() as sync:
        spec = _deploy_args(sync)

    async def main() -> list[Any]:
        async with sim.client("alice") as alice, sim.client() as admin:
            theirs = await alice.deployVirtualMachine(name="batch-alice", **spec)
            mine = await admin.deployVirtualMachine(name="batch-admin", **spec)
            sim.app.commands.clear()
            # the admin's listAsyncJobs shows only the admin's own jobs
            return await anyio_gather(
                [admin.wait_for_job(theirs["jobid"]), admin.wait_for_job(mine["jobid"])]
            )

    theirs, mine = anyio.run(main)
    assert theirs["virtualmachine"]["name"] == "batch-alice"
    assert mine["virtualmachine"]["name"] == "batch-admin"
    assert sim.app.commands["queryAsyncJobResult"] >= 1


def test_sync_client_polls_one_job_with_query_async_job_result(sim: Sim) -> None:
    with sim.sync_client() as client:
        spec = _deploy_args(client)
        job = client.deployVirtualMachine(name="batch-sync", **spec)
        sim.app.commands.clear()
        result = client.wait_for_job(job["jobid"])
    assert result["virtualmachine"]["name"] == "batch-sync"
    assert sim.app.commands["listAsyncJobs"] == 0
    assert sim.app.commands["queryAsyncJobResult"] >= 1


async def anyio_gather(awaitables: list[Any], return_exceptions: bool = False) -> list[Any]:
    results: list[Any] = [None] * len(awaitables)

    async def one(index: int, awaitable: Any) -> None:
        try:
            results[index] = await awaitable
        except Exception as exc:
            if not return_exceptions:
                raise
            results[index] = exc

    async with anyio.create_task_group() as group:
        for index, awaitable in enumerate(awaitables):
            group.start_soon(one, index, awaitable)
    return results
