"""Route53 documents to DNS models and back, offline: names, ids, values, multi-value and
alias sets, routing extras, and request bodies in Route53's element order."""

from __future__ import annotations

import pytest

from omnicloud.aws._rest_xml import to_xml
from omnicloud.aws._xml import parse_xml, to_value
from omnicloud.dns import RecordType, Zone
from omnicloud.dns.drivers.route53_convert import (
    ZONE,
    absolute,
    record_set,
    records_of,
    relative,
    split_id,
    unescape,
    wire_value,
)
from omnicloud.errors import ValidationError

ZONE_DOC = (
    "<HostedZone><Id>/hostedzone/Z123</Id><Name>example.com.</Name><CallerReference>c1"
    "</CallerReference><Config><Comment>hi</Comment><PrivateZone>false</PrivateZone></Config>"
    "<ResourceRecordSetCount>7</ResourceRecordSetCount></HostedZone>"
)


def _zone() -> Zone:
    return ZONE(to_value(parse_xml(ZONE_DOC.encode())), driver="d")


def test_zone_fields() -> None:
    zone = _zone()
    assert (zone.id, zone.domain, zone.type, zone.ttl, zone.driver) == (
        "Z123", "example.com.", "master", None, "d",
    )  # fmt: skip
    assert zone.extra == {
        "Comment": "hi",
        "ResourceRecordSetCount": 7,
        "PrivateZone": False,
        "CallerReference": "c1",
    }


def test_names_and_ids() -> None:
    zone = _zone()
    assert unescape("\\052.example.com.") == "*.example.com."
    assert relative("\\052.Example.COM.", zone) == "*"
    assert relative("example.com.", zone) == "" and absolute("", zone) == "example.com."
    assert absolute("www", zone) == "www.example.com."
    assert split_id("A:www") == ("A", "www", None)
    assert split_id("a:api:blue") == ("A", "api", "blue")
    assert split_id("TXT:") == ("TXT", "", None)
    with pytest.raises(ValidationError):
        split_id("www")


@pytest.mark.parametrize(
    ("kind", "data", "extra", "value"),
    [
        ("A", "192.0.2.1", {}, "192.0.2.1"),
        ("MX", "mx.example.net.", {"priority": 10}, "10 mx.example.net."),
        (
            "SRV",
            "s.example.net.",
            {"priority": 1, "weight": 2, "port": 53},
            "1 2 53 s.example.net.",
        ),
        ("TXT", 'say "hi"', {}, '"say \\"hi\\""'),
        ("TXT", '"already"', {}, '"already"'),
        ("SPF", "v=spf1 -all", {}, '"v=spf1 -all"'),
    ],
)
def test_wire_values(kind: str, data: str, extra: dict[str, int], value: str) -> None:
    assert wire_value(kind, data, extra) == value


def test_multi_value_mx_set_gives_one_record_per_value() -> None:
    doc = {
        "Name": "example.com.",
        "Type": "MX",
        "TTL": "300",
        "ResourceRecords": {"ResourceRecord": [{"Value": "10 a.example.net."}, {"Value": "20 b."}]},
    }
    first, second = records_of(doc, _zone(), "d")
    assert (first.id, first.name, first.type, first.data, first.ttl) == (
        "MX:", "", RecordType.MX, "a.example.net.", 300,
    )  # fmt: skip
    assert (first.extra["priority"], second.extra["priority"], second.data) == (10, 20, "b.")
    assert first.extra["_multi_value"] and first.extra["values"] == ["10 a.example.net.", "20 b."]


def test_alias_and_routing_sets() -> None:
    alias = {
        "Name": "example.com.",
        "Type": "A",
        "SetIdentifier": "eu",
        "Region": "eu-west-1",
        "AliasTarget": {
            "HostedZoneId": "Z2",
            "DNSName": "lb.example.net.",
            "EvaluateTargetHealth": "false",
        },
    }
    (record,) = records_of(alias, _zone(), "d")
    assert (record.id, record.data, record.ttl) == ("A::eu", "lb.example.net.", None)
    assert record.extra["region"] == "eu-west-1" and record.extra["set_identifier"] == "eu"
    assert record.extra["alias_target"]["HostedZoneId"] == "Z2"
    unknown = {
        "Name": "x.example.com.",
        "Type": "NEW",
        "TTL": "1",
        "ResourceRecords": {"ResourceRecord": {"Value": "v"}},
    }
    (kept,) = records_of(unknown, _zone(), "d")
    assert kept.type == "NEW" and kept.data == "v"  # a type we do not know stays a string


