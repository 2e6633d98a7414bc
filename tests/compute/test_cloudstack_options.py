"""Constructor options reach the HTTP layer (timeout, retries, verify, proxy), and list_nodes
costs one request per page; sync and async.

The request count runs against the simulator. The option tests use the programmable stub server
instead because they need what the simulator does not stage: an answer that comes late, 503s
then success, a TLS endpoint with its own CA, and a proxy that sees the absolute request URL.
"""

from __future__ import annotations

import math
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from omnicloud.compute.drivers.cloudstack import AsyncCloudStackNodeDriver, CloudStackNodeDriver
from omnicloud.errors import (
    CloudStackApiError,
    RequestNotSentError,
    RequestTimeoutError,
    ValidationError,
)
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, error, ok
from tests.support.stub_server import Reply, Seen, StubServer

from .conftest import Blocking, CountingTransport, Sim, close_driver, make_driver

ZONE = {"id": "z1", "name": "Zone One", "networktype": "Advanced"}


def zones(seen: Seen) -> Reply:
    return ok("listZones", {"count": 1, "zone": [ZONE]})


def driver_for(mode: str, url: str, portal: Any, **options: Any) -> Any:
    if mode == "sync":
        return CloudStackNodeDriver(KEY, SECRET, url=url, **options)
    return Blocking(AsyncCloudStackNodeDriver(KEY, SECRET, url=url, **options), portal)


@pytest.fixture
def opened(portal: Any) -> Iterator[list[Any]]:
    """Drivers a test opens, closed after it."""
    drivers: list[Any] = []
    yield drivers
    for driver in drivers:
        close_driver(driver, portal)


def test_options_land_in_the_http_configuration(mode: str, portal: Any) -> None:
    driver = driver_for(
        mode,
        "https://cloud.example/client/api",
        portal,
        timeout=7.5,
        retries=5,
        verify="/etc/ssl/custom-ca.pem",
        proxy="http://proxy.example:3128",
    )
    core = driver.driver if isinstance(driver, Blocking) else driver
    config = core._http.config
    assert (config.read_timeout, config.connect_timeout, config.timeout) == (7.5, 7.5, 60.0)
    assert config.retry.max_attempts == 6
    assert config.verify == "/etc/ssl/custom-ca.pem"
    assert config.proxy == "http://proxy.example:3128"
    assert core._settings.retry.max_attempts == 6
    close_driver(driver, portal)


def test_timeout_bounds_a_slow_answer(
    mode: str, stub: StubServer, portal: Any, opened: list[Any]
) -> None:
    stub.handle(FakeCloudStack(listZones=lambda seen: Reply(200, b"{}", delay=0.8)))
    driver = driver_for(mode, f"{stub.url}/client/api", portal, timeout=0.15, retries=0)
    opened.append(driver)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError):
        driver.list_locations()
    assert time.monotonic() - started < 0.7


