"""The DNS conformance suite: what every DNS driver does, sync and async.

A provider declares a ``dns_driver`` fixture yielding a :class:`~tests.conformance._twin.Subject`
whose ``caps`` is a :class:`DNSCaps` and imports :class:`TestDNSConformance`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from omnicloud.dns import (
    Record,
    RecordAlreadyExistsError,
    RecordDoesNotExistError,
    RecordType,
    Zone,
    ZoneDoesNotExistError,
)
from omnicloud.errors import NotFoundError

from ._twin import Subject

__all__ = ["DNSCaps", "TestDNSConformance"]


def _domain() -> str:
    return f"conf-{uuid.uuid4().hex[:10]}.example.com"


@dataclass(frozen=True)
class DNSCaps:
    """``samples``: per record type a ``(data, extra)`` the provider takes and lists back
    with the same ``data``; ``domain``: a fresh zone name per call; ``missing_zone_id``: an
    id of the provider's shape that no zone has."""

    samples: Mapping[RecordType, tuple[str, Mapping[str, Any]]] = field(
        default_factory=lambda: {
            RecordType.A: ("192.0.2.10", {}),
            RecordType.AAAA: ("2001:db8::10", {}),
            RecordType.CNAME: ("target.example.net.", {}),
            RecordType.MX: ("mail.example.net.", {"priority": 10}),
            RecordType.TXT: ('"v=spf1 -all"', {}),
        }
    )
    domain: Callable[[], str] = _domain
    missing_zone_id: str = "ZNOSUCHZONE000"
    #: record types every new zone has (not counted as user records)
    builtin_types: frozenset[str] = frozenset()


def _same_domain(a: str, b: str) -> bool:
    return a.rstrip(".").lower() == b.rstrip(".").lower()


def _mine(records: list[Record], caps: DNSCaps) -> list[Record]:
    return [r for r in records if str(r.type) not in caps.builtin_types]