def test_record_set_bodies_follow_route53_order() -> None:
    zone = _zone()
    body = record_set(
        "api", zone, "A", ["192.0.2.1", "192.0.2.2"],
        {"ttl": 60, "set_identifier": "blue", "routing_weight": 70, "health_check_id": "h1"},
        default_ttl=300,
    )  # fmt: skip
    assert list(body) == [
        "Name", "Type", "SetIdentifier", "Weight", "TTL", "ResourceRecords", "HealthCheckId",
    ]  # fmt: skip
    xml = to_xml("ResourceRecordSet", body).decode()
    assert "<Value>192.0.2.1</Value></ResourceRecord><ResourceRecord><Value>192.0.2.2" in xml
    alias = record_set(
        "", zone, "A", [], {"alias_target": {"dns_name": "d.net.", "hosted_zone_id": "Z9"}},
        default_ttl=300,
    )  # fmt: skip
    assert "TTL" not in alias and "ResourceRecords" not in alias
    assert alias["AliasTarget"] == {
        "HostedZoneId": "Z9", "DNSName": "d.net.", "EvaluateTargetHealth": False,
    }  # fmt: skip
    assert record_set("w", zone, "A", ["1.2.3.4"], {}, default_ttl=300)["TTL"] == 300


_SETS = [
    (
        "example.com.",
        "SOA",
        "900",
        ["ns-1.example.net. admin.example.com. 1 7200 900 1209600 86400"],
    ),
    ("www.example.com.", "A", "300", ["192.0.2.1", "192.0.2.2"]),
    ("WWW2.Example.COM.", "AAAA", "60", ["2001:db8::1"]),
    ("\\052.example.com.", "CNAME", "60", ["www.example.com."]),
    ("example.com.", "MX", "300", ["10 mail.example.com.", "20 backup.example.com."]),
    ("_sip._tcp.example.com.", "SRV", "300", ["1 2 5060 sip.example.com."]),
    ("txt.example.com.", "TXT", "300", ['"hello world"']),
    ("other.example.org.", "A", "", ["192.0.2.9"]),
]


@pytest.mark.parametrize(("name", "kind", "ttl", "values"), _SETS)
def test_the_one_pass_reader_gives_what_the_general_one_does(
    name: str, kind: str, ttl: str, values: list[str]
) -> None:
    from omnicloud.dns.drivers.route53_convert import RecordReader, record_set_doc

    ns = "https://route53.amazonaws.com/doc/2013-04-01/"
    ttl_xml = f"<TTL>{ttl}</TTL>" if ttl else ""
    entries = "".join(f"<ResourceRecord><Value>{v}</Value></ResourceRecord>" for v in values)
    document = (
        f'<ResourceRecordSet xmlns="{ns}"><Name>{name}</Name><Type>{kind}</Type>{ttl_xml}'
        f"<ResourceRecords>{entries}</ResourceRecords></ResourceRecordSet>"
    )
    element = parse_xml(document.encode())
    zone = _zone()
    fast = RecordReader(zone, "d")(element)
    general = records_of(record_set_doc(element), zone, "d")
    assert len(fast) == len(values) and fast == general
    assert [r.extra for r in fast] == [r.extra for r in general]


def test_the_one_pass_reader_hands_other_sets_to_the_general_one() -> None:
    from omnicloud.dns.drivers.route53_convert import RecordReader

    document = (
        b"<ResourceRecordSet><Name>w.example.com.</Name><Type>A</Type><SetIdentifier>eu"
        b"</SetIdentifier><Weight>10</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord>"
        b"<Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"
    )
    (record,) = RecordReader(_zone(), "d")(parse_xml(document))
    assert record.id == "A:w:eu" and record.extra["routing_weight"] == "10"
