"""The REST client: endpoints, auth, errors, pagination and retries, sync and async."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import pytest

from omnicloud.cloudsigma import (
    AsyncCloudSigma,
    CloudSigma,
    CloudSigmaAuthError,
    CloudSigmaError,
    CloudSigmaNotFoundError,
    CloudSigmaPermissionError,
    RetiredApiError,
)
from omnicloud.cloudsigma._regions import endpoint_url, regions_from_locations
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig, RetryPolicy

from .conftest import Counting, Sim

R = TypeVar("R")


def test_default_region_is_zurich() -> None:
    assert endpoint_url() == "https://zrh.cloudsigma.com/api/2.0/"
    assert endpoint_url("WDC") == "https://wdc.alpha3cloud.com/api/2.0/"
    assert endpoint_url(host="cloud.hydro66.com") == "https://cloud.hydro66.com/api/2.0/"


@pytest.mark.parametrize("region", ["lvs", "sjc", "nowhere"])
def test_retired_or_unknown_regions_are_refused(region: str) -> None:
    with pytest.raises(ValidationError):
        endpoint_url(region)


def test_plain_http_only_to_loopback() -> None:
    assert endpoint_url(endpoint="http://127.0.0.1:9/").startswith("http://127.0.0.1:9/api/2.0")
    assert endpoint_url(endpoint="http://localhost:9/api/2.0/")
    with pytest.raises(ValidationError, match="clear text"):
        CloudSigma("a@b.c", "pw", endpoint="http://cloud.example.com/api/2.0/")


def test_api_1_0_is_retired_with_a_clear_message() -> None:
    with pytest.raises(RetiredApiError, match=r"retired API 1\.0.*2\.0"):
        CloudSigma("a@b.c", "pw", api_version="1.0")


def test_password_is_never_shown() -> None:
    client = CloudSigma("a@b.c", "s3cret-pass")
    assert "s3cret-pass" not in repr(client)
    assert "s3cret-pass" not in repr(client.settings)


def test_regions_from_locations() -> None:
    found = regions_from_locations(
        [{"id": "ZRH", "api_endpoint": "https://zrh.cloudsigma.com/api/2.0/"}, {"id": ""}]
    )
    assert [(r.id, r.host) for r in found] == [("zrh", "zrh.cloudsigma.com")]


def _client(sim: Sim, kind: str, **options: Any) -> Any:
    cls = CloudSigma if kind == "sync" else AsyncCloudSigma
    return cls(sim.state.username, sim.state.password, endpoint=sim.endpoint, **options)


def call(sim: Sim, kind: str, use: Callable[[CloudSigma], R], **options: Any) -> R:
    """``use(client)`` on a fresh sync client made with ``options``, or on a fresh async one.

    ``use`` calls a method directly (``lambda c: c.get("balance")``) and is typed against the
    sync client, whose methods the async one shares; in async mode what it returns (the
    coroutine) is awaited.
    """
    if kind == "sync":
        with _client(sim, kind, **options) as client:
            return use(client)

    async def go() -> R:
        async with _client(sim, kind, **options) as client:
            result: R = await use(client)  # type: ignore[misc]  # the async twin: a coroutine
            return result

    return anyio.run(go)


KINDS = pytest.mark.parametrize("kind", ["sync", "async"])


@KINDS
def test_pagination_follows_meta(sim: Sim, kind: str) -> None:
    everything = call(sim, kind, lambda c: c.list("libdrives"), page_size=2)
    page = call(sim, kind, lambda c: c.get("libdrives", limit=2, offset=2))
    assert len(everything) == page["meta"]["total_count"] == 9
    assert [d["uuid"] for d in everything[2:4]] == [d["uuid"] for d in page["objects"]]


def test_lazy_iteration_fetches_pages_on_demand(sim: Sim) -> None:
    transport = Counting()
    with CloudSigma(*sim.state.credentials, endpoint=sim.endpoint, transport=transport) as cs:
        first = next(iter(cs.iterate("libdrives", page_size=3)))
        assert first["name"]
        assert len(transport.paths) == 1


def test_default_limit_is_twenty(sim: Sim, knobs: Any) -> None:
    knobs.default_limit = 4
    with CloudSigma(*sim.state.credentials, endpoint=sim.endpoint) as cs:
        body = cs.get("libdrives")
    assert body["meta"] == {"limit": 4, "offset": 0, "total_count": 9}


@KINDS
def test_filters_and_regions(sim: Sim, kind: str) -> None:
    cds = call(sim, kind, lambda c: c.list("libdrives", media="cdrom", image_type="install"))
    assert {d["name"] for d in cds} >= {"FreeBSD 8.2", "IPCop 2.0"}
    regions = call(sim, kind, lambda c: c.regions())
    assert regions[0].id == "zrh"


@KINDS
def test_errors_carry_type_point_and_message(sim: Sim, kind: str) -> None:
    with pytest.raises(CloudSigmaError) as info:
        call(
            sim,
            kind,
            lambda c: c.create(
                "servers", [{"name": "x", "cpu": 500000, "mem": 2**30, "vnc_password": "v"}]
            ),
        )
    error = info.value
    assert (error.status, error.error_type, error.error_point) == (400, "validation", "cpu")
    assert "80000" in error.error_message
    with pytest.raises(CloudSigmaNotFoundError) as missing:
        call(sim, kind, lambda c: c.get("servers/00000000-0000-0000-0000-000000000000"))
    assert missing.value.error_type == "notexist"


@KINDS
def test_bad_password(sim: Sim, kind: str) -> None:
    client = CloudSigma if kind == "sync" else AsyncCloudSigma
    bad = client(sim.state.username, "wrong-password", endpoint=sim.endpoint)

    async def go() -> Any:
        return await bad.get("balance")

    with pytest.raises(CloudSigmaAuthError) as info:
        bad.get("balance") if kind == "sync" else anyio.run(go)
    assert "wrong-password" not in str(info.value)


@KINDS
def test_drive_lifecycle_with_wait(sim: Sim, kind: str) -> None:
    created = call(
        sim, kind, lambda c: c.create("drives", [{"name": "c", "size": 2**30, "media": "disk"}])
    )
    assert created[0]["status"] == "creating"
    path = f"drives/{created[0]['uuid']}"
    assert call(sim, kind, lambda c: c.wait_for(path, "unmounted"))["status"] == "unmounted"
    renamed = call(sim, kind, lambda c: c.update(path, {**created[0], "name": "renamed"}))
    assert renamed["name"] == "renamed"
    resized = call(sim, kind, lambda c: c.action(path, "resize", {**renamed, "size": 2 * 2**30}))
    assert resized["objects"][0]["status"] == "resizing"
    call(sim, kind, lambda c: c.wait_for(path, "unmounted"))
    assert call(sim, kind, lambda c: c.delete(path)) is None
    with pytest.raises(CloudSigmaNotFoundError):
        call(sim, kind, lambda c: c.get(path))


def test_wrong_state_is_a_permission_error(sim: Sim) -> None:
    with CloudSigma(*sim.state.credentials, endpoint=sim.endpoint) as cs:
        (server,) = cs.create(
            "servers", [{"name": "s", "cpu": 1000, "mem": 2**30, "vnc_password": "v"}]
        )
        with pytest.raises(CloudSigmaPermissionError, match="Guest should be in state"):
            cs.action(f"servers/{server['uuid']}", "stop")
        cs.delete(f"servers/{server['uuid']}")


def test_concurrency_errors_are_retried_even_for_posts(sim: Sim, knobs: Any) -> None:
    knobs.concurrency_rate, knobs.seed = 0.5, 7
    transport = Counting()
    fast = HttpConfig(retry=RetryPolicy(max_attempts=8, backoff=0.01), transport=transport)
    with CloudSigma(*sim.state.credentials, endpoint=sim.endpoint, http=fast) as cs:
        for _ in range(5):
            cs.create("tags", [{"name": "retry-me"}])
    assert len(transport.paths) > 5


def test_503_for_gets_is_retried_then_raised(sim: Sim, knobs: Any) -> None:
    knobs.error_rate = 1.0
    transport = Counting()
    with (
        CloudSigma(
            *sim.state.credentials, endpoint=sim.endpoint, transport=transport, retry=2
        ) as cs,
        pytest.raises(CloudSigmaError) as info,
    ):
        cs.get("balance")
    assert info.value.status == 503 and info.value.error_type == "backend"
    assert len(transport.paths) == 3


def test_429_is_retried(sim: Sim, knobs: Any) -> None:
    knobs.rate_limit = 3
    with CloudSigma(*sim.state.credentials, endpoint=sim.endpoint, retry=5) as cs:
        for _ in range(6):
            assert cs.get("balance")["currency"] == "EUR"
