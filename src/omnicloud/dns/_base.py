"""DNS models, record types, errors and the driver contract (operations written as flows).

Names and signatures are Libcloud's (``libcloud.dns.base``/``types``): a driver subclasses
:class:`DNSDriverCore`, implements the operations its provider has (the others raise
:class:`~omnicloud.errors.NotSupportedError`) and picks a shell from :mod:`omnicloud._shell`.
A driver that implements ``iterate_zones``/``iterate_records`` gets ``list_zones``/
``list_records`` for free.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

from omnicloud._collect import collect
from omnicloud._flow import Call
from omnicloud._shell import Items, computed, listing, operation, unsupported
from omnicloud.errors import NotFoundError, ProviderError, ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "DNSDriverCore",
    "Record",
    "RecordAlreadyExistsError",
    "RecordDoesNotExistError",
    "RecordError",
    "RecordType",
    "Zone",
    "ZoneAlreadyExistsError",
    "ZoneDoesNotExistError",
    "ZoneError",
    "bind_record_line",
]


class RecordType(StrEnum):
    """DNS record types, with Libcloud's names and values (``RecordType.A == "A"``).

    Libcloud spells ``AFSDB`` as ``"A"`` (a bug); here it is ``"AFSDB"``. ``HTTPS`` and
    ``SVCB`` are omnicloud's additions (Route53 has them).
    """

    A = "A"
    AAAA = "AAAA"
    AFSDB = "AFSDB"
    ALIAS = "ALIAS"
    CAA = "CAA"
    CERT = "CERT"
    CNAME = "CNAME"
    DNAME = "DNAME"
    DNSKEY = "DNSKEY"
    DS = "DS"
    GEO = "GEO"
    HINFO = "HINFO"
    HTTPS = "HTTPS"
    KEY = "KEY"
    LOC = "LOC"
    MX = "MX"
    NAPTR = "NAPTR"
    NS = "NS"
    NSEC = "NSEC"
    OPENPGPKEY = "OPENPGPKEY"
    PTR = "PTR"
    REDIRECT = "REDIRECT"
    RP = "RP"
    RRSIG = "RRSIG"
    SOA = "SOA"
    SPF = "SPF"
    SRV = "SRV"
    SSHFP = "SSHFP"
    SVCB = "SVCB"
    TLSA = "TLSA"
    TXT = "TXT"
    URL = "URL"
    WKS = "WKS"


# -- errors ---------------------------------------------------------------------------------
class ZoneError(ProviderError):
    """A zone operation failed; ``zone_id`` names the zone (Libcloud's ``ZoneError``)."""

    def __init__(
        self,
        value: str,
        driver: Any = None,
        zone_id: str | None = None,
        *,
        status: int | None = None,
        code: str | int | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(value, status=status, code=code, provider=provider)
        self.value = value
        self.driver = driver
        self.zone_id = zone_id


class ZoneDoesNotExistError(ZoneError, NotFoundError):
    """No zone with that id."""


class ZoneAlreadyExistsError(ZoneError):
    """A zone for that domain exists already."""


class RecordError(ProviderError):
    """A record operation failed; ``record_id`` names the record (Libcloud's ``RecordError``)."""

    def __init__(
        self,
        value: str,
        driver: Any = None,
        record_id: str | None = None,
        *,
        status: int | None = None,
        code: str | int | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(value, status=status, code=code, provider=provider)
        self.value = value
        self.driver = driver
        self.record_id = record_id


class RecordDoesNotExistError(RecordError, NotFoundError):
    """No record with that id (or that value) in the zone."""


class RecordAlreadyExistsError(RecordError):
    """A record of that name and type exists already."""


# -- models ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Zone:
    """A DNS zone: ``domain`` (as the provider spells it), ``type`` (``"master"``), ``ttl``."""

    id: str
    domain: str
    type: str
    ttl: int | None
    driver: Any = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def list_records(self) -> Any:
        """The records of this zone."""
        return self.driver.list_records(self)

    def create_record(
        self, name: str, type: RecordType | str, data: str, extra: Mapping[str, Any] | None = None
    ) -> Any:
        """Create a record in this zone."""
        return self.driver.create_record(name, self, type, data, extra)

    def update(
        self,
        domain: str | None = None,
        type: str | None = None,
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Any:
        """Update this zone (what the provider lets change)."""
        return self.driver.update_zone(
            self, domain or self.domain, type or self.type, ttl if ttl is not None else self.ttl,
            extra,
        )  # fmt: skip

    def delete(self) -> Any:
        """Delete this zone."""
        return self.driver.delete_zone(self)

    def export_to_bind_format(self) -> Any:
        """This zone in BIND's zone file format."""
        return self.driver.export_zone_to_bind_format(self)

    def export_to_bind_zone_file(self, file_path: str) -> Any:
        """Write this zone in BIND's zone file format to ``file_path``."""
        return self.driver.export_zone_to_bind_zone_file(self, file_path)


@dataclass(slots=True)
class Record:
    """One DNS record: ``name`` relative to its zone (``""`` for the apex), ``type``, ``data``."""

    id: str
    name: str
    type: RecordType | str
    data: str
    zone: Zone = field(repr=False, compare=False)
    driver: Any = field(default=None, repr=False, compare=False)
    ttl: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def update(
        self,
        name: str | None = None,
        type: RecordType | str | None = None,
        data: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Any:
        """Update this record (Libcloud's ``Record.update``)."""
        return self.driver.update_record(
            self,
            self.name if name is None else name,
            type or self.type,
            self.data if data is None else data,
            extra,
        )

    def delete(self) -> Any:
        """Delete this record."""
        return self.driver.delete_record(self)

    def _get_numeric_id(self) -> int | str:
        """The id as a number when it is one (Libcloud sorts BIND exports by it)."""
        return int(self.id) if self.id.isdigit() else self.id


def bind_record_line(record: Record) -> str:
    """``record`` as one line of a BIND zone file (name, TTL, class, type, data)."""
    domain = record.zone.domain.rstrip(".")
    name = f"{record.name}.{domain}." if record.name else f"{domain}."
    ttl = record.ttl if record.ttl is not None else record.extra.get("ttl", record.zone.ttl)
    data = record.data
    kind = str(record.type)
    if kind in ("CNAME", "DNAME", "MX", "PTR", "SRV", "NS") and not data.endswith("."):
        data += "."
    if kind in ("TXT", "SPF") and " " in data and not data.startswith('"'):
        data = '"' + data.replace('"', '\\"') + '"'
    parts = [name, str(ttl if ttl is not None else ""), "IN", kind]
    if kind == "MX" and "priority" in record.extra:
        parts.append(str(record.extra["priority"]))
    elif kind == "SRV" and "priority" in record.extra:
        parts += [str(record.extra.get(k, 0)) for k in ("priority", "weight", "port")]
    return "\t".join([*parts, data])


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _same(item: Any) -> Any:
    return item


class DNSDriverCore:
    """Every DNS operation; providers override what they support.

    ``RECORD_TYPE_MAP`` maps the :class:`RecordType` values a provider has to its own names.
    """

    name: str = "Generic DNS"
    website: str = ""
    type: str | None = None
    RECORD_TYPE_MAP: Mapping[RecordType, str] = {}

    @computed
    def list_record_types(self) -> list[RecordType]:
        """The record types this provider supports."""
        return list(self.RECORD_TYPE_MAP)

    # -- zones ----------------------------------------------------------------------------
    @listing
    def iterate_zones(self) -> Items[Zone]:
        """Every zone, lazily."""
        return Items(unsupported(self, "iterate_zones"))

    @operation
    def list_zones(self) -> Flow[list[Zone]]:
        """Every zone."""
        flow = cast("Flow[None]", type(self).iterate_zones(self).flow)
        zones: list[Zone] = yield from collect(flow, _same)
        return zones

    @operation
    def get_zone(self, zone_id: str) -> Flow[Zone]:
        """One zone by id (ZoneDoesNotExistError if absent)."""
        return (yield from unsupported(self, "get_zone"))

    @operation
    def create_zone(
        self,
        domain: str,
        type: str = "master",
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """Create a zone for ``domain``."""
        return (yield from unsupported(self, "create_zone"))

    @operation
    def update_zone(
        self,
        zone: Zone,
        domain: str,
        type: str = "master",
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """Change a zone."""
        return (yield from unsupported(self, "update_zone"))

    @operation
    def delete_zone(self, zone: Zone) -> Flow[bool]:
        """Delete a zone."""
        return (yield from unsupported(self, "delete_zone"))

    # -- records --------------------------------------------------------------------------
    @listing
    def iterate_records(self, zone: Zone) -> Items[Record]:
        """Every record of ``zone``, lazily."""
        return Items(unsupported(self, "iterate_records"))

    @operation
    def list_records(self, zone: Zone) -> Flow[list[Record]]:
        """Every record of ``zone``."""
        flow = cast("Flow[None]", type(self).iterate_records(self, zone).flow)
        records: list[Record] = yield from collect(flow, _same)
        return records

    @operation
    def get_record(self, zone_id: str, record_id: str) -> Flow[Record]:
        """One record by zone id and record id (RecordDoesNotExistError if absent)."""
        return (yield from unsupported(self, "get_record"))

    @operation
    def create_record(
        self,
        name: str,
        zone: Zone,
        type: RecordType | str,
        data: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Create a record ``name`` (relative to the zone; ``""`` for the apex)."""
        return (yield from unsupported(self, "create_record"))

    @operation
    def update_record(
        self,
        record: Record,
        name: str | None,
        type: RecordType | str | None,
        data: str | None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Change a record."""
        return (yield from unsupported(self, "update_record"))

    @operation
    def delete_record(self, record: Record) -> Flow[bool]:
        """Delete a record."""
        return (yield from unsupported(self, "delete_record"))

    # -- export ---------------------------------------------------------------------------
    @operation
    def export_zone_to_bind_format(self, zone: Zone) -> Flow[str]:
        """``zone`` and its records in BIND's zone file format (master zones only)."""
        if zone.type != "master":
            raise ValidationError("only master zones can be exported in BIND format")
        records: list[Record] = yield from type(self).list_records(self, zone)
        domain = zone.domain.rstrip(".")
        lines = [f"$ORIGIN {domain}.", f"$TTL {zone.ttl if zone.ttl is not None else 3600}", ""]
        lines += [bind_record_line(r) for r in sorted(records, key=lambda r: (r.name, r.type))]
        return "\n".join(lines) + "\n"

    @operation
    def export_zone_to_bind_zone_file(self, zone: Zone, file_path: str) -> Flow[None]:
        """Write ``zone`` in BIND's format to ``file_path``."""
        text: str = yield from type(self).export_zone_to_bind_format(self, zone)
        yield Call(_write_text, (file_path, text))

    @staticmethod
    def _string_to_record_type(string: str) -> RecordType:
        """The :class:`RecordType` called ``string`` (ValidationError if none is)."""
        try:
            return RecordType(string.upper())
        except ValueError:
            raise ValidationError(f"unknown DNS record type {string!r}") from None
