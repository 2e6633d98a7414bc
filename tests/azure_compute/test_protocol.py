"""The ARM protocol layer against a scripted fake: tokens (cache, renewal, AAD errors), long-
running operations, paging, error mapping and retries, and secrets kept out of sight."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from omnicloud.compute import NodeState
from omnicloud.compute.drivers.azure_arm import (
    AzureAuthError,
    AzureNodeDriver,
    AzureOperationFailedError,
    AzureQuotaError,
    AzureRateLimitedError,
)
from omnicloud.errors import InvalidCredentialsError, NotFoundError, RateLimitedError

from ._fake import ARM, CLIENT, LOGIN, SECRET, SUB, TENANT, FakeAzure, reply, vm_doc, vm_path


@pytest.fixture
def fake() -> FakeAzure:
    return FakeAzure()


@pytest.fixture
def driver(fake: FakeAzure) -> Iterator[AzureNodeDriver]:
    made = AzureNodeDriver(
        TENANT,
        SUB,
        CLIENT,
        SECRET,
        region="eastus",
        ex_resource_group="rg",
        endpoint=ARM,
        ex_authority=LOGIN,
        poll_interval=0.01,
        transport=fake.transport(),
    )
    yield made
    made.close()


VMS = f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines"
NICS = f"/subscriptions/{SUB}/providers/Microsoft.Network/networkInterfaces"
IPS = f"/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses"
NIC = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web-nic"
)


def _listing(fake: FakeAzure, pages: list[list[dict[str, Any]]]) -> None:
    answers = []
    for index, page in enumerate(pages):
        body: dict[str, Any] = {"value": page}
        if index + 1 < len(pages):
            body["nextLink"] = (
                f"{ARM}{VMS}?api-version=x&$expand=instanceView&$skiptoken={index + 1}"
            )
        answers.append(reply(200, body))
    fake.on("GET", VMS, *answers)
    nic = {
        "id": NIC,
        "properties": {
            "ipConfigurations": [
                {
                    "properties": {
                        "privateIPAddress": "10.0.0.4",
                        "publicIPAddress": {"id": "/ip/web-ip"},
                    }
                }
            ]
        },
    }
    fake.on("GET", NICS, reply(200, {"value": [nic]}))
    fake.on(
        "GET",
        IPS,
        reply(200, {"value": [{"id": "/ip/web-ip", "properties": {"ipAddress": "20.1.2.3"}}]}),
    )


def test_list_nodes_follows_next_links_with_states_and_addresses(
    fake: FakeAzure, driver: AzureNodeDriver
) -> None:
    _listing(fake, [[vm_doc("web", "running", NIC)], [vm_doc("db", "deallocated")]])
    nodes = driver.list_nodes()
    assert [(n.name, n.state) for n in nodes] == [
        ("web", NodeState.RUNNING),
        ("db", NodeState.STOPPED),
    ]
    assert nodes[0].public_ips == ["20.1.2.3"] and nodes[0].private_ips == ["10.0.0.4"]
    assert (
        nodes[0].extra["power_state"] == "running"
        and nodes[1].extra["power_state"] == "deallocated"
    )
    assert nodes[0].image is not None and nodes[0].image.id == "Canonical:o:s:1"
    assert fake.paths("GET").count(VMS) == 2
    assert fake.tokens_issued == 1  # the token is reused


def test_iterate_nodes_is_lazy(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    _listing(fake, [[vm_doc("web")], [vm_doc("db")]])
    first = next(iter(driver.iterate_nodes()))
    assert first.name == "web"
    assert fake.paths("GET").count(VMS) == 1


def test_wrong_secret_is_invalid_credentials_with_aad_words(fake: FakeAzure) -> None:
    bad = AzureNodeDriver(
        TENANT,
        SUB,
        CLIENT,
        "not-the-secret-123",
        endpoint=ARM,
        ex_authority=LOGIN,
        transport=fake.transport(),
    )
    with pytest.raises(InvalidCredentialsError) as caught:
        bad.list_nodes()
    assert isinstance(caught.value, AzureAuthError)
    assert "AADSTS7000215" in str(caught.value) and "invalid_client" in str(caught.value)
    assert "not-the-secret-123" not in str(caught.value)
    assert "not-the-secret-123" not in repr(bad) + repr(bad.client.tokens.credential)


def test_token_renewed_once_on_401(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    _listing(fake, [[vm_doc("web")]])
    driver.list_nodes()
    fake.valid.clear()  # the token was revoked
    assert driver.list_nodes()
    assert fake.tokens_issued == 2


def test_token_refreshed_before_expiry(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    fake.expires_in = 100
    _listing(fake, [[vm_doc("web")]])
    driver.list_nodes()
    tokens = driver.client.tokens
    assert tokens.token is not None
    late = tokens.token.expires_at - 10
    tokens.clock = lambda: late
    driver.list_nodes()
    assert fake.tokens_issued == 2


def test_missing_vm_is_not_found(driver: AzureNodeDriver) -> None:
    with pytest.raises(NotFoundError) as caught:
        driver.ex_get_node("nope")
    assert caught.value.code == "ResourceNotFound" and caught.value.status == 404


def _put_with_async_operation(fake: FakeAzure, path: str, final: dict[str, Any]) -> None:
    status = "/operations/op-1"
    fake.on(
        "PUT",
        path,
        reply(
            201,
            {**final, "properties": {"provisioningState": "Creating"}},
            Azure_AsyncOperation=f"{ARM}{status}?api-version=x",
            Retry_After="0",
        ),
    )
    fake.on(
        "GET",
        status,
        reply(200, {"status": "InProgress"}, Retry_After="0"),
        reply(200, {"status": "Succeeded"}),
    )


def test_lro_follows_azure_async_operation(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    disk = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"
    final = {
        "id": disk,
        "name": "d1",
        "location": "eastus",
        "properties": {
            "provisioningState": "Succeeded",
            "diskSizeGB": 4,
            "diskState": "Unattached",
        },
    }
    _put_with_async_operation(fake, disk, final)
    fake.on("GET", disk, reply(200, final))
    volume = driver.create_volume(4, "d1")
    assert volume.size == 4 and volume.state == "available"
    assert fake.paths("GET").count("/operations/op-1") == 2


@pytest.mark.parametrize(("hint", "waited"), [("0", 0.01), (None, 0.01), ("3", 3.0)])
def test_lro_waits_retry_after_or_its_own_interval(
    fake: FakeAzure,
    driver: AzureNodeDriver,
    monkeypatch: pytest.MonkeyPatch,
    hint: str | None,
    waited: float,
) -> None:
    # "Retry-After: 0" is no reason to poll without pause (a busy loop against the service)
    disk = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d3"
    final = {"id": disk, "name": "d3", "location": "eastus", "properties": {"diskSizeGB": 4}}
    headers = {} if hint is None else {"Retry_After": hint}
    fake.on(
        "PUT",
        disk,
        reply(201, {"id": disk}, Azure_AsyncOperation=f"{ARM}/operations/op-3?api-version=x"),
    )
    fake.on(
        "GET",
        "/operations/op-3",
        reply(200, {"status": "InProgress"}, **headers),
        reply(200, {"status": "Succeeded"}),
    )
    fake.on("GET", disk, reply(200, final))
    slept: list[float] = []
    monkeypatch.setattr("omnicloud.http._transport.time.sleep", slept.append)
    driver.create_volume(4, "d3")
    assert slept[-1] == pytest.approx(waited, abs=0.005)
    assert all(seconds > 0 for seconds in slept)


def test_failed_lro_raises_with_azure_code(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    disk = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d2"
    fake.on(
        "PUT",
        disk,
        reply(
            201,
            {"id": disk},
            Azure_AsyncOperation=f"{ARM}/operations/op-2?api-version=x",
            Retry_After="0",
        ),
    )
    fake.on(
        "GET",
        "/operations/op-2",
        reply(
            200,
            {
                "status": "Failed",
                "error": {
                    "code": "AllocationFailed",
                    "message": "Allocation failed. Try another size.",
                },
            },
        ),
    )
    with pytest.raises(AzureOperationFailedError) as caught:
        driver.create_volume(4, "d2")
    assert caught.value.code == "AllocationFailed"
    assert "Allocation failed" in str(caught.value)


def test_location_polling_for_post(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    fake.on(
        "POST",
        vm_path("web") + "/powerOff",
        reply(202, None, Location=f"{ARM}/results/r1?api-version=x", Retry_After="0"),
    )
    fake.on("GET", "/results/r1", reply(202, None, Retry_After="0"), reply(200, None))
    assert driver.stop_node(vm_path("web")) is True  # type: ignore[arg-type]
    assert fake.paths("GET").count("/results/r1") == 2


def test_quota_error(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    disk = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/big"
    fake.on(
        "PUT",
        disk,
        reply(
            409,
            {
                "error": {
                    "code": "OperationNotAllowed",
                    "message": "Operation could not be completed as it results in exceeding "
                    "approved Total Regional Cores quota.",
                }
            },
        ),
    )
    with pytest.raises(AzureQuotaError, match="quota"):
        driver.create_volume(4, "big")


def test_429_retried_for_reads_only(fake: FakeAzure, driver: AzureNodeDriver) -> None:
    throttled = reply(
        429, {"error": {"code": "TooManyRequests", "message": "slow down"}}, Retry_After="0"
    )
    fake.on("GET", vm_path("web"), throttled, reply(200, vm_doc("web")))
    assert driver.ex_get_node("web").name == "web"
    disk = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d3"
    fake.on("PUT", disk, throttled, reply(200, {"id": disk}))
    with pytest.raises(RateLimitedError) as caught:
        driver.create_volume(4, "d3")
    assert isinstance(caught.value, AzureRateLimitedError) and caught.value.retry_after == 0
    assert fake.paths("PUT").count(disk) == 1


def test_secrets_never_shown(
    fake: FakeAzure, driver: AzureNodeDriver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _listing(fake, [[vm_doc("web")]])
    driver.list_nodes()
    token = driver.client.tokens.token
    assert token is not None
    shown = " ".join(
        [
            repr(driver),
            repr(driver.client),
            repr(driver.client.tokens),
            repr(driver.client.tokens.credential),
            caplog.text,
        ]
    )
    assert "oauth2/v2.0/token" in caplog.text and "virtualMachines" in caplog.text  # traced
    assert SECRET not in shown and token.value not in shown
    assert driver.client.redactor.text(f"x {token.value} {SECRET}").count("token-") == 0


def test_http_endpoint_allowed_but_https_default() -> None:
    from omnicloud.azure._arm import DEFAULT_ARM_ENDPOINT
    from omnicloud.azure._identity import DEFAULT_AUTHORITY

    made = AzureNodeDriver(
        TENANT, SUB, CLIENT, SECRET, transport=httpx.MockTransport(lambda r: reply(500))
    )
    assert made.client.endpoint == DEFAULT_ARM_ENDPOINT == "https://management.azure.com"
    assert made.client.tokens.credential.authority == DEFAULT_AUTHORITY  # type: ignore[union-attr]
    made.close()


def test_concurrent_async_calls_share_one_token_request(fake: FakeAzure) -> None:
    import anyio

    from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver

    fake.on("GET", vm_path("web"), reply(200, vm_doc("web")))

    async def scenario() -> list[str]:
        async with AsyncAzureNodeDriver(
            TENANT,
            SUB,
            CLIENT,
            SECRET,
            ex_resource_group="rg",
            endpoint=ARM,
            ex_authority=LOGIN,
            transport=fake.transport(),
        ) as driver:
            results: list[str] = []

            async def one() -> None:
                results.append((await driver.ex_get_node("web")).name)

            async with anyio.create_task_group() as group:
                for _ in range(10):
                    group.start_soon(one)
            return results

    assert anyio.run(scenario) == ["web"] * 10
    assert fake.tokens_issued == 1
