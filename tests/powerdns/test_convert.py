"""The RRset converter offline: ``zone_records`` (the listing's flat loop, with its short way for
one plain record) gives exactly what a plain reading of each RRset gives, for every shape."""

from __future__ import annotations

from typing import Any

import pytest

from omnicloud.dns import Record, RecordType, Zone
from omnicloud.dns.drivers.powerdns_convert import records_of, relative, zone_records

ZONE = Zone("example.org.", "example.org.", "master", None, None)


def reference(rrset: dict[str, Any], zone: Zone) -> list[tuple[Any, ...]]:
    """What each record of ``rrset`` must be, written the slow and obvious way."""
    kind, fqdn = str(rrset.get("type", "")), str(rrset.get("name", ""))
    ttl = None if rrset.get("ttl") is None else int(rrset["ttl"])
    docs = [r for r in rrset.get("records") or () if isinstance(r, dict)]
    values = [str(r.get("content", "")) for r in docs]
    out = []
    for doc, content in zip(docs, values, strict=True):
        data, parsed = content, {}
        parts = content.split()
        if kind == "MX" and len(parts) == 2 and parts[0].isdigit():
            data, parsed = parts[1], {"priority": int(parts[0])}
        if kind == "SRV" and len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
            data = parts[3]
            parsed = {"priority": int(parts[0]), "weight": int(parts[1]), "port": int(parts[2])}
        extra = {"ttl": ttl, "fqdn": fqdn, "content": content,
                 "disabled": bool(doc.get("disabled", False)), "values": values, **parsed,
                 "_multi_value": len(docs) > 1}  # fmt: skip
        out.append((f"{kind}:{fqdn}", relative(fqdn, zone), kind, data, ttl, extra))
    return out


def shape(records: list[Record]) -> list[tuple[Any, ...]]:
    return [(r.id, r.name, str(r.type), r.data, r.ttl, r.extra) for r in records]


RRSETS: list[dict[str, Any]] = [
    {"name": "example.org.", "type": "SOA", "ttl": 3600,
     "records": [{"content": "ns1.example.org. h.example.org. 1 10800 3600 604800 3600",
                  "disabled": False}]},
    {"name": "www.example.org.", "type": "A", "ttl": 60,
     "records": [{"content": "192.0.2.1", "disabled": False}]},
    {"name": "WWW2.Example.ORG.", "type": "A", "ttl": "120",
     "records": [{"content": "192.0.2.2", "disabled": True}]},
    {"name": "multi.example.org.", "type": "A", "ttl": 60,
     "records": [{"content": "192.0.2.3"}, {"content": "192.0.2.4", "disabled": True}]},
    {"name": "mx.example.org.", "type": "MX", "ttl": 300,
     "records": [{"content": "10 a.example.net.", "disabled": False}]},
    {"name": "_sip._tcp.example.org.", "type": "SRV", "ttl": 300,
     "records": [{"content": "10 5 5060 sip.example.org."}, {"content": "odd"}]},
    {"name": "other.example.net.", "type": "URI", "ttl": None,
     "records": [{"content": '10 1 "https://x"'}]},
    {"name": "odd.example.org.", "type": "TXT", "ttl": 5, "records": ["junk", {"content": 7}]},
    {"name": "empty.example.org.", "type": "A", "ttl": 5, "records": []},
    {"name": "comments-only.example.org.", "type": "A", "ttl": 5, "comments": []},
]  # fmt: skip


def test_zone_records_match_the_plain_reading_of_every_rrset() -> None:
    got = shape(zone_records(RRSETS, ZONE, "driver"))
    assert got == [row for rrset in RRSETS for row in reference(rrset, ZONE)]
    assert zone_records(None, ZONE, "driver") == []


@pytest.mark.parametrize("rrset", RRSETS, ids=lambda r: str(r["name"]))
def test_records_of_one_rrset(rrset: dict[str, Any]) -> None:
    made = records_of(rrset, ZONE, "driver")
    assert shape(made) == reference(rrset, ZONE)
    assert all(r.zone is ZONE and r.driver == "driver" for r in made)


def test_types_names_and_shared_values() -> None:
    records = zone_records(RRSETS, ZONE, "driver")
    by_name = {r.name: r for r in records}
    assert by_name[""].type is RecordType.SOA
    assert by_name["WWW2"].ttl == 120 and by_name["WWW2"].extra["disabled"] is True
    assert by_name["other.example.net"].type == "URI"  # no RecordType: the text
    first, second = (r for r in records if r.name == "multi")
    assert first.extra["values"] is second.extra["values"] == ["192.0.2.3", "192.0.2.4"]
    assert by_name["mx"].data == "a.example.net." and by_name["mx"].extra["priority"] == 10
