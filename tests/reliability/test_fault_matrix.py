"""Every fault against every kind of call, for CloudStack, CloudSigma and S3.

A fault-injecting proxy (``tests/support/fault_proxy.py``) sits between our clients and real servers
(the CloudStack and CloudSigma simulators, moto's S3). For each fault:

* reads and job polls must succeed through retries, within a bounded time;
* a non-idempotent call (deployVirtualMachine, createVolume, ``POST /servers/``, S3
  CompleteMultipartUpload) must reach the server at most once, counted by the proxy on the server
  side of the connection and by the server's own state, and, when its result cannot be known,
  raise :class:`OutcomeUnknownError` naming the call;
* a 429 (the server refused before doing anything) is waited out and the call made once.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import anyio
import pytest

from omnicloud.cloudsigma import AsyncCloudSigma, CloudSigma
from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import OutcomeUnknownError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.sim.cloudsigma import CloudSigmaState, create_app
from omnicloud.sim.cloudsigma import SimConfig as SigmaConfig
from omnicloud.sim.server import serve_in_thread
from omnicloud.storage import _ranges as ranges
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import IntegrityError
from tests.integration.conftest import LiveSim
from tests.reliability._ledger import LEDGER
from tests.storage.conftest import S3Server
from tests.support.fault_proxy import Fault, FaultProxy

HTML = b"<html><head><title>Error</title></head><body><h1>%d</h1>nginx</body></html>"
TIMEOUT = 1.0  # the clients' read timeout under test; "slow" answers take longer
BOUND = 15.0  # seconds a read or a poll may take to get through its faults


def html(status: int) -> Fault:
    return Fault("reply_before", status=status, body=HTML % status)


def cloudstack_429(command: str) -> Fault:
    text = "The given user has reached his/her account api limit, please retry after 150 ms."
    body = {
        f"{command.lower()}response": {"errorcode": 429, "cserrorcode": 9999, "errortext": text}
    }
    return Fault(
        "reply_before",
        status=429,
        body=json.dumps(body).encode(),
        content_type="application/json; charset=UTF-8",
    )


FAULTS: dict[str, Callable[[], Fault]] = {
    "reset-before-send": lambda: Fault("reset_before"),
    "reset-after-send": lambda: Fault("reset_after"),
    "html-500": lambda: html(500),
    "html-502": lambda: html(502),
    "html-503": lambda: html(503),
    "gateway-502-after-send": lambda: Fault("reply_after", status=502, body=HTML % 502),
    "slower-than-timeout": lambda: Fault("delay", seconds=TIMEOUT * 2.5),
    "truncated-body": lambda: Fault("truncate_body"),
    "cut-document": lambda: Fault("cut_body"),
}
MODES = ["sync", "async"]


def with_match(fault: Fault, match: bytes) -> Fault:
    fault.match = match
    return fault


def fast_http() -> HttpConfig:
    return HttpConfig(
        connect_timeout=2.0,
        read_timeout=TIMEOUT,
        timeout=BOUND,
        retry=RetryPolicy(max_attempts=4, backoff=0.02, backoff_cap=0.1, total_seconds=BOUND),
    )


def survived(kind: str) -> None:
    LEDGER.add("faults injected")
    LEDGER.add("faults survived")
    LEDGER.add(f"faults survived: {kind}")


def run(mode: str, sync: Callable[[], Any], asynchronous: Callable[[], Any]) -> Any:
    return sync() if mode == "sync" else anyio.run(asynchronous)


# CloudStack ------------------------------------------------------------------------------------


def cloudstack_call(sim: LiveSim, mode: str, command: str, **params: Any) -> Any:
    key, secret = sim.state.credentials("admin")
    options: dict[str, Any] = {"http": fast_http(), "poll_interval": 0.05, "job_timeout": BOUND}

    def sync() -> Any:
        with CloudStack(sim.proxied, key, secret, **options) as cs:
            return cs.call(command, **params)

    async def asynchronous() -> Any:
        async with AsyncCloudStack(sim.proxied, key, secret, **options) as cs:
            return await cs.call(command, **params)

    return run(mode, sync, asynchronous)


def cloudstack_spec(sim: LiveSim) -> dict[str, str]:
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs:
        zone = next(z for z in cs.listZones()["zone"] if z["name"] == "Sandbox-Basic")
        offering = next(
            o for o in cs.listServiceOfferings()["serviceoffering"] if not o.get("iscustomized")
        )
        template = cs.listTemplates(templatefilter="executable", zoneid=zone["id"])["template"][0]
    return {"zoneid": zone["id"], "serviceofferingid": offering["id"], "templateid": template["id"]}


def cloudstack_count(sim: LiveSim, command: str, name: str) -> int:
    key, secret = sim.state.credentials("admin")
    lister = {"deployVirtualMachine": "listVirtualMachines", "createVolume": "listVolumes"}
    with CloudStack(sim.endpoint, key, secret) as cs:
        return sum(1 for item in cs.iterate(lister[command], listall=True) if item["name"] == name)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", [*FAULTS, "rate-limited-429"])
def test_cloudstack_reads_get_through(sim: LiveSim, fault: str, mode: str) -> None:
    injected = cloudstack_429("listZones") if fault.startswith("rate") else FAULTS[fault]()
    sim.proxy.plan(with_match(injected, b"command=listZones"))
    started = time.monotonic()
    zones = cloudstack_call(sim, mode, "listZones")
    assert {z["name"] for z in zones["zone"]} >= {"Sandbox-Basic", "Sandbox-Advanced"}
    assert time.monotonic() - started < BOUND
    assert sim.proxy.injected == 1 and sim.proxy.count(b"command=listZones") >= 1
    survived("read")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_cloudstack_job_polls_get_through(sim: LiveSim, fault: str, mode: str) -> None:
    name = f"poll{uuid.uuid4().hex[:8]}"
    spec = cloudstack_spec(sim)
    sim.proxy.plan(with_match(FAULTS[fault](), b"AsyncJob"))
    started = time.monotonic()
    result = cloudstack_call(
        sim, mode, "deployVirtualMachine", name=name, fetch_result=True, **spec
    )
    assert result["virtualmachine"]["name"] == name
    assert time.monotonic() - started < BOUND
    assert sim.proxy.injected == 1
    assert sim.proxy.count(b"command=deployVirtualMachine") == 1
    assert cloudstack_count(sim, "deployVirtualMachine", name) == 1
    survived("job poll")


def cloudstack_create(sim: LiveSim, command: str, name: str) -> dict[str, Any]:
    if command == "deployVirtualMachine":
        return {"name": name, **cloudstack_spec(sim)}
    key, secret = sim.state.credentials("admin")
    with CloudStack(sim.endpoint, key, secret) as cs:
        zone = cs.listZones()["zone"][0]
        offering = next(
            o for o in cs.listDiskOfferings()["diskoffering"] if not o.get("iscustomized")
        )
    return {"name": name, "zoneid": zone["id"], "diskofferingid": offering["id"]}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("command", ["deployVirtualMachine", "createVolume"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_cloudstack_creates_are_never_sent_twice(
    sim: LiveSim, fault: str, command: str, mode: str
) -> None:
    name = f"once{uuid.uuid4().hex[:8]}"
    params = cloudstack_create(sim, command, name)
    needle = f"command={command}".encode()
    sim.proxy.plan(with_match(FAULTS[fault](), needle))
    with pytest.raises(OutcomeUnknownError, match=command) as failure:
        cloudstack_call(sim, mode, command, **params)
    sent = sim.proxy.count(needle)
    assert sent <= 1
    assert failure.value.operation == f"CloudStack {command}"
    # the server did the work exactly as often as the request reached it: never twice
    if command == "deployVirtualMachine":
        time.sleep(0.2)  # let the job finish creating the VM record
    assert cloudstack_count(sim, command, name) == sent
    LEDGER.add("non-idempotent calls under faults")
    LEDGER.add("non-idempotent calls sent twice", int(sent > 1))
    survived("non-idempotent")


@pytest.mark.parametrize("mode", MODES)
def test_cloudstack_create_after_429_is_made_once(sim: LiveSim, mode: str) -> None:
    name = f"rl{uuid.uuid4().hex[:8]}"
    spec = cloudstack_spec(sim)
    needle = b"command=deployVirtualMachine"
    sim.proxy.plan(with_match(cloudstack_429("deployVirtualMachine"), needle))
    result = cloudstack_call(
        sim, mode, "deployVirtualMachine", name=name, fetch_result=True, **spec
    )
    assert result["virtualmachine"]["name"] == name
    assert sim.proxy.count(needle) == 1  # the refused attempt never reached the server
    assert cloudstack_count(sim, "deployVirtualMachine", name) == 1
    LEDGER.add("non-idempotent calls under faults")
    survived("rate limit")


# CloudSigma ------------------------------------------------------------------------------------


@dataclass
class SigmaSim:
    state: CloudSigmaState
    direct: str
    proxy: FaultProxy

    @property
    def proxied(self) -> str:
        return f"{self.proxy.url}/api/2.0/"


@pytest.fixture(scope="module")
def sigma_server() -> Iterator[SigmaSim]:
    state = CloudSigmaState()
    config = SigmaConfig(drive_latency=0.02, clone_latency=0.1, server_latency=0.02)
    server = serve_in_thread(create_app(state, config=config))
    proxy = FaultProxy(server.port)
    yield SigmaSim(state, f"{server.url}/api/2.0/", proxy)
    proxy.stop()
    server.stop()


@pytest.fixture
def sigma(sigma_server: SigmaSim) -> Iterator[SigmaSim]:
    yield sigma_server
    sigma_server.proxy.plan()


def sigma_call(sigma: SigmaSim, mode: str, method: str, *args: Any) -> Any:
    user, password = sigma.state.credentials
    options: dict[str, Any] = {"http": fast_http(), "poll_interval": 0.05, "wait_timeout": BOUND}

    def sync() -> Any:
        with CloudSigma(user, password, endpoint=sigma.proxied, **options) as client:
            return getattr(client, method)(*args)

    async def asynchronous() -> Any:
        async with AsyncCloudSigma(user, password, endpoint=sigma.proxied, **options) as client:
            return await getattr(client, method)(*args)

    return run(mode, sync, asynchronous)


def sigma_servers_named(sigma: SigmaSim, name: str) -> int:
    with CloudSigma(*sigma.state.credentials, endpoint=sigma.direct) as client:
        return sum(1 for server in client.iterate("servers") if server["name"] == name)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_cloudsigma_reads_get_through(sigma: SigmaSim, fault: str, mode: str) -> None:
    sigma.proxy.plan(with_match(FAULTS[fault](), b"GET /api/2.0/libdrives/"))
    started = time.monotonic()
    drives = sigma_call(sigma, mode, "list", "libdrives")
    assert len(drives) >= 5
    assert time.monotonic() - started < BOUND
    assert sigma.proxy.injected == 1
    survived("read")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_cloudsigma_clone_waits_get_through(sigma: SigmaSim, fault: str, mode: str) -> None:
    with CloudSigma(*sigma.state.credentials, endpoint=sigma.direct) as client:
        library = next(d for d in client.iterate("libdrives") if d["media"] == "disk")
        clone = client.action(f"libdrives/{library['uuid']}", "clone", {"name": "c"})
    drive = clone["objects"][0]["uuid"]
    sigma.proxy.plan(with_match(FAULTS[fault](), f"GET /api/2.0/drives/{drive}/".encode()))
    started = time.monotonic()
    done = sigma_call(sigma, mode, "wait_for", f"drives/{drive}", "unmounted")
    assert done["status"] == "unmounted"
    assert time.monotonic() - started < BOUND
    assert sigma.proxy.injected == 1
    with CloudSigma(*sigma.state.credentials, endpoint=sigma.direct) as client:
        client.delete(f"drives/{drive}")
    survived("job poll")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_cloudsigma_server_creation_is_never_sent_twice(
    sigma: SigmaSim, fault: str, mode: str
) -> None:
    name = f"once{uuid.uuid4().hex[:8]}"
    needle = b"POST /api/2.0/servers/"
    sigma.proxy.plan(with_match(FAULTS[fault](), needle))
    definition = [{"name": name, "cpu": 1000, "mem": 2**30, "vnc_password": "v"}]
    with pytest.raises(OutcomeUnknownError, match="servers") as failure:
        sigma_call(sigma, mode, "create", "servers", definition)
    sent = sigma.proxy.count(needle)
    assert sent <= 1
    assert "POST" in (failure.value.operation or "")
    assert sigma_servers_named(sigma, name) == sent
    LEDGER.add("non-idempotent calls under faults")
    LEDGER.add("non-idempotent calls sent twice", int(sent > 1))
    survived("non-idempotent")


# S3 --------------------------------------------------------------------------------------------

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def s3_proxy(moto_server: S3Server) -> Iterator[FaultProxy]:
    port = int(moto_server.endpoint.rsplit(":", 1)[1])
    proxy = FaultProxy(port)
    yield proxy
    proxy.stop()


@pytest.fixture
def s3(moto_server: S3Server, s3_proxy: FaultProxy) -> Iterator[tuple[S3Server, FaultProxy]]:
    yield moto_server, s3_proxy
    s3_proxy.plan()


def s3_options() -> dict[str, Any]:
    return {"addressing": "path", "part_size": 5 * MIB, "concurrency": 2, "http": fast_http()}


def s3_driver(server: S3Server, endpoint: str) -> S3StorageDriver:
    return S3StorageDriver(server.key, server.secret, endpoint=endpoint, **s3_options())


def async_s3_driver(server: S3Server, endpoint: str) -> AsyncS3StorageDriver:
    return AsyncS3StorageDriver(server.key, server.secret, endpoint=endpoint, **s3_options())


def blocks(total: int) -> Iterator[bytes]:
    for start in range(0, total, MIB):
        yield bytes([start // MIB % 251]) * min(MIB, total - start)


@pytest.fixture(scope="module")
def bucket(moto_server: S3Server) -> str:
    direct = s3_driver(moto_server, moto_server.endpoint)
    name = f"faults-{uuid.uuid4().hex[:8]}"
    container = direct.create_container(name)
    direct.upload_object_via_stream(iter([b"hello faults"]), container, "present")
    return name


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_s3_listings_get_through(
    s3: tuple[S3Server, FaultProxy], bucket: str, fault: str, mode: str
) -> None:
    server, proxy = s3
    proxy.plan(with_match(FAULTS[fault](), f"GET /{bucket}?list-type=2".encode()))
    started = time.monotonic()

    def sync() -> list[str]:
        with s3_driver(server, proxy.url) as driver:
            return [o.name for o in driver.list_container_objects(driver.get_container(bucket))]

    async def asynchronous() -> list[str]:
        async with async_s3_driver(server, proxy.url) as driver:
            container = await driver.get_container(bucket)
            return [o.name for o in await driver.list_container_objects(container)]

    assert "present" in run(mode, sync, asynchronous)
    assert time.monotonic() - started < BOUND
    assert proxy.injected == 1
    survived("read")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_s3_downloads_get_through_or_fail_whole(
    s3: tuple[S3Server, FaultProxy], bucket: str, fault: str, mode: str, tmp_path: Any
) -> None:
    """Faults before the body are retried, a body cut mid-way is resumed (Range + If-Match), and a
    body that is short but well framed is an integrity error that leaves no file behind."""
    server, proxy = s3
    proxy.plan(with_match(FAULTS[fault](), f"GET /{bucket}/present".encode()))
    folder = tmp_path / "downloads"
    folder.mkdir()
    target = folder / "present.txt"
    started = time.monotonic()

    def sync() -> bytes:
        with s3_driver(server, proxy.url) as driver:
            obj = driver.get_object(bucket, "present")
            driver.download_object(obj, str(target))
            return target.read_bytes()

    async def asynchronous() -> bytes:
        async with async_s3_driver(server, proxy.url) as driver:
            obj = await driver.get_object(bucket, "present")
            await driver.download_object(obj, str(target))
            return target.read_bytes()

    if fault == "cut-document":
        with pytest.raises(IntegrityError):
            run(mode, sync, asynchronous)
        assert list(folder.iterdir()) == []  # no partial file, no temporary left
        LEDGER.add("corrupted downloads caught")
    else:
        assert run(mode, sync, asynchronous) == b"hello faults"
    assert time.monotonic() - started < BOUND
    assert proxy.injected == 1
    survived("download")


BIG = 12 * MIB  # three spans of s3_options()'s 5 MiB part size


@pytest.fixture(scope="module")
def big_object(moto_server: S3Server, bucket: str) -> bytes:
    data = b"".join(blocks(BIG))
    direct = s3_driver(moto_server, moto_server.endpoint)
    direct.upload_object_via_stream(iter([data]), direct.get_container(bucket), "big")
    return data


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_s3_parallel_range_downloads_get_through_or_fail_whole(
    s3: tuple[S3Server, FaultProxy],
    bucket: str,
    big_object: bytes,
    fault: str,
    mode: str,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fault in one of the parallel ranged GETs (the second span) is retried or its missing
    bytes asked for again; a short but well framed range is an integrity error, no file left."""
    monkeypatch.setattr(ranges, "LATENCY_FACTOR", 0)  # ranges pay, however fast the server
    server, proxy = s3
    proxy.plan(with_match(FAULTS[fault](), f"bytes={5 * MIB}-".encode()))
    folder = tmp_path / "downloads"
    folder.mkdir()
    target = folder / "big"
    started = time.monotonic()

    def sync() -> bytes:
        with s3_driver(server, proxy.url) as driver:
            driver.download_object(driver.get_object(bucket, "big"), str(target))
            return target.read_bytes()

    async def asynchronous() -> bytes:
        async with async_s3_driver(server, proxy.url) as driver:
            await driver.download_object(await driver.get_object(bucket, "big"), str(target))
            return target.read_bytes()

    if fault == "cut-document":
        with pytest.raises(IntegrityError):
            run(mode, sync, asynchronous)
        assert list(folder.iterdir()) == []
        LEDGER.add("corrupted downloads caught")
    else:
        assert run(mode, sync, asynchronous) == big_object
    assert time.monotonic() - started < BOUND
    assert proxy.injected == 1
    assert proxy.count(f"GET /{bucket}/big ".encode()) >= 3  # the first span, then two ranges
    survived("download")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_s3_multipart_complete_is_never_sent_twice(
    s3: tuple[S3Server, FaultProxy], bucket: str, fault: str, mode: str
) -> None:
    server, proxy = s3
    name = f"mp-{uuid.uuid4().hex[:8]}"
    proxy.plan(with_match(FAULTS[fault](), f"POST /{bucket}/{name}?uploadId=".encode()))

    def sync() -> Any:
        with s3_driver(server, proxy.url) as driver:
            container = driver.get_container(bucket)
            return driver.upload_object_via_stream(blocks(11 * MIB), container, name)

    async def asynchronous() -> Any:
        async with async_s3_driver(server, proxy.url) as driver:
            container = await driver.get_container(bucket)
            return await driver.upload_object_via_stream(blocks(11 * MIB), container, name)

    with pytest.raises(OutcomeUnknownError, match="CompleteMultipartUpload"):
        run(mode, sync, asynchronous)
    sent = proxy.count(f"POST /{bucket}/{name}?uploadId=".encode())
    assert sent <= 1
    with s3_driver(server, server.endpoint) as direct:
        container = direct.get_container(bucket)
        still_open = [key for key, _ in direct.ex_iterate_multipart_uploads(container, name)]
    assert still_open == []  # completed by the server, or aborted by us: nothing left behind
    LEDGER.add("non-idempotent calls under faults")
    LEDGER.add("non-idempotent calls sent twice", int(sent > 1))
    survived("non-idempotent")
