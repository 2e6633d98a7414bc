"""PowerDNS Authoritative Server DNS drivers, sync and async, on its HTTP API (``/api/v1``).

``get_driver(Provider.POWERDNS)(key, host=..., port=8081)`` as in Libcloud (``key`` is the
server's ``api-key``, sent as ``X-API-Key``), or ``endpoint="http://ns1:8081"``. Zones are
PowerDNS zones (Native and Master zones are ``master``, Slave zones ``slave``); PowerDNS keeps
records in RRsets (name, type, TTL, several contents) and each content is one
:class:`~omnicloud.dns.Record`, with Libcloud's id ``TYPE:fqdn``. Creating, changing or
deleting a record rewrites its RRset with one ``PATCH`` (``changetype`` REPLACE, or DELETE for
the last record), keeping the set's other records. That read-then-write is not atomic:
PowerDNS has no conditional PATCH, so two clients changing the same RRset at the same moment
may lose one change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._gc import long_lived
from omnicloud._shell import AsyncShell, Items, SyncShell, listing, operation
from omnicloud.dns._base import (
    DNSDriverCore,
    Record,
    RecordAlreadyExistsError,
    RecordDoesNotExistError,
    RecordType,
    Zone,
    ZoneAlreadyExistsError,
    ZoneDoesNotExistError,
)
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig, Redactor

from .powerdns_client import (
    PowerDNSConflictError,
    PowerDNSError,
    PowerDNSNotFoundError,
    PowerDNSSettings,
    base_url,
    call,
)
from .powerdns_convert import (
    KINDS,
    ZONE,
    absolute,
    canonical,
    content_of,
    find_rrset,
    records_of,
    split_id,
    zone_records,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AsyncPowerDNSDriver", "PowerDNSDriver", "PowerDNSDriverCore"]

#: The record types PowerDNS 4.x serves that :class:`RecordType` names (others, such as URI or
#: SMIMEA, may be given as strings).
_TYPES = (
    "A", "AAAA", "AFSDB", "ALIAS", "CAA", "CERT", "CNAME", "DNAME", "DNSKEY", "DS", "HINFO",
    "HTTPS", "KEY", "LOC", "MX", "NAPTR", "NS", "NSEC", "OPENPGPKEY", "PTR", "RP", "RRSIG",
    "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT",
)  # fmt: skip
#: Types PowerDNS has that are not a DNS record type (Libcloud's provider-specific ones).
_NOT_POWERDNS = frozenset({"GEO", "REDIRECT", "URL", "WKS"})
_MASTER_KINDS = ("Native", "Master", "Primary", "Producer")
_SLAVE_KINDS = ("Slave", "Secondary", "Consumer")
#: Zone settings ``update_zone`` sends from ``extra`` (PowerDNS ignores the others on PUT).
_ZONE_SETTINGS = (
    "masters", "account", "soa_edit", "soa_edit_api", "api_rectify", "dnssec", "nsec3param",
    "nsec3narrow", "presigned", "catalog", "master_tsig_key_ids", "slave_tsig_key_ids",
)  # fmt: skip


def _contents(rrset: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The records of an RRset as PATCH wants them (content and disabled flag)."""
    if rrset is None:
        return []
    return [
        {"content": str(r.get("content", "")), "disabled": bool(r.get("disabled", False))}
        for r in rrset.get("records") or ()
    ]


