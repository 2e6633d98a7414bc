"""PowerDNS keeps records in RRsets: one record of a set is created, changed or deleted with the
set's other records kept, in both modes."""

from __future__ import annotations

import httpx
import pytest

from omnicloud.dns import RecordAlreadyExistsError, RecordDoesNotExistError, RecordType, Zone
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
from tests.support.powerdns import PowerDNSServer

from .conftest import RawZone


def _contents(raw: RawZone, zone: Zone, name: str, kind: str) -> list[str]:
    rrset = raw(zone).get((f"{name}.{zone.domain}", kind))
    return sorted(r["content"] for r in rrset["records"]) if rrset else []


def test_records_of_one_name_and_type_share_one_rrset(
    d: PowerDNSDriver, zone: Zone, raw: RawZone
) -> None:
    first = d.create_record("www", zone, RecordType.A, "192.0.2.1", {"ttl": 120})
    second = d.create_record("www", zone, RecordType.A, "192.0.2.2")
    third = d.create_record("www", zone, RecordType.A, "192.0.2.3")
    assert first.id == second.id == third.id == f"A:www.{zone.domain}"
    assert _contents(raw, zone, "www", "A") == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    # the set keeps its TTL when a record without one joins it
    assert raw(zone)[(f"www.{zone.domain}", "A")]["ttl"] == 120
    assert third.ttl == 120 and third.extra["_multi_value"] is True
    assert sorted(third.extra["values"]) == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]
    listed = sorted(r.data for r in d.list_records(zone) if r.name == "www")
    assert listed == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]


def test_deleting_one_record_keeps_the_others(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    for n in (1, 2, 3):
        d.create_record("www", zone, RecordType.A, f"192.0.2.{n}")
    middle = next(r for r in d.list_records(zone) if r.data == "192.0.2.2")
    assert d.delete_record(middle) is True
    assert _contents(raw, zone, "www", "A") == ["192.0.2.1", "192.0.2.3"]
    with pytest.raises(RecordDoesNotExistError):
        d.delete_record(middle)
    for record in [r for r in d.list_records(zone) if r.name == "www"]:
        d.delete_record(record)
    assert (f"www.{zone.domain}", "A") not in raw(zone)


def test_updating_one_record_keeps_the_others(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    d.create_record("mx", zone, RecordType.MX, "a.example.net", {"priority": 10, "ttl": 300})
    second = d.create_record("mx", zone, RecordType.MX, "b.example.net", {"priority": 20})
    changed = d.update_record(second, "mx", RecordType.MX, "c.example.net", {"priority": 30})
    assert (changed.data, changed.extra["priority"], changed.ttl) == ("c.example.net.", 30, 300)
    assert _contents(raw, zone, "mx", "MX") == ["10 a.example.net.", "30 c.example.net."]
    # a new TTL is the whole set's
    d.update_record(changed, None, None, None, {"ttl": 60})
    rrset = raw(zone)[(f"mx.{zone.domain}", "MX")]
    assert rrset["ttl"] == 60 and len(rrset["records"]) == 2


def test_moving_one_record_to_another_rrset(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    d.create_record("a", zone, RecordType.A, "192.0.2.1")
    leaving = d.create_record("a", zone, RecordType.A, "192.0.2.2")
    d.create_record("b", zone, RecordType.A, "192.0.2.9", {"ttl": 90})
    moved = d.update_record(leaving, "b", RecordType.A, "192.0.2.2", None)
    assert (moved.name, moved.id, moved.ttl) == ("b", f"A:b.{zone.domain}", 90)
    assert _contents(raw, zone, "a", "A") == ["192.0.2.1"]
    assert _contents(raw, zone, "b", "A") == ["192.0.2.2", "192.0.2.9"]


def test_the_same_content_twice_is_refused(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    d.create_record("dup", zone, RecordType.A, "192.0.2.1")
    other = d.create_record("dup", zone, RecordType.A, "192.0.2.2")
    with pytest.raises(RecordAlreadyExistsError):
        d.create_record("dup", zone, RecordType.A, "192.0.2.1")
    with pytest.raises(RecordAlreadyExistsError):
        d.update_record(other, "dup", RecordType.A, "192.0.2.1", None)
    assert _contents(raw, zone, "dup", "A") == ["192.0.2.1", "192.0.2.2"]


def test_disabled_records_stay_disabled(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    d.create_record("off", zone, RecordType.A, "192.0.2.1", {"disabled": True})
    keep = d.create_record("off", zone, RecordType.A, "192.0.2.2")
    d.update_record(keep, "off", RecordType.A, "192.0.2.3", None)
    records = {
        r["content"]: r["disabled"] for r in raw(zone)[(f"off.{zone.domain}", "A")]["records"]
    }
    assert records == {"192.0.2.1": True, "192.0.2.3": False}
    assert {r.data: r.extra["disabled"] for r in d.list_records(zone) if r.name == "off"} == records


def test_comments_of_a_set_survive_a_record_change(
    d: PowerDNSDriver, zone: Zone, raw: RawZone, powerdns_server: PowerDNSServer
) -> None:
    server = powerdns_server
    record = d.create_record("c", zone, RecordType.A, "192.0.2.1")
    comment = {"content": "keep me", "account": "ops", "modified_at": 1}
    httpx.patch(
        f"{server.url}/api/v1/servers/localhost/zones/{zone.id}",
        headers={"X-API-Key": server.key},
        json={"rrsets": [{"name": f"c.{zone.domain}", "type": "A", "changetype": "REPLACE",
                          "comments": [comment]}]},
        timeout=10,
    ).raise_for_status()  # fmt: skip
    d.create_record("c", zone, RecordType.A, "192.0.2.2")
    d.delete_record(record)
    rrset = raw(zone)[(f"c.{zone.domain}", "A")]
    assert [r["content"] for r in rrset["records"]] == ["192.0.2.2"]
    assert [c["content"] for c in rrset["comments"]] == ["keep me"]


def test_ex_replace_rrset_sets_the_whole_set(d: PowerDNSDriver, zone: Zone, raw: RawZone) -> None:
    d.create_record("set", zone, RecordType.A, "192.0.2.1")
    made = d.ex_replace_rrset(zone, "set", RecordType.A, ["192.0.2.7", "192.0.2.8"], {"ttl": 30})
    assert sorted(r.data for r in made) == ["192.0.2.7", "192.0.2.8"]
    assert all(r.ttl == 30 for r in made)
    assert _contents(raw, zone, "set", "A") == ["192.0.2.7", "192.0.2.8"]
    assert d.ex_replace_rrset(zone, "set", RecordType.A, []) == []
    assert (f"set.{zone.domain}", "A") not in raw(zone)
