"""Libcloud's PowerDNS example (docs/examples/dns/powerdns/instantiate_driver.py) and the usual
Libcloud calls after it run on omnicloud with only the imports changed."""

from __future__ import annotations

import uuid
from typing import Any

from omnicloud.dns.providers import get_async_driver
from omnicloud.dns.types import Provider, RecordType
from tests.support.modes import Portal
from tests.support.powerdns import PowerDNSServer

# Libcloud's example, then create_zone / create_record / list_records as Libcloud's docs use
# them: full names without the final dot, the TTL in extra, the zone's name servers in extra.
LIBCLOUD_CODE = """
from libcloud.dns.types import Provider, RecordType
from libcloud.dns.providers import get_driver

cls = get_driver(Provider.POWERDNS)

# powerdns3.example.com is running PowerDNS v3.x.
driver = cls(key=KEY, host=HOST, port=PORT)

# OR:

# powerdns4.example.com is running PowerDNS v4.x, so it uses api_version v1.
driver = cls(key=KEY, host=HOST, port=PORT,
             api_version='v1')

zone = driver.create_zone(domain=DOMAIN, extra={'nameservers': ['ns1.' + DOMAIN]})
record = driver.create_record(name='www.' + DOMAIN, zone=zone, type=RecordType.A,
                              data='192.0.2.10', extra={'ttl': 300})
records = driver.list_records(zone)
"""


def test_the_libcloud_example_runs_with_only_the_imports_changed(
    powerdns_server: PowerDNSServer,
) -> None:
    code = LIBCLOUD_CODE.replace("from libcloud.", "from omnicloud.")
    assert code.count("omnicloud") == 2 and "libcloud" not in code
    domain = f"lc-{uuid.uuid4().hex[:10]}.example.org"
    scope: dict[str, Any] = {
        "KEY": powerdns_server.key, "HOST": "127.0.0.1", "PORT": powerdns_server.port,
        "DOMAIN": domain,
    }  # fmt: skip
    exec(compile(code, "libcloud_powerdns_example.py", "exec"), scope)
    driver, zone, record = scope["driver"], scope["zone"], scope["record"]
    try:
        assert type(driver).__name__ == "PowerDNSDriver"
        assert (zone.id, zone.domain) == (f"{domain}.", f"{domain}.")
        assert (record.id, record.data, record.ttl) == (f"A:www.{domain}.", "192.0.2.10", 300)
        listed = {(str(r.type), r.extra["fqdn"], r.data) for r in scope["records"]}
        assert ("A", f"www.{domain}.", "192.0.2.10") in listed
        assert ("NS", f"{domain}.", f"ns1.{domain}.") in listed
        assert {r.id for r in scope["records"]} >= {record.id, f"SOA:{domain}.", f"NS:{domain}."}
        # Libcloud's other calls on the same objects
        assert driver.get_zone(zone.id).domain == zone.domain
        assert driver.get_record(zone.id, record.id).data == "192.0.2.10"
        updated = driver.update_record(record, record.name, RecordType.A, "192.0.2.11")
        assert updated.data == "192.0.2.11"
        assert driver.delete_record(updated) is True
    finally:
        assert driver.delete_zone(zone) is True
        driver.close()


def test_the_async_twin(powerdns_server: PowerDNSServer, portal: Portal) -> None:
    cls = get_async_driver(Provider.POWERDNS)
    domain = f"lc-{uuid.uuid4().hex[:10]}.example.org"

    async def run() -> list[tuple[str, str]]:
        async with cls(key=powerdns_server.key, host="127.0.0.1", port=powerdns_server.port) as d:
            zone = await d.create_zone(domain, extra={"nameservers": ["ns1." + domain]})
            try:
                await d.create_record("www." + domain, zone, RecordType.A, "192.0.2.1")
                await d.create_record("www", zone, RecordType.A, "192.0.2.2")
                return sorted([(r.name, r.data) async for r in d.iterate_records(zone)])
            finally:
                await d.delete_zone(zone)

    got = portal.call(run)
    assert ("www", "192.0.2.1") in got and ("www", "192.0.2.2") in got