class TestDNSConformance:
    """Libcloud's DNS contract (fixture ``dns_driver``)."""

    @pytest.fixture
    def zone(self, dns_driver: Subject[DNSCaps]) -> Iterator[Zone]:
        """A fresh zone, deleted (with its records) after the test."""
        d = dns_driver.driver
        made = d.create_zone(dns_driver.caps.domain())
        yield made
        try:
            for record in _mine(d.list_records(made), dns_driver.caps):
                d.delete_record(record)
            d.delete_zone(made)
        except NotFoundError:
            pass

    def test_record_types(self, dns_driver: Subject[DNSCaps]) -> None:
        types = dns_driver.driver.list_record_types()
        assert types and all(isinstance(t, RecordType) for t in types)
        assert set(dns_driver.caps.samples) <= set(types)

    def test_zone_lifecycle(self, dns_driver: Subject[DNSCaps]) -> None:
        d, caps = dns_driver.driver, dns_driver.caps
        domain = caps.domain()
        made = d.create_zone(domain)
        assert isinstance(made, Zone) and made.id and _same_domain(made.domain, domain)
        assert made.type == "master" and made.driver is dns_driver.native
        listed = [z for z in d.list_zones() if z.id == made.id]
        assert len(listed) == 1 and _same_domain(listed[0].domain, domain)
        assert listed[0].driver is dns_driver.native
        assert made.id in {z.id for z in d.iterate_zones()}
        got = d.get_zone(made.id)
        assert got.id == made.id and _same_domain(got.domain, domain)
        assert d.delete_zone(made) is True
        assert made.id not in {z.id for z in d.list_zones()}
        with pytest.raises(ZoneDoesNotExistError) as caught:
            d.get_zone(made.id)
        assert caught.value.zone_id == made.id

    def test_missing_zone_is_not_found(self, dns_driver: Subject[DNSCaps]) -> None:
        d, caps = dns_driver.driver, dns_driver.caps
        with pytest.raises(NotFoundError):
            d.get_zone(caps.missing_zone_id)
        with pytest.raises(ZoneDoesNotExistError):
            d.get_record(caps.missing_zone_id, "A:www")

    def test_record_lifecycle(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d = dns_driver.driver
        record = d.create_record("www", zone, RecordType.A, "192.0.2.1", {"ttl": 120})
        assert isinstance(record, Record) and record.id
        assert (record.name, record.type, record.data) == ("www", RecordType.A, "192.0.2.1")
        assert record.zone.id == zone.id and record.driver is dns_driver.native
        listed = [r for r in d.list_records(zone) if r.id == record.id]
        assert [(r.name, r.type, r.data, r.ttl) for r in listed] == [
            ("www", RecordType.A, "192.0.2.1", 120)
        ]
        assert all(r.driver is dns_driver.native and r.zone.id == zone.id for r in listed)
        assert record.id in {r.id for r in d.iterate_records(zone)}
        got = d.get_record(zone.id, record.id)
        assert (got.id, got.name, got.data) == (record.id, "www", "192.0.2.1")

        changed = d.update_record(record, "www", RecordType.A, "192.0.2.2", {"ttl": 60})
        assert (changed.name, changed.data, changed.ttl) == ("www", "192.0.2.2", 60)
        assert d.get_record(zone.id, changed.id).data == "192.0.2.2"
        assert [r.data for r in d.list_records(zone) if r.name == "www"] == ["192.0.2.2"]

        assert d.delete_record(changed) is True
        assert changed.id not in {r.id for r in d.list_records(zone)}
        with pytest.raises(RecordDoesNotExistError):
            d.get_record(zone.id, changed.id)
        with pytest.raises(RecordDoesNotExistError):
            d.delete_record(changed)

    def test_every_sample_type(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d, caps = dns_driver.driver, dns_driver.caps
        for kind, (data, extra) in caps.samples.items():
            made = d.create_record(f"t-{kind.lower()}", zone, kind, data, dict(extra))
            assert (made.type, made.data) == (kind, data), kind
        listed = {(r.name, r.type): r for r in d.list_records(zone)}
        for kind, (data, extra) in caps.samples.items():
            found = listed[(f"t-{kind.lower()}", kind)]
            assert found.data == data, kind
            for key, value in extra.items():
                assert found.extra.get(key) == value, (kind, key)

    def test_rename_and_retype(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d = dns_driver.driver
        record = d.create_record("old", zone, RecordType.A, "192.0.2.7")
        moved = d.update_record(record, "new", RecordType.TXT, '"moved"', None)
        assert (moved.name, moved.type, moved.data) == ("new", RecordType.TXT, '"moved"')
        names = {(r.name, r.type) for r in d.list_records(zone)}
        assert ("new", RecordType.TXT) in names and ("old", RecordType.A) not in names

    def test_apex_record(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d = dns_driver.driver
        made = d.create_record("", zone, RecordType.TXT, '"apex"')
        assert made.name == ""
        assert d.get_record(zone.id, made.id).data == '"apex"'

    def test_duplicate_record_is_refused(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d = dns_driver.driver
        d.create_record("dup", zone, RecordType.A, "192.0.2.9", {"ttl": 300})
        with pytest.raises(RecordAlreadyExistsError):
            d.create_record("dup", zone, RecordType.A, "192.0.2.9", {"ttl": 300})

    def test_missing_record_is_not_found(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        with pytest.raises(RecordDoesNotExistError) as caught:
            dns_driver.driver.get_record(zone.id, "A:nothing-here")
        assert isinstance(caught.value, NotFoundError)
        assert caught.value.record_id == "A:nothing-here"

    def test_many_records_are_all_listed(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d, caps = dns_driver.driver, dns_driver.caps
        for n in range(12):
            d.create_record(f"h{n:02d}", zone, RecordType.A, f"192.0.2.{n + 20}")
        mine = sorted(r.name for r in _mine(d.list_records(zone), caps))
        assert mine == [f"h{n:02d}" for n in range(12)]
        assert sorted(r.name for r in _mine(list(d.iterate_records(zone)), caps)) == mine

    def test_bind_export(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        d = dns_driver.driver
        d.create_record("www", zone, RecordType.A, "192.0.2.30", {"ttl": 90})
        text = d.export_zone_to_bind_format(zone)
        assert f"$ORIGIN {zone.domain.rstrip('.')}." in text
        assert f"www.{zone.domain.rstrip('.')}.\t90\tIN\tA\t192.0.2.30" in text

    def test_model_methods_reach_the_driver(self, dns_driver: Subject[DNSCaps], zone: Zone) -> None:
        subject = dns_driver
        record = subject.settle(zone.create_record("m", RecordType.A, "192.0.2.40"))
        assert record.zone.id == zone.id
        assert [r.data for r in subject.settle(zone.list_records()) if r.name == "m"] == [
            "192.0.2.40"
        ]
        updated = subject.settle(record.update(data="192.0.2.41"))
        assert updated.data == "192.0.2.41"
        assert subject.settle(updated.delete()) is True
        assert "m" not in {r.name for r in subject.settle(zone.list_records())}
        assert subject.settle(zone.delete()) is True
        with pytest.raises(ZoneDoesNotExistError):
            subject.driver.get_zone(zone.id)
