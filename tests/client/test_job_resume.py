"""A job accepted by the server but not waited to its end: the error names the job, and waiting
can resume from its id (raw client, sync and async, and the CloudStack driver)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import (
    JobPollError,
    JobTimeoutError,
    MalformedResponseError,
    TransportError,
)
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok
from tests.support.stub_server import Reply, Seen, StubServer

VM = {"id": "vm-7", "name": "web", "state": "Running", "zoneid": "z", "nic": []}


class Cloud:
    """deployVirtualMachine accepted at once; queryAsyncJobResult failing until ``healthy``."""

    def __init__(self, failure: Reply, endpoint: str) -> None:
        self.failure = failure
        self.endpoint = endpoint
        self.healthy = False
        self.deploys = 0

    def deploy(self, seen: Seen) -> Reply:
        self.deploys += 1
        return ok("deployVirtualMachine", {"jobid": "job-42", "id": "vm-7"})

    def query(self, seen: Seen) -> Reply:
        if not self.healthy:
            return self.failure
        return ok(
            "queryAsyncJobResult",
            {
                "jobid": seen.params["jobid"],
                "jobstatus": 1,
                "jobresultcode": 0,
                "jobresult": {"virtualmachine": VM},
                "created": "2024-01-01T00:00:00+0000",
            },
        )


FAILURES = {
    "reset": (Reply(reset=True), TransportError),
    "html-502": (Reply(502, "<html><h1>502 Bad Gateway</h1></html>"), MalformedResponseError),
}
OPTIONS = {"poll_interval": 0.02, "retry": 1, "timeout": 5}


def run(mode: str, endpoint: str, action: Any, **options: Any) -> Any:
    """``action(client)`` with a fresh sync client, or awaited with a fresh async one."""
    settings = {**OPTIONS, **options}
    if mode == "sync":
        with CloudStack(endpoint, KEY, SECRET, **settings) as client:
            return action(client)

    async def go() -> Any:
        async with AsyncCloudStack(endpoint, KEY, SECRET, **settings) as client:
            return await action(client)

    return anyio.run(go)


def serve(stub: StubServer, failure: Reply) -> Cloud:
    fake = Cloud(failure, f"{stub.url}/client/api")
    stub.handle(FakeCloudStack(deployVirtualMachine=fake.deploy, queryAsyncJobResult=fake.query))
    return fake


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", list(FAILURES))
def test_poll_failure_after_submit_names_the_job_and_resumes(
    stub: StubServer, fault: str, mode: str
) -> None:
    reply, expected = FAILURES[fault]
    cloud = serve(stub, reply)
    with pytest.raises(JobPollError) as failure:
        run(mode, cloud.endpoint, lambda c: c.deployVirtualMachine(zoneid="z", fetch_result=True))
    error = failure.value
    assert isinstance(error, expected)  # still the category it was: except TransportError works
    assert error.job_id == "job-42" and error.resource_id == "vm-7"
    assert error.command == "deployVirtualMachine"
    assert "job-42" in str(error) and "vm-7" in str(error)
    assert isinstance(error.__cause__, expected)
    assert cloud.deploys == 1  # never sent again
    cloud.healthy = True
    result = run(mode, cloud.endpoint, lambda c: c.wait_for_job(error.job_id))
    assert result["virtualmachine"]["id"] == "vm-7"
    assert cloud.deploys == 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_timeout_names_the_resource_too(stub: StubServer, mode: str) -> None:
    cloud = serve(stub, ok("queryAsyncJobResult", {"jobid": "job-42", "jobstatus": 0}))
    with pytest.raises(JobTimeoutError) as failure:
        run(
            mode,
            cloud.endpoint,
            lambda c: c.deployVirtualMachine(zoneid="z", fetch_result=True),
            job_timeout=0.1,
        )
    assert failure.value.job_id == "job-42" and failure.value.resource_id == "vm-7"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_driver_resumes_a_deploy_with_its_job_id(stub: StubServer, mode: str) -> None:
    from omnicloud.compute import NodeImage, NodeSize
    from omnicloud.compute.drivers.cloudstack import (
        AsyncCloudStackNodeDriver,
        CloudStackNode,
        CloudStackNodeDriver,
    )

    cloud = serve(stub, FAILURES["html-502"][0])
    options: dict[str, Any] = {"url": cloud.endpoint, "poll_interval": 0.02, "retries": 0}
    size = NodeSize("s", "s", 1024, 10, 0, 0.0)
    image = NodeImage("t", "t")

    def sync() -> Any:
        with CloudStackNodeDriver(KEY, SECRET, **options) as driver:
            with pytest.raises(JobPollError) as failure:
                driver.create_node("web", size, image, location="z")
            cloud.healthy = True
            return failure.value, driver.ex_wait_for_job(failure.value.job_id)

    async def asynchronous() -> Any:
        async with AsyncCloudStackNodeDriver(KEY, SECRET, **options) as driver:
            with pytest.raises(JobPollError) as failure:
                await driver.create_node("web", size, image, location="z")
            cloud.healthy = True
            return failure.value, await driver.ex_wait_for_job(failure.value.job_id)

    error, node = sync() if mode == "sync" else anyio.run(asynchronous)
    assert isinstance(error, MalformedResponseError)
    assert (error.job_id, error.resource_id) == ("job-42", "vm-7")
    assert isinstance(node, CloudStackNode) and node.id == "vm-7" and node.name == "web"
    assert cloud.deploys == 1
