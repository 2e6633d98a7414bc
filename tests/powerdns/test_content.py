"""Record contents as PowerDNS stores them: MX and SRV numbers in the content, TXT quoted (and
cut into 255-byte strings), SOA listed but read-only, types RecordType does not name."""

from __future__ import annotations

import pytest

from omnicloud.dns import RecordType, Zone
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
from omnicloud.errors import ValidationError

from .conftest import RawZone


def _content(raw: RawZone, zone: Zone, name: str, kind: str) -> list[str]:
    fqdn = f"{name}.{zone.domain}" if name else zone.domain
    return [r["content"] for r in raw(zone)[(fqdn, kind)]["records"]]


def test_mx_priority_is_in_the_content(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    made = d.create_record("", zone, RecordType.MX, "mail.example.net.", {"priority": 10})
    assert (made.data, made.extra["priority"]) == ("mail.example.net.", 10)
    assert _content(raw, zone, "", "MX") == ["10 mail.example.net."]
    listed = next(r for r in d.list_records(zone) if r.type == RecordType.MX)
    assert (listed.data, listed.extra["priority"], listed.extra["content"]) == (
        "mail.example.net.", 10, "10 mail.example.net.",
    )  # fmt: skip
    # the priority may also be written in the data
    second = d.create_record("", zone, RecordType.MX, "20 backup.example.net", None)
    assert (second.data, second.extra["priority"]) == ("backup.example.net.", 20)
    with pytest.raises(ValidationError, match="priority"):
        d.create_record("", zone, RecordType.MX, "nopriority.example.net.", None)


def test_srv_numbers_are_in_the_content(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    extra = {"priority": 10, "weight": 60, "port": 5060}
    made = d.create_record("_sip._tcp", zone, RecordType.SRV, "sip.example.net.", extra)
    assert {k: made.extra[k] for k in extra} == extra and made.data == "sip.example.net."
    assert _content(raw, zone, "_sip._tcp", "SRV") == ["10 60 5060 sip.example.net."]
    changed = d.update_record(made, None, None, None, {"port": 5061})
    assert changed.extra["port"] == 5061
    assert _content(raw, zone, "_sip._tcp", "SRV") == ["10 60 5061 sip.example.net."]


@pytest.mark.parametrize(
    ("data", "content"),
    [
        ("plain text", '"plain text"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ('"already quoted"', '"already quoted"'),
        ('"two" "strings"', '"two" "strings"'),
    ],
)
def test_txt_is_quoted(
    d: PowerDNSDriver, zone: Zone, raw: RawZone, data: str, content: str
) -> None:
    made = d.create_record("txt", zone, RecordType.TXT, data)
    assert made.data == content
    assert _content(raw, zone, "txt", "TXT") == [content]
    assert d.get_record(zone.id, made.id).data == content


def test_a_long_txt_is_cut_into_strings(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    text = "v=DKIM1; p=" + "A" * 400
    made = d.create_record("dkim", zone, RecordType.TXT, text)
    stored = _content(raw, zone, "dkim", "TXT")[0]
    assert stored == f'"{text[:255]}" "{text[255:]}"' == made.data


def test_soa_is_listed_and_read_only(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    soa = [r for r in d.list_records(zone) if r.type == RecordType.SOA]
    assert len(soa) == 1 and soa[0].name == "" and soa[0].id == f"SOA:{zone.domain}"
    with pytest.raises(ValidationError, match="SOA"):
        d.delete_record(soa[0])
    with pytest.raises(ValidationError, match="SOA"):
        d.update_record(soa[0], None, None, "ns.example.net. h.example.net. 1 2 3 4 5", None)
    with pytest.raises(ValidationError, match="SOA"):
        d.create_record("", zone, RecordType.SOA, "ns.example.net. h.example.net. 1 2 3 4 5")
    assert (zone.domain, "SOA") in raw(zone)


def test_a_type_recordtype_does_not_name(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    made = d.create_record("uri", zone, "URI", '10 1 "https://www.example.org/"')
    assert made.type == "URI" and not isinstance(made.type, RecordType)
    assert _content(raw, zone, "uri", "URI") == ['10 1 "https://www.example.org/"']
    with pytest.raises(ValidationError, match="no GEO"):
        d.create_record("geo", zone, RecordType.GEO, "anything")
    types = d.list_record_types()
    assert RecordType.SOA in types and RecordType.GEO not in types


def test_powerdns_refuses_bad_content_with_its_own_words(d: PowerDNSDriver, zone: Zone) -> None:
    from omnicloud.dns.drivers.powerdns_client import PowerDNSError

    with pytest.raises(PowerDNSError) as caught:
        d.create_record("bad", zone, RecordType.A, "not-an-address")
    assert caught.value.status == 422
    assert "not-an-address" in caught.value.error and caught.value.error in str(caught.value)
