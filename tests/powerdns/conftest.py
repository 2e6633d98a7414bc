"""The PowerDNS tests' server (``tests/support/powerdns.py``, registered here only), drivers in
both modes, fresh zones, and the zone as PowerDNS itself stores it (read with httpx)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from omnicloud.dns import Zone
from omnicloud.dns.drivers.powerdns import AsyncPowerDNSDriver, PowerDNSDriver
from omnicloud.errors import NotFoundError
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.powerdns import PowerDNSServer, powerdns_server

__all__ = ["powerdns_server"]

QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)


def fresh_domain() -> str:
    """A zone name no other test uses (without the final dot, as Libcloud users write it)."""
    return f"t-{uuid.uuid4().hex[:10]}.example.com"


@pytest.fixture
def d(mode: str, portal: Portal, powerdns_server: PowerDNSServer) -> Iterator[PowerDNSDriver]:
    """A PowerDNS driver, sync or async (behind the portal)."""
    driver = open_in_mode(
        mode, portal, PowerDNSDriver, AsyncPowerDNSDriver, powerdns_server.key,
        endpoint=powerdns_server.url, http=HttpConfig(retry=QUICK),
    )  # fmt: skip
    yield driver
    close_in_mode(driver, portal)


@pytest.fixture
def zone(d: PowerDNSDriver) -> Iterator[Zone]:
    """A fresh Native zone with one name server, deleted after the test."""
    made = d.create_zone(fresh_domain(), extra={"nameservers": ["ns1.example.com"]})
    yield made
    with contextlib.suppress(NotFoundError):
        d.delete_zone(made)


RawZone = Callable[[Zone], dict[tuple[str, str], dict[str, Any]]]


@pytest.fixture
def raw(powerdns_server: PowerDNSServer) -> RawZone:
    """``raw(zone)``: the zone's RRsets as PowerDNS stores them, by ``(name, type)``."""

    def read(zone: Zone) -> dict[tuple[str, str], dict[str, Any]]:
        answer = httpx.get(
            f"{powerdns_server.url}/api/v1/servers/localhost/zones/{zone.id}",
            headers={"X-API-Key": powerdns_server.key},
            timeout=10,
        )
        answer.raise_for_status()
        return {(s["name"], s["type"]): s for s in answer.json()["rrsets"]}

    return read
