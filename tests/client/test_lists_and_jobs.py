"""Pagination and async jobs against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import (
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
    MalformedResponseError,
)
from tests.client.conftest import Invoke
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok, paged
from tests.support.stub_server import Reply, Seen, StubServer

VMS = [{"id": f"vm-{i}", "name": f"web{i}"} for i in range(1234)]


def test_fetch_list_follows_every_page(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )
    result = invoke("listVirtualMachines", fetch_list=True, listall=True)
    assert [vm["id"] for vm in result] == [vm["id"] for vm in VMS]
    assert sorted(int(s.params["page"]) for s in stub.requests) == [1, 2, 3]
    assert {s.params["pagesize"] for s in stub.requests} == {"500"}


def test_fetch_list_adapts_to_server_page_cap(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(
            listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS, cap=200)
        )
    )
    result = invoke("listVirtualMachines", fetch_list=True)
    assert len(result) == 1234 and len({vm["id"] for vm in result}) == 1234
    sizes = [s.params["pagesize"] for s in stub.requests]
    assert sizes[0] == "500" and set(sizes[1:]) == {"200"}
    assert len(stub.requests) == 1 + 7


def test_fetch_list_user_page_size(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS[:25]))
    )
    result = invoke("listVirtualMachines", fetch_list=True, pageSize=10, page=7)
    assert len(result) == 25
    assert sorted(int(s.params["page"]) for s in stub.requests) == [1, 2, 3]


def test_fetch_list_empty_and_page_past_end(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", []))
    )
    assert invoke("listVirtualMachines", fetch_list=True) == []
    assert len(stub.requests) == 1


def test_fetch_list_without_count_stops_on_short_page(stub: StubServer, invoke: Invoke) -> None:
    def handler(seen: Seen) -> Reply:
        page = int(seen.params["page"])
        items = VMS[(page - 1) * 500 : page * 500][:700]
        return ok("listApis", {"api": items} if page < 3 else {})

    stub.handle(FakeCloudStack(listApis=handler))
    assert len(invoke("listApis", fetch_list=True)) == 1000


def test_repeated_page_is_detected(stub: StubServer, invoke: Invoke) -> None:
    stub.handle(
        FakeCloudStack(listZones=lambda s: ok("listZones", {"zone": [{"id": "same"}] * 500}))
    )
    with pytest.raises(MalformedResponseError, match="page 2 twice"):
        invoke("listZones", fetch_list=True)


def test_sync_iterator_is_lazy(stub: StubServer) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
        iterator = client.iterate("listVirtualMachines")
        first = next(iterator)
        assert first["id"] == "vm-0"
        assert len(stub.requests) == 1
        assert sum(1 for _ in iterator) == 1233
        assert len(stub.requests) == 3


def test_sync_iterator_lets_go_of_a_consumed_page_before_the_next(stub: StubServer) -> None:
    """While page 2 is being fetched, nothing holds page 1 any more (CPython refcounts): a lazy
    listing keeps one page in memory, not two."""
    import sys

    pages = paged("listVirtualMachines", "virtualmachine", VMS)
    watched: list[dict[str, Any]] = []
    counts: list[int] = []

    def listing(seen: Seen) -> Reply:
        if seen.params.get("page") == "2":
            counts.append(sys.getrefcount(watched[0]))
        return pages(seen)

    stub.handle(FakeCloudStack(listVirtualMachines=listing))
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
        iterator = client.iterate("listVirtualMachines")
        page_one = [next(iterator) for _ in range(500)]
        watched.append(page_one[1])  # not the first: the flow keeps it to spot a repeated page
        # held by: watched, page_one, the emitted page, getrefcount's argument
        before = sys.getrefcount(watched[0])
        del page_one
        assert next(iterator)["id"] == "vm-500"
    assert counts == [before - 2]  # page_one and the emitted page are gone


def test_async_iterator(stub: StubServer) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )

    async def go() -> list[Any]:
        async with AsyncCloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
            return [vm async for vm in client.iterate("listVirtualMachines")]

    assert len(anyio.run(go)) == 1234


class Jobs:
    """A job that finishes with ``final`` after ``polls_until_done`` polls."""

    def __init__(self, final: dict[str, Any], polls_until_done: int = 2) -> None:
        self.final = final
        self.remaining = polls_until_done
        self.polls = 0

    def deploy(self, seen: Seen) -> Reply:
        return ok("deployVirtualMachine", {"jobid": "job-1", "id": "vm-1"})

    def query(self, seen: Seen) -> Reply:
        assert seen.params["jobid"] == "job-1"
        self.polls += 1
        base = {
            "jobid": "job-1",
            "cmd": "org.apache.cloudstack.api.command.user.vm.DeployVMCmd",
            "jobprocstatus": 0,
            "jobresulttype": "object",
        }
        if self.polls < self.remaining:
            return ok("queryAsyncJobResult", {**base, "jobstatus": 0, "jobresultcode": 0})
        return ok("queryAsyncJobResult", {**base, **self.final})


def test_job_success_returns_result(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs(
        {"jobstatus": 1, "jobresultcode": 0, "jobresult": {"virtualmachine": {"id": "vm-1"}}}
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    assert invoke("deployVirtualMachine", fetch_result=True, zoneid="z") == {
        "virtualmachine": {"id": "vm-1"}
    }
    assert jobs.polls == 2


def test_job_not_polled_without_fetch_result(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs({"jobstatus": 1})
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    assert invoke("deployVirtualMachine", zoneid="z") == {"jobid": "job-1", "id": "vm-1"}
    assert jobs.polls == 0


def test_job_failure(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs(
        {
            "jobstatus": 2,
            "jobresultcode": 530,
            "jobresult": {"errorcode": 533, "errortext": "Insufficient capacity"},
        }
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    with pytest.raises(JobFailedError, match="Insufficient capacity") as info:
        invoke("deployVirtualMachine", fetch_result=True, zoneid="z")
    assert not isinstance(info.value, JobCancelledError)
    assert info.value.errorcode == 533
    assert info.value.job_id == "job-1"


def test_job_cancelled(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs(
        {
            "jobstatus": 3,
            "jobresultcode": 530,
            "jobresult": {"errorcode": 530, "errortext": "cancelled by admin"},
        }
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    with pytest.raises(JobCancelledError, match="cancelled") as info:
        invoke("deployVirtualMachine", fetch_result=True, zoneid="z")
    assert info.value.errortext == "cancelled by admin"
    assert info.value.errorcode == 530
    assert info.value.job_id == "job-1"
    assert info.value.result["jobstatus"] == 3


def test_job_timeout(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs({"jobstatus": 1}, polls_until_done=10**6)
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    with pytest.raises(JobTimeoutError, match=r"did not finish within 0\.4 s") as info:
        invoke(
            "deployVirtualMachine",
            client_options={"job_timeout": 0.4, "poll_interval": 0.1},
            fetch_result=True,
            zoneid="z",
        )
    assert info.value.job_id == "job-1"
    assert 3 <= jobs.polls <= 8


def test_job_progress_callback(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs(
        {"jobstatus": 1, "jobresultcode": 0, "jobresult": {"success": True}}, polls_until_done=3
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    seen: list[int] = []
    invoke(
        "deployVirtualMachine",
        fetch_result=True,
        on_progress=lambda job: seen.append(job["jobstatus"]),
    )
    assert seen == [0, 0, 1]


def test_job_polls_survive_a_reset(stub: StubServer, invoke: Invoke) -> None:
    jobs = Jobs({"jobstatus": 1, "jobresultcode": 0, "jobresult": {"ok": 1}})
    resets = iter([Reply(reset=True)])

    def query(seen: Seen) -> Reply:
        return next(resets, None) or jobs.query(seen)

    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=query))
    assert invoke("deployVirtualMachine", fetch_result=True) == {"ok": 1}


def test_many_concurrent_deploys_async(stub: StubServer) -> None:
    import itertools

    counter = itertools.count()

    def deploy(seen: Seen) -> Reply:
        return ok("deployVirtualMachine", {"jobid": f"job-{next(counter)}"})

    def query(seen: Seen) -> Reply:
        return ok(
            "queryAsyncJobResult",
            {
                "jobid": seen.params["jobid"],
                "jobstatus": 1,
                "jobresultcode": 0,
                "jobresult": {"virtualmachine": {"id": seen.params["jobid"]}},
            },
        )

    stub.handle(FakeCloudStack(deployVirtualMachine=deploy, queryAsyncJobResult=query))

    async def go() -> list[Any]:
        results: list[Any] = []
        async with (
            AsyncCloudStack(f"{stub.url}/client/api", KEY, SECRET, poll_interval=0.05) as client,
            anyio.create_task_group() as group,
        ):

            async def one() -> None:
                results.append(await client.deployVirtualMachine(fetch_result=True))

            for _ in range(30):
                group.start_soon(one)
        return results

    results = anyio.run(go)
    assert len({r["virtualmachine"]["id"] for r in results}) == 30
    assert sum(1 for s in stub.requests if s.params["command"] == "deployVirtualMachine") == 30


class InFlight:
    """Wraps a handler and records how many requests the server is answering at once."""

    def __init__(self, inner: Any, hold: float) -> None:
        self.inner = inner
        self.hold = hold
        self.lock = threading.Lock()
        self.current = 0
        self.peak = 0
        self.spans: list[tuple[int, float, float]] = []  # (page, start, end)

    def __call__(self, seen: Seen) -> Reply:
        start = time.monotonic()
        with self.lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
        try:
            time.sleep(self.hold)
            return self.inner(seen)  # type: ignore[no-any-return]
        finally:
            with self.lock:
                self.current -= 1
                self.spans.append((int(seen.params.get("page", 0)), start, time.monotonic()))


def test_async_fetch_list_fetches_remaining_pages_concurrently(stub: StubServer) -> None:
    meter = InFlight(paged("listVirtualMachines", "virtualmachine", VMS), hold=0.2)
    stub.handle(FakeCloudStack(listVirtualMachines=meter))

    async def go() -> list[Any]:
        async with AsyncCloudStack(
            f"{stub.url}/client/api", KEY, SECRET, page_size=100, concurrency=4
        ) as client:
            return await client.listVirtualMachines(fetch_list=True)  # type: ignore[no-any-return]

    result = anyio.run(go)
    assert [vm["id"] for vm in result] == [vm["id"] for vm in VMS]  # still in order
    assert sorted(page for page, _, _ in meter.spans) == list(range(1, 14))
    # the server saw several requests at once, never more than the concurrency limit
    assert 2 <= meter.peak <= 4
    # the first page (which gives the count) is fetched alone, before any other
    first = next(span for span in meter.spans if span[0] == 1)
    assert all(start >= first[2] for page, start, _ in meter.spans if page != 1)


def test_sync_fetch_list_fetches_one_page_at_a_time(stub: StubServer) -> None:
    meter = InFlight(paged("listVirtualMachines", "virtualmachine", VMS[:450]), hold=0.02)
    stub.handle(FakeCloudStack(listVirtualMachines=meter))
    with CloudStack(f"{stub.url}/client/api", KEY, SECRET, page_size=100, concurrency=4) as cs:
        assert len(cs.listVirtualMachines(fetch_list=True)) == 450
    assert meter.peak == 1 and len(meter.spans) == 5


def test_async_iterator_is_lazy(stub: StubServer) -> None:
    stub.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )

    async def go() -> tuple[Any, int, int, int]:
        async with AsyncCloudStack(f"{stub.url}/client/api", KEY, SECRET) as client:
            iterator = client.iterate("listVirtualMachines")
            first = await iterator.__anext__()
            after_first = len(stub.requests)
            rest = 0
            async for _ in iterator:
                rest += 1
                if rest == 499:  # the last item of page 1: page 2 not asked for yet
                    assert len(stub.requests) == 1
            return first, after_first, rest, len(stub.requests)

    first, after_first, rest, total = anyio.run(go)
    assert first["id"] == "vm-0"
    assert after_first == 1
    assert rest == 1233
    assert total == 3


class TimedJobs(Jobs):
    """:class:`Jobs` that also records when the job was submitted and when it was polled."""

    def __init__(self, final: dict[str, Any], polls_until_done: int) -> None:
        super().__init__(final, polls_until_done)
        self.times: list[float] = []

    def deploy(self, seen: Seen) -> Reply:
        self.times.append(time.monotonic())
        return super().deploy(seen)

    def query(self, seen: Seen) -> Reply:
        self.times.append(time.monotonic())
        return super().query(seen)


def test_first_poll_comes_sooner_than_the_interval(stub: StubServer, invoke: Invoke) -> None:
    jobs = TimedJobs(
        {"jobstatus": 1, "jobresultcode": 0, "jobresult": {"ok": True}}, polls_until_done=2
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    result = invoke(
        "deployVirtualMachine", client_options={"poll_interval": 1.5}, fetch_result=True
    )
    assert result == {"ok": True}
    submitted, first_poll, second_poll = jobs.times
    # first poll after about min(0.25, poll_interval) (0.125 to 0.375 s on the poll grid) ...
    assert first_poll - submitted < 0.7
    # ... the next one a full interval later (at least half an interval on the grid)
    assert second_poll - first_poll >= 0.7


def test_first_poll_never_later_than_a_short_interval(stub: StubServer, invoke: Invoke) -> None:
    jobs = TimedJobs(
        {"jobstatus": 1, "jobresultcode": 0, "jobresult": {"ok": True}}, polls_until_done=4
    )
    stub.handle(FakeCloudStack(deployVirtualMachine=jobs.deploy, queryAsyncJobResult=jobs.query))
    invoke("deployVirtualMachine", client_options={"poll_interval": 0.05}, fetch_result=True)
    gaps = [later - earlier for earlier, later in itertools.pairwise(jobs.times)]
    assert len(gaps) == 4
    assert max(gaps) < 0.3  # first_interval is capped by a poll_interval shorter than 0.25 s