def _replace(
    fqdn: str, kind: str, ttl: int, records: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    if not records:
        return {"name": fqdn, "type": kind, "changetype": "DELETE"}
    return {"name": fqdn, "type": kind, "ttl": ttl, "changetype": "REPLACE", "records": records}


class PowerDNSDriverCore(DNSDriverCore):
    """PowerDNS operations as flows (no I/O); pick the sync or async class to run them.

    ``PowerDNSDriver(key, secret=None, secure=False, host=None, port=None, api_version="v1")``
    as Libcloud's; ``endpoint=`` instead of host/port/secure; ``ex_server`` the server id
    (``localhost``); ``default_ttl`` the TTL of a new RRset created without ``extra["ttl"]``;
    ``http`` timeouts, TLS and retries. ``secret`` is unused (PowerDNS has one key).
    """

    name = "PowerDNS"
    website = "https://www.powerdns.com/"
    type: str | None = "powerdns"
    RECORD_TYPE_MAP: Mapping[RecordType, str] = {RecordType(t): t for t in _TYPES}

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        secure: bool = False,
        host: str | None = None,
        port: int | None = None,
        api_version: str = "v1",
        *,
        endpoint: str | None = None,
        ex_server: str = "localhost",
        default_ttl: int = 3600,
        http: HttpConfig | None = None,
    ) -> None:
        if api_version != "v1":
            raise ValidationError(
                f"PowerDNS API version {api_version!r} is not supported: omnicloud speaks the "
                "v1 API of PowerDNS 4.x (the 'experimental' API of 3.x is gone)"
            )
        if not key:
            raise ValidationError("PowerDNS needs the API key (key=, the server's api-key)")
        if not ex_server:
            raise ValidationError("ex_server (the PowerDNS server id) must not be empty")
        if default_ttl < 0:
            raise ValidationError("default_ttl must not be negative")
        config = http or HttpConfig()
        self.api_version = api_version
        self.ex_server = ex_server
        self.default_ttl = default_ttl
        self._settings = PowerDNSSettings(
            base_url(endpoint, host, port, secure), ex_server, key, config.retry
        )
        self._open(config, Redactor([key]))

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The server's root URL (the API is under ``/api/v1``)."""
        return self._settings.url

    def __repr__(self) -> str:
        return f"<{type(self).__name__} at {self.endpoint} (server {self.ex_server})>"

    # -- flow helpers -------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        segments: Sequence[str],
        what: str,
        *,
        body: Any = None,
        params: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> Flow[Any]:
        self._settings.server = self.ex_server
        return call(
            self._settings, method, segments, what, body=body, params=params,
            idempotent=idempotent,
        )  # fmt: skip

    def _zone_call(
        self, zone_id: str, method: str, what: str, *, sub: Sequence[str] = (), **kwargs: Any
    ) -> Flow[Any]:
        """A call on zone ``zone_id``: 404 (or an older server's 422 "Could not find domain")
        becomes ZoneDoesNotExistError."""
        try:
            return (yield from self._call(method, ["zones", zone_id, *sub], what, **kwargs))
        except PowerDNSError as exc:
            missing = isinstance(exc, PowerDNSNotFoundError) or (
                exc.status == 422 and exc.error.startswith("Could not find domain")
            )
            if not missing:
                raise
            raise ZoneDoesNotExistError(
                f"powerdns: no zone {zone_id!r} on server {self.ex_server!r}", self, zone_id,
                status=exc.status, code=exc.status, provider="powerdns",
            ) from exc  # fmt: skip

    @staticmethod
    def _zone_id(zone_id: str) -> str:
        if not zone_id:
            raise ValidationError("a zone id is required")
        return canonical(zone_id)

    def _zone_doc(self, zone: Zone | str) -> Flow[dict[str, Any]]:
        """The zone document with its RRsets."""
        ident = zone.id if isinstance(zone, Zone) else self._zone_id(zone)
        doc = yield from self._zone_call(ident, "GET", f"GET zone {ident}", idempotent=True)
        if not isinstance(doc, dict):
            raise PowerDNSError(f"powerdns GET zone {ident}: the answer is not a zone document")
        return doc

    def _zone_model(self, doc: Mapping[str, Any]) -> Zone:
        return ZONE(doc, driver=self)

    def _patch(self, zone: Zone, rrsets: Sequence[Mapping[str, Any]]) -> Flow[None]:
        """One ``PATCH`` of ``zone``'s RRsets (each REPLACE or DELETE sets the whole set, so
        sending it again does no harm)."""
        yield from self._zone_call(
            zone.id, "PATCH", f"PATCH zone {zone.id}", body={"rrsets": list(rrsets)},
            idempotent=True,
        )  # fmt: skip

    def _type_name(self, type: RecordType | str) -> str:
        kind = str(type).upper()
        if not kind or not kind.replace("-", "").isalnum():
            raise ValidationError(f"{type!r} is not a DNS record type")
        if kind in _NOT_POWERDNS:
            raise ValidationError(f"PowerDNS has no {kind} records (a Libcloud provider type)")
        return kind

    @staticmethod
    def _writable(kind: str) -> None:
        if kind == "SOA":
            raise ValidationError(
                "the SOA record is PowerDNS's own (read-only here): change it with "
                "update_zone's soa_edit/soa_edit_api settings or pdnsutil"
            )

    def _ttl(self, extra: Mapping[str, Any], rrset: Mapping[str, Any] | None) -> int:
        if extra.get("ttl") is not None:
            ttl = int(extra["ttl"])
            if ttl < 0:
                raise ValidationError("a record's ttl must not be negative")
            return ttl
        if rrset is not None and rrset.get("ttl") is not None:
            return int(rrset["ttl"])
        return self.default_ttl

    def _located(
        self, record: Record, rrsets: Sequence[Mapping[str, Any]]
    ) -> tuple[Mapping[str, Any], int]:
        """The RRset ``record`` belongs to and the index of its record in it
        (RecordDoesNotExistError when either is gone)."""
        kind, fqdn = split_id(record.id, record.zone)
        rrset = find_rrset(rrsets, fqdn, kind)
        if rrset is not None:
            contents = [str(r.get("content", "")) for r in rrset.get("records") or ()]
            wanted = self._record_contents(record, kind)
            for index, content in enumerate(contents):
                if content in wanted:
                    return rrset, index
            lowered = {w.lower() for w in wanted}
            for index, content in enumerate(contents):
                if content.lower() in lowered:
                    return rrset, index
        raise RecordDoesNotExistError(
            f"powerdns: zone {record.zone.id} has no record {record.id} with data {record.data!r}",
            self,
            record.id,
            provider="powerdns",
        )

    @staticmethod
    def _record_contents(record: Record, kind: str) -> set[str]:
        found = {str(record.extra["content"])} if record.extra.get("content") else set()
        with contextlib.suppress(ValidationError):
            found.add(content_of(kind, record.data, record.extra))
        found.add(record.data)
        return found

    def _read_back(
        self, zone: Zone, fqdn: str, kind: str, content: str, before: set[str]
    ) -> Flow[Record]:
        """The record just written, as PowerDNS lists it (it may normalise the content)."""
        doc = yield from self._zone_doc(zone)
        rrset = find_rrset(doc.get("rrsets") or [], fqdn, kind)
        made = records_of(rrset, zone, self) if rrset is not None else []
        for rec in made:
            if rec.extra["content"] == content:
                return rec
        fresh = [rec for rec in made if rec.extra["content"] not in before]
        if len(fresh) == 1:
            return fresh[0]
        raise RecordDoesNotExistError(
            f"powerdns: the record {kind}:{fqdn} {content!r} was written but is not listed",
            self,
            f"{kind}:{fqdn}",
            provider="powerdns",
        )

    # -- zones --------------------------------------------------------------------------------
    def _zone_flow(self) -> Flow[None]:
        from omnicloud._flow import Emit

        docs = yield from self._call("GET", ["zones"], "GET zones", idempotent=True)
        zones = [self._zone_model(doc) for doc in docs or () if isinstance(doc, dict)]
        if zones:
            yield Emit(zones)

    @listing
    def iterate_zones(self) -> Items[Zone]:
        """Every zone of the server (PowerDNS lists them in one answer)."""
        return Items(self._zone_flow())

    @operation
    def get_zone(self, zone_id: str) -> Flow[Zone]:
        """One zone by id (``example.org.``; the final dot may be left out); its apex name
        servers in ``extra["nameservers"]``."""
        doc = yield from self._zone_doc(zone_id)
        return self._zone_model(doc)

    @operation
    def create_zone(
        self,
        domain: str,
        type: str = "master",
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """A zone for ``domain`` (the final dot may be left out).

        ``type`` ``master`` makes a Native zone (``extra["kind"]``: ``Master`` for one that
        sends NOTIFYs), ``slave`` a Slave zone that needs ``extra["masters"]`` (IP addresses).
        ``extra["nameservers"]``: the apex NS records (names, made canonical); other
        ``extra`` keys (``account``, ``soa_edit_api``, ``dnssec``...) go to PowerDNS as given.
        PowerDNS has no zone TTL: ``ttl`` is ignored (records take ``extra["ttl"]``).
        """
        if not domain or domain == ".":
            raise ValidationError("a zone needs a domain name")
        body: dict[str, Any] = dict(extra or {})
        kind = str(body.pop("kind", "") or "")
        if type == "master":
            kind = kind or "Native"
            allowed: tuple[str, ...] = _MASTER_KINDS
        elif type == "slave":
            kind = kind or "Slave"
            allowed = _SLAVE_KINDS
        else:
            raise ValidationError(f"a PowerDNS zone is 'master' or 'slave', not {type!r}")
        if kind not in allowed:
            raise ValidationError(
                f"a {type} zone's kind is one of {', '.join(allowed)}, not {kind!r}"
            )
        if kind in ("Slave", "Secondary") and not body.get("masters"):
            raise ValidationError("a slave zone needs extra['masters'] (its masters' addresses)")
        name = canonical(domain)
        body["name"] = name
        body["kind"] = kind
        nameservers = body.pop("nameservers", None) or []
        if isinstance(nameservers, str):
            nameservers = [nameservers]
        body["nameservers"] = [canonical(str(ns)) for ns in nameservers]
        try:
            doc = yield from self._call("POST", ["zones"], f"POST zone {name}", body=body)
        except PowerDNSConflictError as exc:
            raise ZoneAlreadyExistsError(
                f"powerdns: a zone {name!r} exists already", self, name,
                status=exc.status, code=exc.status, provider="powerdns",
            ) from exc  # fmt: skip
        except PowerDNSError as exc:
            if exc.status == 422 and "already exists" in exc.error:
                raise ZoneAlreadyExistsError(
                    str(exc), self, name, status=exc.status, code=exc.status, provider="powerdns"
                ) from exc
            raise
        return self._zone_model(doc)

    @operation
    def update_zone(
        self,
        zone: Zone,
        domain: str | None = None,
        type: str | None = None,
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """Change a zone's kind (``type`` ``master``/``slave`` or ``extra["kind"]``), its
        ``masters``, ``account``, ``soa_edit_api``, ``dnssec``...; the zone as it is after.
        PowerDNS cannot rename a zone."""
        if domain and canonical(domain).lower() != canonical(zone.domain).lower():
            raise ValidationError("PowerDNS cannot rename a zone (create a new one)")
        extra = dict(extra or {})
        body = {key: extra[key] for key in _ZONE_SETTINGS if key in extra}
        kind = str(extra.get("kind") or "")
        current = str(zone.extra.get("kind") or "")
        if type not in (None, "master", "slave"):
            raise ValidationError(f"a PowerDNS zone is 'master' or 'slave', not {type!r}")
        if not kind and type is not None and KINDS.get(current, "master") != type:
            kind = "Native" if type == "master" else "Slave"
        if kind:
            if kind not in KINDS:
                raise ValidationError(f"PowerDNS has no zone kind {kind!r}")
            if type is not None and KINDS[kind] != type:
                raise ValidationError(f"kind {kind!r} is not a {type} zone")
            body["kind"] = kind
        if body:
            yield from self._zone_call(
                zone.id, "PUT", f"PUT zone {zone.id}", body=body, idempotent=True
            )
        doc = yield from self._zone_doc(zone)
        return self._zone_model(doc)

    @operation
    def delete_zone(self, zone: Zone) -> Flow[bool]:
        """Delete a zone and its records."""
        yield from self._zone_call(zone.id, "DELETE", f"DELETE zone {zone.id}")
        return True

    # -- records ------------------------------------------------------------------------------
    def _record_flow(self, zone: Zone) -> Flow[None]:
        from omnicloud._flow import Emit

        doc = yield from self._zone_doc(zone)
        with long_lived():  # nothing unless the application opted in (omnicloud.tuning)
            records = zone_records(doc.get("rrsets"), zone, self)
        if records:
            yield Emit(records)

    @listing
    def iterate_records(self, zone: Zone) -> Items[Record]:
        """The records of ``zone`` (SOA and NS included), one per content of each RRset."""
        return Items(self._record_flow(zone))

    @operation
    def get_record(self, zone_id: str, record_id: str) -> Flow[Record]:
        """The record ``TYPE:name`` of zone ``zone_id`` (the first of its RRset;
        ``extra["values"]`` has all the set's contents). The name may be canonical, full
        without the final dot, or relative to the zone."""
        doc = yield from self._zone_doc(zone_id)
        zone = self._zone_model(doc)
        kind, fqdn = split_id(record_id, zone)
        rrset = find_rrset(doc.get("rrsets") or [], fqdn, kind)
        records = records_of(rrset, zone, self) if rrset is not None else []
        if not records:
            raise RecordDoesNotExistError(
                f"powerdns: zone {zone.id} has no record {record_id}", self, record_id,
                provider="powerdns",
            )  # fmt: skip
        return records[0]

    @operation
    def create_record(
        self,
        name: str,
        zone: Zone,
        type: RecordType | str,
        data: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Add a record to the RRset ``name``/``type`` (made when missing), keeping the set's
        other records.

        ``name``: relative (``"www"``, ``""`` for the apex), full (``"www.example.org"``) or
        canonical. ``extra``: ``ttl`` (the whole RRset's TTL; default: the set's, or
        ``default_ttl``), ``priority`` (MX, SRV), ``weight`` and ``port`` (SRV), ``disabled``.
        Host names in the data are made canonical, TXT/SPF data is quoted unless it is
        already. The same content twice raises RecordAlreadyExistsError.
        """
        kind = self._type_name(type)
        self._writable(kind)
        extra = dict(extra or {})
        fqdn = absolute(name, zone)
        content = content_of(kind, data, extra)
        doc = yield from self._zone_doc(zone)
        rrset = find_rrset(doc.get("rrsets") or [], fqdn, kind)
        records = _contents(rrset)
        before = {r["content"] for r in records}
        if content in before:
            raise RecordAlreadyExistsError(
                f"powerdns: zone {zone.id} has the record {kind}:{fqdn} {content!r} already",
                self, f"{kind}:{fqdn}", provider="powerdns",
            )  # fmt: skip
        records.append({"content": content, "disabled": bool(extra.get("disabled", False))})
        ttl = self._ttl(extra, rrset)
        yield from self._patch(zone, [_replace(fqdn, kind, ttl, records)])
        return (yield from self._read_back(zone, fqdn, kind, content, before))

    @operation
    def update_record(
        self,
        record: Record,
        name: str | None = None,
        type: RecordType | str | None = None,
        data: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Change one record: its data, TTL (the RRset's), name or type, in one ``PATCH``; the
        other records of its RRset stay (a new name or type moves it to that RRset)."""
        zone = record.zone
        old_kind, old_fqdn = split_id(record.id, zone)
        kind = self._type_name(type or record.type)
        self._writable(kind)
        self._writable(old_kind)
        fqdn = absolute(record.name if name is None else name, zone)
        merged: dict[str, Any] = {
            k: v
            for k, v in record.extra.items()
            if k in ("priority", "weight", "port", "disabled", "ttl")
        }
        if kind != old_kind:
            merged = {k: v for k, v in merged.items() if k in ("disabled", "ttl")}
        merged.update(extra or {})
        new_data = record.data if data is None else data
        content = content_of(kind, new_data, merged)
        doc = yield from self._zone_doc(zone)
        rrsets = doc.get("rrsets") or []
        old_set, index = self._located(record, rrsets)
        old_records = _contents(old_set)
        disabled = bool(merged.get("disabled", old_records[index]["disabled"]))
        same_set = kind == old_kind and fqdn.lower() == old_fqdn.lower()
        if same_set:
            others = [r for i, r in enumerate(old_records) if i != index]
            if content in {r["content"] for r in others}:
                raise RecordAlreadyExistsError(
                    f"powerdns: the RRset {kind}:{fqdn} has {content!r} already", self,
                    record.id, provider="powerdns",
                )  # fmt: skip
            records = list(old_records)
            records[index] = {"content": content, "disabled": disabled}
            ttl = self._ttl(extra or {}, old_set)
            changes = [_replace(str(old_set["name"]), kind, ttl, records)]
            before = {r["content"] for r in others}
        else:
            target = find_rrset(rrsets, fqdn, kind)
            target_records = _contents(target)
            before = {r["content"] for r in target_records}
            if content in before:
                raise RecordAlreadyExistsError(
                    f"powerdns: the RRset {kind}:{fqdn} has {content!r} already", self,
                    f"{kind}:{fqdn}", provider="powerdns",
                )  # fmt: skip
            remaining = [r for i, r in enumerate(old_records) if i != index]
            old_ttl = int(old_set.get("ttl") or self.default_ttl)
            given = extra or {}
            # the TTL asked for, else the target set's, else the record's own
            ttl = self._ttl(given if "ttl" in given else ({} if target else merged), target)
            moved = [*target_records, {"content": content, "disabled": disabled}]
            changes = [
                _replace(str(old_set["name"]), old_kind, old_ttl, remaining),
                _replace(fqdn, kind, ttl, moved),
            ]
        yield from self._patch(zone, changes)
        return (yield from self._read_back(zone, fqdn, kind, content, before))

    @operation
    def delete_record(self, record: Record) -> Flow[bool]:
        """Delete one record: the rest of its RRset stays (the set goes with its last one)."""
        kind, _ = split_id(record.id, record.zone)
        self._writable(kind)
        doc = yield from self._zone_doc(record.zone)
        rrset, index = self._located(record, doc.get("rrsets") or [])
        remaining = [r for i, r in enumerate(_contents(rrset)) if i != index]
        ttl = int(rrset.get("ttl") or self.default_ttl)
        yield from self._patch(record.zone, [_replace(str(rrset["name"]), kind, ttl, remaining)])
        return True

    @operation
    def ex_replace_rrset(
        self,
        zone: Zone,
        name: str,
        type: RecordType | str,
        data: Sequence[str],
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[list[Record]]:
        """Set the whole RRset ``name``/``type`` to ``data`` (contents, each encoded as
        :meth:`create_record` does; an empty list deletes the set); its records after."""
        kind = self._type_name(type)
        self._writable(kind)
        extra = dict(extra or {})
        fqdn = absolute(name, zone)
        contents = list(dict.fromkeys(content_of(kind, d, extra) for d in data))
        disabled = bool(extra.get("disabled", False))
        records = [{"content": c, "disabled": disabled} for c in contents]
        ttl = extra.get("ttl")
        yield from self._patch(
            zone, [_replace(fqdn, kind, int(ttl) if ttl is not None else self.default_ttl, records)]
        )
        doc = yield from self._zone_doc(zone)
        rrset = find_rrset(doc.get("rrsets") or [], fqdn, kind)
        return records_of(rrset, zone, self) if rrset is not None else []


class PowerDNSDriver(SyncShell, PowerDNSDriverCore):
    """PowerDNS: ``PowerDNSDriver(key, host="ns1", port=8081)`` or ``endpoint=``."""


class AsyncPowerDNSDriver(AsyncShell, PowerDNSDriverCore):
    """PowerDNS, async: ``async with AsyncPowerDNSDriver(key, endpoint=...) as d:``."""