def test_retries_counts_extra_attempts(
    mode: str, stub: StubServer, portal: Any, opened: list[Any]
) -> None:
    answers = iter([503, 503, 200, 503, 200])

    def flaky(seen: Seen) -> Reply:
        status = next(answers)
        return zones(seen) if status == 200 else error("listZones", status, "busy")

    stub.handle(FakeCloudStack(listZones=flaky))
    url = f"{stub.url}/client/api"
    patient = driver_for(mode, url, portal, retries=2)
    opened.append(patient)
    assert [z.id for z in patient.list_locations()] == ["z1"]  # 503, 503, then 200
    assert len(stub.requests) == 3
    impatient = driver_for(mode, url, portal, retries=0)
    opened.append(impatient)
    with pytest.raises(CloudStackApiError, match="503"):
        impatient.list_locations()
    assert len(stub.requests) == 4  # no second attempt


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_server(ca: trustme.CA) -> Iterator[StubServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = StubServer(ssl_context=context)
    server.handle(FakeCloudStack(listZones=zones))
    yield server
    server.stop()


def test_verify_option(
    mode: str,
    tls_server: StubServer,
    ca: trustme.CA,
    tmp_path: Path,
    portal: Any,
    opened: list[Any],
) -> None:
    url = f"{tls_server.url}/client/api"
    assert url.startswith("https://")
    strict = driver_for(mode, url, portal, retries=0)
    opened.append(strict)
    with pytest.raises(RequestNotSentError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
        strict.list_locations()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    trusting = driver_for(mode, url, portal, verify=str(bundle))
    opened.append(trusting)
    assert [z.name for z in trusting.list_locations()] == ["Zone One"]
    # verify=False is not a silent off switch; insecure=True is, and it warns
    unverified = driver_for(mode, url, portal, verify=False)
    opened.append(unverified)
    with pytest.raises(ValidationError, match="insecure=True"):
        unverified.list_locations()
    with pytest.warns(UserWarning, match="verification is disabled"):
        off = driver_for(mode, url, portal, insecure=True)
        opened.append(off)
        assert [z.name for z in off.list_locations()] == ["Zone One"]


def test_proxy_option(mode: str, stub: StubServer, portal: Any, opened: list[Any]) -> None:
    """The request goes to the proxy with the cloud's absolute URL; the answer comes back."""
    stub.handle(FakeCloudStack(listZones=zones))
    driver = driver_for(
        mode, "http://cloud.invalid:8080/client/api", portal, proxy=stub.url, retries=0
    )
    opened.append(driver)
    assert [z.id for z in driver.list_locations()] == ["z1"]
    (seen,) = stub.requests
    assert seen.headers["Host"] == "cloud.invalid:8080"
    assert seen.path == "/client/api" and seen.params["command"] == "listZones"


# -- no extra requests ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bob_vms(sim: Sim) -> list[str]:
    """Seven VMs of account bob (no other test uses bob), on several pages of three."""
    return sim.state.bulk_create_vms(7, account="bob", name_prefix="count")


@pytest.mark.parametrize("page_size", [3, 7, 500])
def test_list_nodes_costs_one_request_per_page(
    mode: str, sim: Sim, portal: Any, bob_vms: list[str], page_size: int
) -> None:
    key, secret = sim.state.credentials("bob")
    transport = CountingTransport()
    options: dict[str, Any] = {"page_size": page_size, "transport": transport}
    if mode == "sync":
        driver: Any = CloudStackNodeDriver(key, secret, url=sim.endpoint, **options)
    else:
        driver = Blocking(
            AsyncCloudStackNodeDriver(key, secret, url=sim.endpoint, **options), portal
        )
    try:
        nodes = driver.list_nodes()
    finally:
        close_driver(driver, portal)
    assert sorted(n.id for n in nodes) == sorted(bob_vms)
    assert all(n.private_ips and n.extra["zone_name"] == "Sandbox-Advanced" for n in nodes)
    pages = math.ceil(len(bob_vms) / page_size)
    assert transport.commands == ["listVirtualMachines"] * pages


def test_create_node_costs_one_deploy_and_its_job_polls(mode: str, sim: Sim, portal: Any) -> None:
    """Given a location, create_node sends deployVirtualMachine and polls its job: no zone
    lookup, no follow-up listVirtualMachines."""
    transport = CountingTransport()
    driver = make_driver(mode, sim, portal, transport=transport)
    try:
        location = next(z for z in driver.list_locations() if z.network_type == "Basic")
        size = driver.list_sizes()[0]
        image = next(i for i in driver.list_images() if i.name.startswith("Ubuntu"))
        del transport.commands[:]
        node = driver.create_node("counted", size, image, location=location)
        assert node.name == "counted" and node.public_ips
        first, *polls = transport.commands
        assert first == "deployVirtualMachine" and polls
        assert set(polls) == {"queryAsyncJobResult"}
        driver.destroy_node(node, ex_expunge=True)
    finally:
        close_driver(driver, portal)
