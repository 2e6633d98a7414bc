"""Batched job polling costs what the jobs waited for cost, not what the account's history does.

The simulator holds 3,000 finished jobs of the account from the last ten minutes; N concurrent
deploys through the async client must be polled with listings that hold about N jobs each, with
or without a Date header on the server's answers (without one, the client learns each job's
``created`` time from its first answer).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.cloudstack._jobs import seed_history
from omnicloud.sim.server import serve_in_thread

HISTORY = 3000
JOBS = 20


@dataclass
class Tally:
    """What the server answered to job polls: requests by command, jobs per listing answer."""

    requests: Counter[str] = field(default_factory=Counter)
    listed: list[int] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    def reset(self) -> None:
        self.requests.clear()
        self.listed.clear()
        self.counts.clear()


class TallyApp:
    """ASGI wrapper: counts commands, and the jobs in each listAsyncJobs answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.tally = Tally()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        params = dict(parse_qsl(scope.get("query_string", b"").decode()))
        command = params.get("command", "?")
        self.tally.requests[command] += 1
        if command != "listAsyncJobs":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = json.loads(b"".join(chunks))["listasyncjobsresponse"]
                    self.tally.listed.append(len(body.get("asyncjobs", [])))
                    self.tally.counts.append(int(body.get("count", 0)))
            await send(message)

        await self.app(scope, receive, keep)


@dataclass
class World:
    state: CloudStackState
    app: TallyApp
    url: str  # served by uvicorn: its answers carry a Date header
    spec: dict[str, str]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    state = CloudStackState()
    seed_history(state, HISTORY)  # created from 10 minutes to 1 minute ago
    app = TallyApp(create_app(state, config=SimConfig(job_latency=0.4)))
    key, secret = state.credentials("admin")
    with serve_in_thread(app) as server:
        url = f"{server.url}/client/api"
        with CloudStack(url, key, secret) as cs:
            zone = next(z for z in cs.listZones()["zone"] if z["networktype"] == "Basic")
            size = cs.listServiceOfferings()["serviceoffering"][0]
            image = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])
        ids = {"zoneid": zone["id"], "serviceofferingid": size["id"]}
        yield World(state, app, url, {**ids, "templateid": image["template"][0]["id"]})


def deploy_all(world: World, endpoint: str, name: str, transport: Any = None) -> list[Any]:
    key, secret = world.state.credentials("admin")
    options: dict[str, Any] = {"poll_interval": 0.1, "job_timeout": 30}
    if transport is not None:
        options["transport"] = transport

    async def main() -> list[Any]:
        results: list[Any] = [None] * JOBS
        async with AsyncCloudStack(endpoint, key, secret, **options) as client:

            async def one(index: int) -> None:
                results[index] = await client.deployVirtualMachine(
                    name=f"{name}-{index}", fetch_result=True, **world.spec
                )

            world.app.tally.reset()
            async with anyio.create_task_group() as group:
                for index in range(JOBS):
                    group.start_soon(one, index)
        return results

    return anyio.run(main)


def check(world: World, results: list[Any]) -> Tally:
    tally = world.app.tally
    assert len({r["virtualmachine"]["id"] for r in results}) == JOBS
    assert tally.requests["deployVirtualMachine"] == JOBS
    return tally


def test_polls_with_a_date_header_list_only_the_jobs_waited_for(world: World) -> None:
    tally = check(world, deploy_all(world, world.url, "dated"))
    assert tally.requests["listAsyncJobs"] >= 1
    # each listing holds the waited-for jobs (and none of the history): O(N), not O(history);
    # a margin of seconds may also show the previous test's jobs
    assert max(tally.counts) <= 3 * JOBS and max(tally.listed) <= 3 * JOBS, tally
    assert tally.requests["queryAsyncJobResult"] <= JOBS  # at most one round asked job by job


def test_polls_without_a_date_header_stay_bounded_by_the_jobs(world: World) -> None:
    # in-process: no Date header, so the first listing starts ten minutes back (any clock skew)
    tally = check(
        world,
        deploy_all(
            world, "http://sim.local/client/api", "undated", httpx.ASGITransport(app=world.app)
        ),
    )
    listings = tally.requests["listAsyncJobs"]
    assert listings >= 2
    # the first listing shows the history; the client reads one page of about 10 jobs per
    # job waited for and asks for the rest one by one; each job is asked for on its own at
    # most once (a job that joins the polls late is, rather than widening the listing)
    assert tally.counts[0] > HISTORY and max(tally.listed) <= 10 * JOBS
    assert tally.requests["queryAsyncJobResult"] <= JOBS
    # later listings start from the jobs' created times; only late joiners polled together
    # before any other job's time is known list from ten minutes back again (each wide check
    # reads the first page for the total, then one page from the end, where the new jobs are)
    wide = [count for count in tally.counts if count > 3 * JOBS]
    assert len(wide) <= 4, tally
    assert tally.counts[-1] <= 3 * JOBS, tally


def test_simulator_lists_jobs_from_startdate(world: World) -> None:
    key, secret = world.state.credentials("admin")
    with CloudStack(world.url, key, secret) as cs:
        everything = cs.listAsyncJobs(page=1, pagesize=1)["count"]
        assert everything >= HISTORY
        future = cs.listAsyncJobs(startdate="2999-01-01T00:00:00+0000", page=1, pagesize=5)
        assert future.get("count", 0) == 0
        recent = cs.listAsyncJobs(startdate="2000-01-01", page=2, pagesize=5)
        assert recent["count"] == everything and len(recent["asyncjobs"]) == 5


def test_a_busy_accounts_recent_jobs_are_read_from_the_listings_end(world: World) -> None:
    # 600 other jobs created in the last seconds sit in front of ours in every listing (oldest
    # first): the client reads the listing's last page, where the jobs it submitted are, instead
    # of asking for each job on its own every round
    seed_history(world.state, 600, oldest=4.0, newest=0.5)
    tally = check(world, deploy_all(world, world.url, "busy"))
    assert tally.counts[0] > 600 and tally.requests["listAsyncJobs"] >= 2, tally
    # each check reads the first page (for the total) and one or two from the end
    assert tally.requests["queryAsyncJobResult"] <= 2, tally
    assert sum(tally.listed) <= tally.requests["listAsyncJobs"] * 10 * JOBS
