"""Region discovery: a location missing from the static table is found through /locations/.

The simulator's ``/locations/`` gets an extra location whose ``api_endpoint`` is the simulator
under another loopback name (``localhost``), so a test can tell the discovered endpoint from the
``{code}.cloudsigma.com`` fallback and from the discovery endpoint (``127.0.0.1``) itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from omnicloud.cloudsigma import REGIONS, AsyncCloudSigma, CloudSigma
from omnicloud.cloudsigma._regions import discovered_endpoint, endpoint_url, resolve_target
from omnicloud.compute.drivers.cloudsigma import AsyncCloudSigmaNodeDriver, CloudSigmaNodeDriver
from omnicloud.errors import ValidationError
from omnicloud.sim.cloudsigma import SimConfig

from .conftest import AsyncRecording, Recording, Sim

NEW = "nyc9"  # not a CloudSigma location today: in neither the static table nor the simulator


@pytest.fixture
def new_location(sim: Sim, knobs: SimConfig) -> Iterator[str]:
    """The API URL the simulator's /locations/ reports for the new location ``NEW``."""
    assert NEW not in REGIONS
    url = sim.endpoint.replace("127.0.0.1", "localhost")
    knobs.extra_locations = [
        {
            "id": NEW.upper(),
            "display_name": "New York 9",
            "country_code": "US",
            "api_endpoint": url,
        },
        {"id": "BARE1", "display_name": "No endpoint listed", "country_code": "XX"},
    ]
    yield url


def test_resolve_target_rules() -> None:
    assert resolve_target("ZRH") == ("https://zrh.cloudsigma.com/api/2.0/", None)
    assert resolve_target(None) == ("https://zrh.cloudsigma.com/api/2.0/", None)
    assert resolve_target(NEW) == (f"https://{NEW}.cloudsigma.com/api/2.0/", NEW)
    assert resolve_target(NEW, host="cloud.hydro66.com")[1] is None
    with pytest.raises(ValidationError, match="retired"):
        resolve_target("sjc")
    with pytest.raises(ValidationError, match="not a CloudSigma location code"):
        resolve_target("../evil")
    with pytest.raises(ValidationError, match="not a CloudSigma location code"):
        resolve_target("zr h")
    # The static resolver alone still refuses what it cannot know, pointing at discovery.
    with pytest.raises(ValidationError, match="/locations/"):
        endpoint_url(NEW)


def test_discovered_endpoint_rules() -> None:
    objects = [
        {"id": "NYC9", "api_endpoint": "https://nyc9.example.net/api/2.0/"},
        {"id": "BARE1"},
        {"id": "BAD1", "api_endpoint": "http://bad1.example.net/api/2.0/"},
    ]
    assert discovered_endpoint("nyc9", objects, "x") == "https://nyc9.example.net/api/2.0/"
    assert discovered_endpoint("bare1", objects, "x") == "https://bare1.cloudsigma.com/api/2.0/"
    with pytest.raises(ValidationError, match="clear text"):
        discovered_endpoint("bad1", objects, "x")
    with pytest.raises(ValidationError, match=r"'zzz1'.*bad1, bare1, nyc9"):
        discovered_endpoint("zzz1", objects, "GET x/locations/")


def test_retired_region_is_refused_before_any_request(sim: Sim) -> None:
    transport = Recording()
    with pytest.raises(ValidationError, match="Las Vegas was retired"):
        CloudSigma(
            *sim.state.credentials,
            region="lvs",
            discovery_endpoint=sim.endpoint,
            transport=transport,
        )
    assert transport.sent == []


def test_new_region_is_discovered_then_used(sim: Sim, new_location: str) -> None:
    transport = Recording()
    with CloudSigma(
        *sim.state.credentials, region=NEW, discovery_endpoint=sim.endpoint, transport=transport
    ) as cs:
        assert cs.endpoint == f"https://{NEW}.cloudsigma.com/api/2.0/"  # provisional
        assert cs.get("balance")["currency"] == "EUR"
        assert cs.endpoint == new_location
        assert cs.get("balance")["currency"] == "EUR"
        regions = {r.id: r for r in cs.regions()}
    first, second, third, fourth = transport.sent
    assert (first.host, first.path, first.query) == (
        "127.0.0.1",
        "/api/2.0/locations/",
        {"limit": "0"},
    )
    assert (second.host, second.path) == ("localhost", "/api/2.0/balance/")
    assert (third.host, fourth.host) == ("localhost", "localhost")  # discovered once only
    assert regions[NEW].host == "localhost" and regions[NEW].name == "New York 9"
    assert "zrh" in regions


def test_new_region_discovered_async(sim: Sim, new_location: str) -> None:
    transport = AsyncRecording()

    async def go() -> tuple[str, list[Any]]:
        async with AsyncCloudSigma(
            *sim.state.credentials,
            region=NEW.upper(),
            discovery_endpoint=sim.endpoint,
            transport=transport,
        ) as cs:
            # Concurrent first calls: every one lands on the discovered endpoint.
            async with anyio.create_task_group() as group:
                for _ in range(3):
                    group.start_soon(cs.get, "balance")
            return cs.endpoint, await cs.list("libdrives", page_size=4)

    endpoint, drives = anyio.run(go)
    assert endpoint == new_location and len(drives) == 9
    api = [s for s in transport.sent if s.path != "/api/2.0/locations/"]
    assert api and all(s.host == "localhost" and s.status == 200 for s in api)
    assert all(s.host == "127.0.0.1" for s in transport.sent if s.path == "/api/2.0/locations/")


def test_location_without_endpoint_uses_documented_host(sim: Sim, new_location: str) -> None:
    with CloudSigma(*sim.state.credentials, region="bare1", discovery_endpoint=sim.endpoint) as cs:
        assert cs.resolve_endpoint() == "https://bare1.cloudsigma.com/api/2.0/"
        assert cs.settings.pending_region is None


def test_unlisted_region_fails_clearly_on_first_call(sim: Sim, new_location: str) -> None:
    transport = Recording()
    with (
        CloudSigma(
            *sim.state.credentials,
            region="atl7",
            discovery_endpoint=sim.endpoint,
            transport=transport,
        ) as cs,
        pytest.raises(ValidationError, match=r"unknown CloudSigma region 'atl7'.*zrh"),
    ):
        cs.get("balance")
    assert [s.path for s in transport.sent] == ["/api/2.0/locations/"]


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_driver_uses_a_discovered_region(sim: Sim, new_location: str, kind: str) -> None:
    options: dict[str, Any] = {"region": NEW, "discovery_endpoint": sim.endpoint}
    if kind == "sync":
        with CloudSigmaNodeDriver(*sim.state.credentials, **options) as driver:
            balance = driver.ex_get_balance()
            locations = driver.list_locations()
            endpoint = driver.endpoint
    else:

        async def go() -> tuple[Any, Any, str]:
            async with AsyncCloudSigmaNodeDriver(*sim.state.credentials, **options) as driver:
                return (
                    await driver.ex_get_balance(),
                    await driver.list_locations(),
                    driver.endpoint,
                )

        balance, locations, endpoint = anyio.run(go)
    assert balance.currency == "EUR" and endpoint == new_location
    assert NEW in {location.id for location in locations}
