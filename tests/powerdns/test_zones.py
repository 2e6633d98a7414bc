"""Zones: Native, Master and Slave kinds, name servers, updates, listings, in both modes."""

from __future__ import annotations

import pytest

from omnicloud.dns import Zone
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
from omnicloud.errors import ValidationError

from .conftest import fresh_domain


def test_a_native_zone_with_name_servers(d: PowerDNSDriver) -> None:
    made = d.create_zone(
        fresh_domain(), extra={"nameservers": ["ns1.example.net", "ns2.example.net."]}
    )
    try:
        assert (made.type, made.ttl, made.extra["kind"]) == ("master", None, "Native")
        assert made.extra["nameservers"] == ["ns1.example.net.", "ns2.example.net."]
        assert made.driver is getattr(d, "driver", d)
        got = d.get_zone(made.id)
        assert sorted(got.extra["nameservers"]) == ["ns1.example.net.", "ns2.example.net."]
        ns = sorted(r.data for r in d.list_records(made) if r.type == "NS")
        assert ns == ["ns1.example.net.", "ns2.example.net."]
    finally:
        d.delete_zone(made)


def test_master_and_slave_zones(d: PowerDNSDriver) -> None:
    master = d.create_zone(fresh_domain(), extra={"kind": "Master", "account": "ops"})
    slave = d.create_zone(fresh_domain(), type="slave", extra={"masters": ["192.0.2.53"]})
    try:
        assert (master.type, master.extra["kind"], master.extra["account"]) == (
            "master", "Master", "ops",
        )  # fmt: skip
        assert (slave.type, slave.extra["kind"], slave.extra["masters"]) == (
            "slave", "Slave", ["192.0.2.53"],
        )  # fmt: skip
        listed = {z.id: z for z in d.list_zones()}
        assert listed[master.id].type == "master" and listed[slave.id].type == "slave"
        assert {master.id, slave.id} <= {z.id for z in d.iterate_zones()}
        # BIND export is for master zones
        with pytest.raises(ValidationError):
            d.export_zone_to_bind_format(slave)
    finally:
        d.delete_zone(master)
        d.delete_zone(slave)


def test_update_zone_changes_kind_and_settings(d: PowerDNSDriver, zone: Zone) -> None:
    changed = d.update_zone(zone, extra={"kind": "Master", "account": "acme"})
    assert (changed.type, changed.extra["kind"], changed.extra["account"]) == (
        "master", "Master", "acme",
    )  # fmt: skip
    slave = d.update_zone(changed, type="slave", extra={"masters": ["192.0.2.1"]})
    assert (slave.type, slave.extra["kind"], slave.extra["masters"]) == (
        "slave", "Slave", ["192.0.2.1"],
    )  # fmt: skip
    back = d.update_zone(slave, type="master")
    assert (back.type, back.extra["kind"]) == ("master", "Native")
    assert d.get_zone(zone.id).extra["kind"] == "Native"
    with pytest.raises(ValidationError, match="rename"):
        d.update_zone(zone, "other.example.com")
    with pytest.raises(ValidationError, match="kind"):
        d.update_zone(zone, extra={"kind": "Bogus"})
