"""The PowerDNS DNS driver (sync and async) passes the DNS conformance suite on a real PowerDNS
Authoritative Server (``tests/support/powerdns.py``), with a sample of every record type it
serves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.dns import RecordType
from omnicloud.dns.drivers.powerdns import AsyncPowerDNSDriver, PowerDNSDriver
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.powerdns import PowerDNSServer, powerdns_server

from ._twin import MODES, Subject, open_subject
from .dns import DNSCaps, TestDNSConformance

__all__ = ["TestDNSConformance", "powerdns_server"]

QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)
T = RecordType
# Every type PowerDNS serves outside the apex, as PowerDNS lists it back (the data a user
# gives in another spelling is normalised: host names get their final dot, TXT its quotes).
SAMPLES = {
    T.A: ("192.0.2.10", {}),
    T.AAAA: ("2001:db8::10", {}),
    T.AFSDB: ("1 afs.example.net.", {}),
    T.ALIAS: ("target.example.net.", {}),
    T.CAA: ('0 issue "letsencrypt.org"', {}),
    T.CERT: ("1 0 0 MIIB", {}),
    T.CNAME: ("target.example.net.", {}),
    T.DNAME: ("example.net.", {}),
    T.DS: ("12345 8 2 49fd46e6c4b45c55d4ac69cbd3cd34ac1afe51de5d4ac69cbd3cd34ac1afe51d", {}),
    T.HINFO: ('"PC" "Linux"', {}),
    T.HTTPS: ("1 . alpn=h2", {}),
    T.KEY: ("256 3 8 AwEAAag=", {}),
    T.LOC: ("51 30 12.748 N 0 7 39.611 W 0.00m 1.00m 10000.00m 10.00m", {}),
    T.MX: ("mail.example.net.", {"priority": 10}),
    T.NAPTR: ('100 10 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .', {}),
    T.NS: ("ns2.example.net.", {}),
    T.NSEC: ("next.example.com. A", {}),
    T.OPENPGPKEY: ("mQENBFkx", {}),
    T.PTR: ("host.example.net.", {}),
    T.RP: ("admin.example.net. txt.example.net.", {}),
    T.SPF: ('"v=spf1 -all"', {}),
    T.SRV: ("sip.example.net.", {"priority": 10, "weight": 5, "port": 5060}),
    T.SSHFP: ("1 1 123456789abcdef67890123456789abcdef67890", {}),
    T.SVCB: ("1 . alpn=h2", {}),
    T.TLSA: ("3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", {}),
    T.TXT: ('"v=spf1 -all"', {}),
}
# Every new zone has its apex SOA and NS sets; a missing zone id is a canonical name.
CAPS = DNSCaps(
    samples=SAMPLES,
    builtin_types=frozenset({"SOA", "NS"}),
    missing_zone_id="no-such-zone.example.invalid.",
)


@pytest.fixture(params=MODES)
def dns_driver(
    request: pytest.FixtureRequest, powerdns_server: PowerDNSServer, portal: Any
) -> Iterator[Subject[DNSCaps]]:
    def make(asynchronous: bool) -> Any:
        cls = AsyncPowerDNSDriver if asynchronous else PowerDNSDriver
        return cls(powerdns_server.key, endpoint=powerdns_server.url, http=HttpConfig(retry=QUICK))

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
