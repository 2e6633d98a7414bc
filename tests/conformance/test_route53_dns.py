"""The Route53 DNS driver (sync and async) passes the DNS conformance suite on moto (and on
ministack when the session runs it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.dns.drivers.route53 import AsyncRoute53DNSDriver, Route53DNSDriver
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.s3servers import SELECTED

from ._twin import MODES, Subject, open_subject
from .dns import DNSCaps, TestDNSConformance

__all__ = ["TestDNSConformance"]

SERVERS = [name for name in ("moto", "ministack") if name == "moto" or name in SELECTED]
QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)
# Every new hosted zone has its apex SOA and NS sets; page_size 5 makes listings page.
CAPS = DNSCaps(builtin_types=frozenset({"SOA", "NS"}))


@pytest.fixture(params=[(server, mode) for server in SERVERS for mode in MODES], ids=str)
def dns_driver(request: pytest.FixtureRequest, portal: Any) -> Iterator[Subject[DNSCaps]]:
    name, mode = request.param
    server: Any = request.getfixturevalue(f"{name}_server")

    def make(asynchronous: bool) -> Any:
        cls = AsyncRoute53DNSDriver if asynchronous else Route53DNSDriver
        return cls(
            server.key, server.secret, endpoint=server.endpoint, page_size=5,
            http=HttpConfig(retry=QUICK), poll_interval=0.05,
        )  # fmt: skip

    with open_subject(mode, make, CAPS, portal) as subject:
        yield subject
