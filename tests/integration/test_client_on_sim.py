"""The CloudStack client suite against the CloudStack simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import (
    CloudStackApiError,
    CloudStackAuthError,
    JobFailedError,
    JobTimeoutError,
    OutcomeUnknownError,
)
from tests.integration.conftest import LiveSim
from tests.support.fault_proxy import Fault

ClientCall = Callable[..., Any]


def deploy_spec(sim: LiveSim, zone_name: str = "Sandbox-Basic") -> dict[str, str]:
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs:
        zone = next(z for z in cs.listZones()["zone"] if z["name"] == zone_name)
        offering = next(
            o for o in cs.listServiceOfferings()["serviceoffering"] if not o.get("iscustomized")
        )
        template = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"][0]
    return {"zoneid": zone["id"], "serviceofferingid": offering["id"], "templateid": template["id"]}


def count_named(sim: LiveSim, name: str) -> int:
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs:
        return sum(
            1 for vm in cs.iterate("listVirtualMachines", listall=True) if vm["name"] == name
        )


def test_fetch_list_over_many_pages(sim: LiveSim, client_call: ClientCall) -> None:
    prefix = f"many{uuid.uuid4().hex[:6]}"
    ids = set(sim.state.bulk_create_vms(1234, name_prefix=prefix))
    vms = client_call("listVirtualMachines", fetch_list=True, listall=True, keyword=prefix)
    assert {vm["id"] for vm in vms} == ids


def test_page_size_cap_adapts(sim: LiveSim, client_call: ClientCall) -> None:
    prefix = f"cap{uuid.uuid4().hex[:6]}"
    sim.state.bulk_create_vms(450, name_prefix=prefix)
    sim.config.max_page_size = 200
    vms = client_call("listVirtualMachines", fetch_list=True, listall=True, keyword=prefix)
    assert len({vm["id"] for vm in vms}) == 450


def test_deploy_waits_for_the_job(sim: LiveSim, client_call: ClientCall) -> None:
    name = f"w{uuid.uuid4().hex[:8]}"
    result = client_call("deployVirtualMachine", name=name, fetch_result=True, **deploy_spec(sim))
    assert result["virtualmachine"]["name"] == name
    assert result["virtualmachine"]["state"] == "Running"


def test_failed_job_raises(sim: LiveSim, client_call: ClientCall) -> None:
    sim.config.fail_jobs = {"deployVirtualMachine"}
    with pytest.raises(JobFailedError) as info:
        client_call("deployVirtualMachine", fetch_result=True, **deploy_spec(sim))
    assert info.value.errortext
    assert info.value.job_id


def test_rate_limit_is_waited_out(
    sim: LiveSim, client_call: ClientCall, caplog: pytest.LogCaptureFixture
) -> None:
    # One request per second: two calls inside a second trip the limit even on a
    # loaded machine, so the loop stops at the first retry the client logs.
    sim.config.rate_limit = 1
    with caplog.at_level(logging.INFO, logger="omnicloud.retry"):
        for _ in range(6):
            assert "zone" in client_call("listZones", account=_user(sim))
            if "HTTP 429 rate limited" in caplog.text:
                break
    assert "HTTP 429 rate limited" in caplog.text


def test_random_5xx_on_reads_are_retried(
    sim: LiveSim, client_call: ClientCall, caplog: pytest.LogCaptureFixture
) -> None:
    sim.config.error_rate = 0.3
    sim.config.seed = 7
    with caplog.at_level(logging.INFO, logger="omnicloud.retry"):
        for _ in range(10):
            assert "zone" in client_call("listZones", options={"retry": 6})
    assert "retrying CloudStack listZones after HTTP 5" in caplog.text


def test_reset_after_send_is_outcome_unknown_and_never_resent(
    sim: LiveSim, client_call: ClientCall
) -> None:
    name = f"u{uuid.uuid4().hex[:8]}"
    spec = deploy_spec(sim)
    sim.proxy.plan(Fault("reset_after"))
    with pytest.raises(OutcomeUnknownError, match="deployVirtualMachine"):
        client_call("deployVirtualMachine", endpoint=sim.proxied, name=name, **spec)
    assert sim.proxy.connections == 1
    assert count_named(sim, name) == 1  # the server did it exactly once


def test_truncated_read_is_retried(sim: LiveSim, client_call: ClientCall) -> None:
    sim.proxy.plan(Fault("truncate", keep=40), Fault("reset_before"))
    assert "zone" in client_call("listZones", endpoint=sim.proxied)
    assert sim.proxy.connections == 3


def test_wrong_secret_and_unknown_command_are_401(sim: LiveSim) -> None:
    key, _ = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, "not-the-secret") as cs, pytest.raises(CloudStackAuthError):
        cs.listZones()
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs, pytest.raises(CloudStackAuthError):
        cs.listZonez()


def test_java_encoding_accepted_by_a_strict_server(sim: LiveSim, client_call: ClientCall) -> None:
    assert not sim.config.accept_unencoded_tilde
    name = f"t{uuid.uuid4().hex[:6]}"
    display = "web ~ server * ünïcödé + / = & %"
    result = client_call(
        "deployVirtualMachine",
        name=name,
        displayname=display,
        fetch_result=True,
        **deploy_spec(sim),
    )
    assert result["virtualmachine"]["displayname"] == display


def test_large_userdata_goes_by_post(sim: LiveSim, client_call: ClientCall) -> None:
    userdata = base64.b64encode(b"#!/bin/sh\n" + b"echo hello\n" * 1500).decode()
    assert len(userdata) > 16000
    result = client_call(
        "deployVirtualMachine", userdata=userdata, fetch_result=True, **deploy_spec(sim)
    )
    assert result["virtualmachine"]["state"] == "Running"


def test_api_error_from_the_simulator(sim: LiveSim, client_call: ClientCall) -> None:
    with pytest.raises(CloudStackApiError) as info:
        client_call("deployVirtualMachine", zoneid="nope")
    assert info.value.status == 431
    assert info.value.cserrorcode is not None


def _user(sim: LiveSim) -> str:
    return next(name for name in sim.state.accounts if name != "admin")


@pytest.fixture
def kind(mode: str) -> str:
    """The shared sync/async parametrisation (``tests/support/modes.py``), named ``kind`` here."""
    return mode


def test_lazy_iterator_fetches_one_page_for_the_first_item(sim: LiveSim, kind: str) -> None:
    prefix = f"lazy{uuid.uuid4().hex[:6]}"
    ids = set(sim.state.bulk_create_vms(1234, name_prefix=prefix))
    key, secret = sim.state.credentials("admin")
    params = {"listall": True, "keyword": prefix}

    def requests() -> int:
        return sim.proxy.count(b"command=listVirtualMachines")

    sim.proxy.plan()
    if kind == "sync":
        with CloudStack(sim.proxied, key, secret) as cs:
            iterator = cs.iterate("listVirtualMachines", **params)
            first = next(iterator)
            after_first = requests()
            rest = sum(1 for _ in iterator)
    else:

        async def go() -> tuple[Any, int, int]:
            async with AsyncCloudStack(sim.proxied, key, secret) as cs:
                iterator = cs.iterate("listVirtualMachines", **params)
                first = await iterator.__anext__()
                after_first = requests()
                return first, after_first, sum([1 async for _ in iterator])

        first, after_first, rest = anyio.run(go)
    assert first["id"] in ids
    assert after_first == 1
    assert rest == 1233
    assert requests() == 3


def test_async_fetch_list_overlaps_pages_on_the_simulator(sim: LiveSim) -> None:
    prefix = f"conc{uuid.uuid4().hex[:6]}"
    ids = set(sim.state.bulk_create_vms(1234, name_prefix=prefix))
    key, secret = sim.state.credentials("admin")

    async def timed_listing() -> tuple[list[Any], float]:
        async with AsyncCloudStack(
            sim.endpoint, key, secret, page_size=100, concurrency=4
        ) as client:
            started = time.monotonic()
            vms = await client.listVirtualMachines(fetch_list=True, listall=True, keyword=prefix)
            return vms, time.monotonic() - started

    _, baseline = anyio.run(timed_listing)  # the work itself, without added latency
    with CloudStack(sim.endpoint, key, secret, page_size=100) as cs:
        in_order = cs.listVirtualMachines(fetch_list=True, listall=True, keyword=prefix)
    sim.config.slow_seconds = 0.4  # every answer now waits 0.4 s more
    vms, elapsed = anyio.run(timed_listing)
    assert {vm["id"] for vm in vms} == ids and len(vms) == 1234
    assert [vm["id"] for vm in vms] == [vm["id"] for vm in in_order]  # emitted in page order
    # 13 pages one by one would add at least 13 x 0.4 = 5.2 s; 4 at a time add about
    # 0.4 + 3 x 0.4 = 1.6 s. Anything under 3.4 s more than the baseline proves overlap.
    assert elapsed - baseline < 3.4, (elapsed, baseline)


def test_progress_callback_on_the_simulator(sim: LiveSim, client_call: ClientCall) -> None:
    sim.config.job_latency_by_command = {"deployVirtualMachine": 0.4}
    seen: list[dict[str, Any]] = []
    name = f"p{uuid.uuid4().hex[:8]}"
    result = client_call(
        "deployVirtualMachine",
        name=name,
        fetch_result=True,
        on_progress=seen.append,
        **deploy_spec(sim),
    )
    assert result["virtualmachine"]["name"] == name
    assert len(seen) >= 2
    assert seen[0]["jobstatus"] == 0 and seen[-1]["jobstatus"] == 1
    assert all(job["jobstatus"] == 0 for job in seen[:-1])
    assert len({job["jobid"] for job in seen}) == 1
    assert seen[-1]["jobresult"]["virtualmachine"]["id"] == result["virtualmachine"]["id"]


def test_job_timeout_on_the_simulator(sim: LiveSim, client_call: ClientCall) -> None:
    sim.config.job_latency_by_command = {"deployVirtualMachine": 3.0}
    name = f"slow{uuid.uuid4().hex[:6]}"
    started = time.monotonic()
    with pytest.raises(JobTimeoutError, match=r"did not finish within 0\.5 s") as info:
        client_call(
            "deployVirtualMachine",
            name=name,
            fetch_result=True,
            options={"job_timeout": 0.5, "poll_interval": 0.1},
            **deploy_spec(sim),
        )
    assert time.monotonic() - started < 2.5
    job_id = info.value.job_id
    assert job_id
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs:
        job = cs.queryAsyncJobResult(jobid=job_id)
        assert job["jobstatus"] == 0  # still running on the server: the timeout was ours
        assert job["cmd"].endswith(".vm.DeployVMCmd")
