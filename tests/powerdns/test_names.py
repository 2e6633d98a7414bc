"""The trailing-dot rule: Libcloud users write names without the final dot, PowerDNS wants
canonical names; the driver takes relative, full and canonical names and gives records names
relative to their zone, ``extra["fqdn"]`` and Libcloud's ``TYPE:fqdn`` ids."""

from __future__ import annotations

import pytest

from omnicloud.dns import RecordType, Zone
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
from omnicloud.errors import ProviderError

from .conftest import RawZone, fresh_domain


def test_a_zone_is_made_canonical(d: PowerDNSDriver) -> None:
    domain = fresh_domain()
    made = d.create_zone(domain)
    try:
        assert (made.id, made.domain) == (f"{domain}.", f"{domain}.")
        assert d.get_zone(domain).id == made.id  # the final dot may be left out
        assert d.get_zone(f"{domain}.").id == made.id
        assert made.id in [z.id for z in d.list_zones()]
    finally:
        d.delete_zone(made)


@pytest.mark.parametrize("spelling", ["www", "www.{domain}", "www.{domain}.", "WWW.{domain}"])
def test_every_spelling_of_a_name_is_the_same_record(
    d: PowerDNSDriver, zone: Zone, raw: RawZone, spelling: str
) -> None:
    domain = zone.domain.rstrip(".")
    record = d.create_record(spelling.format(domain=domain), zone, RecordType.A, "192.0.2.1")
    assert record.name.lower() == "www"
    assert record.extra["fqdn"].lower() == f"www.{domain}."
    assert record.id.lower() == f"a:www.{domain}."
    assert [k for k in raw(zone) if k[1] == "A"] == [(record.extra["fqdn"], "A")]


@pytest.mark.parametrize("apex", ["", "@", "{domain}", "{domain}."])
def test_the_apex(d: PowerDNSDriver, zone: Zone, raw: RawZone, apex: str) -> None:
    domain = zone.domain.rstrip(".")
    made = d.create_record(apex.format(domain=domain), zone, RecordType.TXT, '"apex"')
    assert (made.name, made.id, made.extra["fqdn"]) == ("", f"TXT:{zone.domain}", zone.domain)
    assert raw(zone)[(zone.domain, "TXT")]["records"][0]["content"] == '"apex"'


def test_a_record_id_may_be_written_in_any_spelling(d: PowerDNSDriver, zone: Zone) -> None:
    domain = zone.domain.rstrip(".")
    made = d.create_record("host", zone, RecordType.AAAA, "2001:db8::1")
    for ident in (made.id, "AAAA:host", f"AAAA:host.{domain}", f"aaaa:host.{domain}."):
        got = d.get_record(zone.id, ident)
        assert (got.id, got.name, got.data) == (made.id, "host", "2001:db8::1"), ident
    assert d.get_record(domain, made.id).id == made.id  # the zone id without its dot too


def test_host_names_in_the_data_are_made_canonical(
    d: PowerDNSDriver, zone: Zone, raw: RawZone
) -> None:
    cases = [
        ("alias", RecordType.CNAME, "target.example.net", {}, "target.example.net."),
        ("", RecordType.NS, "ns2.example.net", {}, "ns2.example.net."),
        ("1", RecordType.PTR, "host.example.net", {}, "host.example.net."),
        ("mail", RecordType.MX, "mx.example.net", {"priority": 5}, "5 mx.example.net."),
        (
            "_sip._udp", RecordType.SRV, "sip.example.net",
            {"priority": 1, "weight": 2, "port": 5060}, "1 2 5060 sip.example.net.",
        ),
    ]  # fmt: skip
    for name, kind, data, extra, content in cases:
        made = d.create_record(name, zone, kind, data, extra)
        assert made.data == f"{data}."
        fqdn = f"{name}.{zone.domain}" if name else zone.domain
        assert content in [r["content"] for r in raw(zone)[(fqdn, kind)]["records"]]
        # a record object built from the dotless data still finds its content
        assert d.delete_record(made) is True


def test_a_name_out_of_the_zone_is_refused_by_powerdns(d: PowerDNSDriver, zone: Zone) -> None:
    with pytest.raises(ProviderError, match="out of zone") as caught:
        d.create_record("www.elsewhere.example.org.", zone, RecordType.A, "192.0.2.1")
    assert caught.value.status == 422
