"""Amazon Route53 DNS drivers, sync and async, on the REST-XML protocol of :mod:`omnicloud.aws`.

``get_driver(DriverType.DNS, Provider.ROUTE53)(key, secret)``, or with no key the AWS CLI's
credentials chain (``profile=``, environment, shared files, credential_process); ``endpoint=``
for moto, ministack or another Route53-compatible service. Hosted zones are zones; record
sets are records, one :class:`~omnicloud.dns.Record` per value as in Libcloud (id
``TYPE:name``). Changes go in change batches; ``ex_wait_for_change`` waits until one is
``INSYNC``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from omnicloud._collect import collect, mapped
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud._shell import AsyncShell, Items, SyncShell, listing, operation
from omnicloud.aws import _rest_xml as r
from omnicloud.aws._errors import AwsAlreadyExistsError, AwsError, AwsNotFoundError
from omnicloud.aws._regions import given_endpoint
from omnicloud.aws._route53 import NAMESPACE, caller_reference, route53_service
from omnicloud.aws._xml import to_value
from omnicloud.aws.credentials import AwsSession, resolve_session
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

from .route53_convert import (
    ZONE,
    RecordReader,
    absolute,
    record_set,
    record_set_doc,
    records_of,
    split_id,
    unescape,
    wire_value,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AsyncRoute53DNSDriver", "Route53DNSDriver", "Route53DNSDriverCore"]

#: Route53's record set types (the ones Libcloud names, plus HTTPS and SVCB).
_TYPES = (
    "A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV",
    "SSHFP", "SVCB", "TLSA", "TXT",
)  # fmt: skip
_MAX_CHANGES = 1000  # changes per ChangeResourceRecordSets batch
_RECORD_PAGE = 300  # ListResourceRecordSets' largest maxitems


def _same(item: Any) -> Any:
    return item


def _change(action: str, rrset: Mapping[str, Any]) -> dict[str, Any]:
    return {"Action": action, "ResourceRecordSet": rrset}


class Route53DNSDriverCore(DNSDriverCore):
    """Route53 operations as flows (no I/O); pick the sync or async class to run them.

    ``Route53DNSDriver(key, secret)``; without them the AWS CLI's chain applies.
    ``endpoint=`` (or Libcloud's ``host``/``port``/``secure``) points it at a compatible
    service. ``default_ttl`` is the TTL of records created without ``extra["ttl"]``;
    ``page_size`` the ``maxitems`` of listings (default: Route53's 100 zones, 300 records);
    ``poll_interval``/``wait_timeout`` pace :meth:`ex_wait_for_change`.
    """

    name = "Route53 DNS"
    website = "https://aws.amazon.com/route53/"
    type: str | None = "route53"
    RECORD_TYPE_MAP: Mapping[RecordType, str] = {RecordType(t): t for t in _TYPES}

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        region: str | None = None,
        token: str | None = None,
        *,
        profile: str | None = None,
        endpoint: str | None = None,
        default_ttl: int = 300,
        page_size: int | None = None,
        poll_interval: float = 5.0,
        wait_timeout: float = 600.0,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        if page_size is not None and not 1 <= page_size <= 100:
            raise ValidationError("page_size must be 1 to 100 (Route53's maxitems for zones)")
        self.session = session or resolve_session(
            key, secret, token, profile=profile, region=region
        )
        endpoint = given_endpoint(endpoint, host, port, secure)
        config = http or HttpConfig()
        self._r53 = route53_service(self.session, endpoint=endpoint, config=config)
        self.default_ttl = default_ttl
        self.page_size = page_size
        self.poll = PollSettings(
            interval=poll_interval, first_interval=min(poll_interval, 1.0), timeout=wait_timeout
        )
        self._open(config, self._r53.redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The URL requests go to."""
        return self._r53.endpoint

    def __repr__(self) -> str:
        origin = self.session.provider.origin
        return f"<{type(self).__name__} at {self.endpoint} (credentials: {origin})>"

    # -- flow helpers -------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        query: Sequence[tuple[str, str]] = (),
        idempotent: bool | None = None,
    ) -> Flow[Any]:
        root = yield from r.call(
            self._r53, method, path, query=query, body=body, idempotent=idempotent
        )
        return to_value(root) if root is not None else {}

    def _zone_call(self, zone_id: str, method: str, path: str, **kwargs: Any) -> Flow[Any]:
        """A call about zone ``zone_id``: NoSuchHostedZone becomes ZoneDoesNotExistError."""
        try:
            return (yield from self._call(method, path, **kwargs))
        except AwsNotFoundError as exc:
            if exc.code not in (None, "NoSuchHostedZone"):
                raise
            raise ZoneDoesNotExistError(
                str(exc), self, zone_id, status=exc.status, code=exc.code, provider="route53"
            ) from exc

    def _pages(
        self,
        path: str,
        key: str,
        pages: r.NextQuery,
        query: Sequence[tuple[str, str]] = (),
        page_size: int | None = None,
        convert: Callable[[Any], Any] = to_value,
    ) -> Flow[None]:
        extract = r.list_of(key)

        def values(root: Any) -> builtins.list[Any]:
            return [convert(element) for element in extract(root)]

        size = page_size or self.page_size
        return r.paginate(self._r53, path, values, pages, query=query, page_size=size)

    def _zone_model(self) -> Callable[[Any], Zone]:
        return ZONE.bind(driver=self)

    def _change_batch(
        self, zone: Zone, changes: Sequence[Mapping[str, Any]], comment: str | None = None
    ) -> Flow[dict[str, Any]]:
        """Send one ``ChangeResourceRecordSets`` batch; its ``ChangeInfo`` (plain values).

        InvalidChangeBatch answers saying a set exists or was not found become
        RecordAlreadyExistsError / RecordDoesNotExistError.
        """
        body = r.to_xml(
            "ChangeResourceRecordSetsRequest",
            {"ChangeBatch": {"Comment": comment, "Changes": {"Change": list(changes)}}},
            NAMESPACE,
        )
        try:
            answer = yield from self._zone_call(
                zone.id, "POST", f"/hostedzone/{zone.id}/rrset", body=body
            )
        except AwsError as exc:
            text = exc.aws_message.lower()
            first = changes[0]["ResourceRecordSet"] if changes else {}
            ident = f"{first.get('Type')}:{first.get('Name')}"
            if "already exists" in text:
                raise RecordAlreadyExistsError(
                    str(exc), self, ident, status=exc.status, code=exc.code, provider="route53"
                ) from exc
            if "not found" in text or "but it was not found" in text:
                raise RecordDoesNotExistError(
                    str(exc), self, ident, status=exc.status, code=exc.code, provider="route53"
                ) from exc
            raise
        info = answer.get("ChangeInfo") or {}
        return {
            "id": str(info.get("Id", "")).rsplit("/", 1)[-1],
            "status": info.get("Status"),
            "submitted_at": info.get("SubmittedAt"),
        }

    def _find_set(
        self, zone: Zone, kind: str, name: str, identifier: str | None
    ) -> Flow[dict[str, Any] | None]:
        """The raw record set ``kind``/``name`` (/``identifier``) of ``zone``, or None."""
        full = absolute(name, zone)
        query = [("name", full), ("type", kind)]
        if identifier:
            query.append(("identifier", identifier))
        query.append(("maxitems", "1" if not identifier else "100"))
        answer = yield from self._zone_call(
            zone.id, "GET", f"/hostedzone/{zone.id}/rrset", query=query, idempotent=True
        )
        found = (answer.get("ResourceRecordSets") or {}).get("ResourceRecordSet") or []
        wanted = full.rstrip(".").lower()
        for doc in found if isinstance(found, list) else [found]:
            if (
                str(doc.get("Type")) == kind
                and unescape(str(doc.get("Name", ""))).rstrip(".").lower() == wanted
                and (doc.get("SetIdentifier") or None) == identifier
            ):
                return dict(doc)
        return None

    def _current(self, record: Record) -> Flow[dict[str, Any]]:
        """The set ``record`` belongs to as Route53 has it now (RecordDoesNotExistError if it
        or the record's value is gone)."""
        kind, name, identifier = split_id(record.id)
        doc = yield from self._find_set(record.zone, kind, name, identifier)
        value = self._value_of(record)
        if doc is None or value not in self._set_values(doc, record.zone):
            raise RecordDoesNotExistError(
                f"route53: no record {record.id} with value {record.data!r} in zone "
                f"{record.zone.id}",
                self,
                record.id,
                provider="route53",
            )
        return doc

    def _set_values(self, doc: Mapping[str, Any], zone: Zone) -> list[str]:
        return [str(rec.extra["value"]) for rec in records_of(doc, zone, self)]

    @staticmethod
    def _value_of(record: Record) -> str:
        if "alias_target" in record.extra:
            return str(record.extra.get("value", record.data))
        return wire_value(str(record.type), record.data, record.extra)

    @staticmethod
    def _with_values(doc: Mapping[str, Any], values: Sequence[str]) -> dict[str, Any]:
        out = dict(doc)
        out["ResourceRecords"] = {"ResourceRecord": [{"Value": v} for v in values]}
        return out

    def _type_name(self, type: RecordType | str) -> str:
        kind = str(type).upper()
        if kind not in _TYPES:
            raise ValidationError(
                f"Route53 has no {kind} records (it has {', '.join(_TYPES)}); an alias is a "
                "record of its target's type with extra['alias_target']"
            )
        return kind

    def _new_records(
        self,
        name: str,
        zone: Zone,
        kind: str,
        values: Sequence[str],
        extra: Mapping[str, Any],
        change: Mapping[str, Any],
    ) -> list[Record]:
        doc = record_set(name, zone, kind, values, extra, default_ttl=self.default_ttl)
        plain: dict[str, Any] = {
            **doc,
            "ResourceRecords": {"ResourceRecord": [{"Value": v} for v in values]},
        }
        made = records_of(plain, zone, self)
        for rec in made:
            rec.extra["change_id"] = change.get("id")
            rec.extra["change_status"] = change.get("status")
        return made

    # -- zones --------------------------------------------------------------------------------
    @listing
    def iterate_zones(self) -> Items[Zone]:
        """Hosted zones, lazily, one ``ListHostedZones`` page at a time."""
        flow = self._pages("/hostedzone", "HostedZones", r.HOSTED_ZONE_PAGES)
        return Items(mapped(flow, self._zone_model()))

    @operation
    def list_zones(self) -> Flow[list[Zone]]:
        """Every hosted zone."""
        flow = self._pages("/hostedzone", "HostedZones", r.HOSTED_ZONE_PAGES)
        zones: list[Zone] = yield from collect(flow, self._zone_model())
        return zones

    @operation
    def get_zone(self, zone_id: str) -> Flow[Zone]:
        """One hosted zone by id (with or without ``/hostedzone/``); its name servers in
        ``extra["name_servers"]``."""
        ident = zone_id.rsplit("/", 1)[-1]
        if not ident:
            raise ValidationError("a zone id is required")
        answer = yield from self._zone_call(ident, "GET", f"/hostedzone/{ident}", idempotent=True)
        zone = self._zone_model()(answer["HostedZone"])
        zone.extra["name_servers"] = self._name_servers(answer)
        return zone

    @staticmethod
    def _name_servers(answer: Mapping[str, Any]) -> list[str]:
        found = ((answer.get("DelegationSet") or {}).get("NameServers") or {}).get("NameServer")
        return [str(n) for n in (found if isinstance(found, list) else [found] if found else [])]

    @operation
    def create_zone(
        self,
        domain: str,
        type: str = "master",
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """A hosted zone for ``domain`` (a fresh ``CallerReference``, the same on every attempt).

        ``extra``: ``Comment``; ``vpc_id`` and ``vpc_region`` for a private zone;
        ``delegation_set_id``. Route53 hosts master zones only.
        """
        if type != "master":
            raise ValidationError("Route53 hosts master zones only")
        extra = extra or {}
        vpc = None
        if extra.get("vpc_id"):
            region = extra.get("vpc_region") or self._r53.region
            vpc = {"VPCRegion": region, "VPCId": extra["vpc_id"]}
        comment = extra.get("Comment", extra.get("comment"))
        body = r.to_xml(
            "CreateHostedZoneRequest",
            {
                "Name": domain,
                "VPC": vpc,
                "CallerReference": extra.get("caller_reference") or caller_reference(),
                "HostedZoneConfig": {"Comment": comment} if comment is not None else None,
                "DelegationSetId": extra.get("delegation_set_id"),
            },
            NAMESPACE,
        )
        try:
            answer = yield from self._call("POST", "/hostedzone", body, idempotent=True)
        except AwsAlreadyExistsError as exc:
            raise ZoneAlreadyExistsError(
                str(exc), self, domain, status=exc.status, code=exc.code, provider="route53"
            ) from exc
        zone = self._zone_model()(answer["HostedZone"])
        zone.extra["name_servers"] = self._name_servers(answer)
        info = answer.get("ChangeInfo") or {}
        zone.extra["change_id"] = str(info.get("Id", "")).rsplit("/", 1)[-1] or None
        zone.extra["change_status"] = info.get("Status")
        return zone

    @operation
    def update_zone(
        self,
        zone: Zone,
        domain: str,
        type: str = "master",
        ttl: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Zone]:
        """Change a hosted zone's comment (``extra["Comment"]``): all Route53 lets change."""
        if domain and domain.rstrip(".").lower() != zone.domain.rstrip(".").lower():
            raise ValidationError("Route53 cannot rename a hosted zone")
        if type != "master":
            raise ValidationError("Route53 hosts master zones only")
        extra = extra or {}
        comment = extra.get("Comment", extra.get("comment", ""))
        body = r.to_xml("UpdateHostedZoneCommentRequest", {"Comment": comment}, NAMESPACE)
        answer = yield from self._zone_call(
            zone.id, "POST", f"/hostedzone/{zone.id}", body=body, idempotent=True
        )
        updated = self._zone_model()(answer["HostedZone"])
        updated.extra.setdefault("Comment", comment or None)
        return updated

    @operation
    def delete_zone(self, zone: Zone, ex_delete_records: bool = False) -> Flow[bool]:
        """Delete a hosted zone; ``ex_delete_records`` first deletes every record set but the
        apex SOA and NS (Route53 refuses to delete a zone that has others)."""
        if ex_delete_records:
            yield from type(self).ex_delete_all_records(self, zone)
        yield from self._zone_call(zone.id, "DELETE", f"/hostedzone/{zone.id}")
        return True

    # -- records ------------------------------------------------------------------------------
    @listing
    def iterate_records(self, zone: Zone) -> Items[Record]:
        """The records of ``zone``, lazily (``ListResourceRecordSets`` pages by name, type and
        set identifier); a set of several values gives one record per value."""
        return Items(self._record_flow(zone))

    def _record_flow(self, zone: Zone) -> Flow[None]:
        return self._set_flow(zone, _same, RecordReader(zone, self))

    def _set_flow(
        self,
        zone: Zone,
        expand: Callable[[Any], list[Any]],
        convert: Callable[[Any], Any] = record_set_doc,
    ) -> Flow[None]:
        """``zone``'s record sets page by page, each element read by ``convert`` (a plain
        document by default) and emitted as ``expand(value)``; a missing zone raises
        ZoneDoesNotExistError."""
        from omnicloud._flow import Emit, step

        flow = self._pages(
            f"/hostedzone/{zone.id}/rrset", "ResourceRecordSets", r.RECORD_PAGES,
            page_size=self.page_size or _RECORD_PAGE, convert=convert,
        )  # fmt: skip
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration:
                return None
            except AwsNotFoundError as exc:
                raise ZoneDoesNotExistError(
                    str(exc), self, zone.id, status=exc.status, code=exc.code, provider="route53"
                ) from exc
            if isinstance(effect, Emit):
                effect = Emit([item for doc in effect.items for item in expand(doc)])
            try:
                value, error = (yield effect), None
            except Exception as exc:
                value, error = None, exc

    @operation
    def list_records(self, zone: Zone) -> Flow[list[Record]]:
        """Every record of ``zone``."""
        records: list[Record] = yield from collect(self._record_flow(zone), _same)
        return records

    @operation
    def get_record(self, zone_id: str, record_id: str) -> Flow[Record]:
        """The record ``TYPE:name`` of zone ``zone_id`` (the first value of a multi-value set;
        ``extra["values"]`` has them all)."""
        kind, name, identifier = split_id(record_id)
        zone: Zone = yield from type(self).get_zone(self, zone_id)
        doc = yield from self._find_set(zone, kind, name, identifier)
        if doc is None:
            raise RecordDoesNotExistError(
                f"route53: zone {zone.id} has no record {record_id}", self, record_id,
                provider="route53",
            )  # fmt: skip
        return records_of(doc, zone, self)[0]

    @operation
    def create_record(
        self,
        name: str,
        zone: Zone,
        type: RecordType | str,
        data: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Create the record set ``name`` (relative; ``""`` is the apex) with one value.

        ``extra``: ``ttl`` (default ``default_ttl``), ``priority`` (MX, SRV), ``weight`` and
        ``port`` (SRV), routing (``set_identifier``, ``routing_weight``, ``region``,
        ``failover``, ``geo_location``, ``multivalue_answer``, ``health_check_id``) or
        ``alias_target`` (``HostedZoneId``, ``DNSName``, ``EvaluateTargetHealth``). TXT and
        SPF data is quoted unless it is already. A set of that name and type that exists
        raises RecordAlreadyExistsError (``ex_create_multi_value_record`` makes several values).
        """
        kind = self._type_name(type)
        extra = dict(extra or {})
        values = [] if extra.get("alias_target") else [wire_value(kind, data, extra)]
        rrset = record_set(name, zone, kind, values, extra, default_ttl=self.default_ttl)
        change = yield from self._change_batch(zone, [_change("CREATE", rrset)])
        return self._new_records(name, zone, kind, values, extra, change)[0]

    @operation
    def ex_create_multi_value_record(
        self,
        name: str,
        zone: Zone,
        type: RecordType | str,
        data: str | Sequence[str],
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[list[Record]]:
        """One record set with several values (``data`` a list, or lines as in Libcloud); a
        record per value."""
        kind = self._type_name(type)
        extra = dict(extra or {})
        lines = data.splitlines() if isinstance(data, str) else list(data)
        values = [wire_value(kind, v.strip(), extra) for v in lines if v.strip()]
        if not values:
            raise ValidationError("a record set needs at least one value")
        rrset = record_set(name, zone, kind, values, extra, default_ttl=self.default_ttl)
        change = yield from self._change_batch(zone, [_change("CREATE", rrset)])
        return self._new_records(name, zone, kind, values, extra, change)

    @operation
    def update_record(
        self,
        record: Record,
        name: str | None = None,
        type: RecordType | str | None = None,
        data: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Flow[Record]:
        """Change one value of a record set (the set's other values stay), or its name, type,
        TTL or routing, in one change batch."""
        current = yield from self._current(record)
        zone = record.zone
        name = record.name if name is None else name
        kind = self._type_name(type or record.type)
        data = record.data if data is None else data
        merged = {k: v for k, v in record.extra.items() if not k.startswith("_")}
        merged.update(extra or {})
        old_value = self._value_of(record)
        new_value = wire_value(kind, data, merged)
        others = [v for v in self._set_values(current, zone) if v != old_value]
        same_set = (
            kind == str(record.type) and name == record.name
            and merged.get("set_identifier") == record.extra.get("set_identifier")
        )  # fmt: skip
        if same_set and not merged.get("alias_target"):
            rrset = record_set(
                name, zone, kind, [*others, new_value], merged, default_ttl=self.default_ttl
            )
            changes = [_change("UPSERT", rrset)]
            values = [new_value]
        else:
            changes = [
                _change("UPSERT", self._with_values(current, others))
                if others
                else _change("DELETE", current)
            ]
            values = [] if merged.get("alias_target") else [new_value]
            rrset = record_set(name, zone, kind, values, merged, default_ttl=self.default_ttl)
            changes.append(_change("CREATE", rrset))
        change = yield from self._change_batch(zone, changes)
        merged.pop("values", None)
        made = self._new_records(name, zone, kind, values, merged, change)[0]
        if same_set:
            made.extra["values"] = [*others, new_value]
            made.extra["_multi_value"] = bool(others)
        return made

    @operation
    def delete_record(self, record: Record) -> Flow[bool]:
        """Delete a record: its value leaves the set (the set goes with its last value)."""
        current = yield from self._current(record)
        value = self._value_of(record)
        others = [v for v in self._set_values(current, record.zone) if v != value]
        if others and "alias_target" not in record.extra:
            action = _change("UPSERT", self._with_values(current, others))
        else:
            action = _change("DELETE", current)
        change = yield from self._change_batch(record.zone, [action])
        record.extra["change_id"] = change.get("id")
        return True

    @operation
    def ex_delete_all_records(self, zone: Zone) -> Flow[bool]:
        """Delete every record set of ``zone`` but the apex SOA and NS, in batches."""
        apex = absolute("", zone).lower()
        docs: list[Any] = yield from collect(self._set_flow(zone, lambda doc: [doc]), _same)
        doomed = [
            _change("DELETE", doc)
            for doc in docs
            if not (doc.get("Type") in ("SOA", "NS") and str(doc.get("Name", "")).lower() == apex)
        ]
        for start in range(0, len(doomed), _MAX_CHANGES):
            yield from self._change_batch(zone, doomed[start : start + _MAX_CHANGES])
        return True

    @operation
    def ex_change_resource_record_sets(
        self, zone: Zone, changes: Sequence[Mapping[str, Any]], comment: str | None = None
    ) -> Flow[dict[str, Any]]:
        """Send a change batch as written: ``[{"Action": "UPSERT", "ResourceRecordSet":
        {"Name": ..., "Type": ..., "TTL": 60, "ResourceRecords": {"ResourceRecord":
        [{"Value": ...}]}}}]``; the change (``id``, ``status``, ``submitted_at``)."""
        if not changes:
            raise ValidationError("a change batch needs at least one change")
        return (yield from self._change_batch(zone, changes, comment))

    # -- changes ------------------------------------------------------------------------------
    @operation
    def ex_get_change(self, change_id: str) -> Flow[dict[str, Any]]:
        """A change's ``id``, ``status`` (``PENDING`` or ``INSYNC``) and ``submitted_at``."""
        ident = change_id.rsplit("/", 1)[-1]
        if not ident:
            raise ValidationError("a change id is required")
        answer = yield from self._call("GET", f"/change/{ident}", idempotent=True)
        info = answer.get("ChangeInfo") or {}
        return {
            "id": str(info.get("Id", ident)).rsplit("/", 1)[-1],
            "status": info.get("Status"),
            "submitted_at": info.get("SubmittedAt"),
        }

    @operation
    def ex_wait_for_change(
        self,
        change: str | Record | Zone | Mapping[str, Any],
        timeout: float | None = None,
        on_progress: Callable[[Any], None] | None = None,
    ) -> Flow[dict[str, Any]]:
        """Wait until a change is ``INSYNC`` (on every Route53 name server); ``change`` is an
        id, a change dict, or a record/zone this driver created or changed. Raises
        JobTimeoutError after ``timeout`` (default ``wait_timeout``) seconds."""
        ident = self._change_id(change)
        settings = self.poll
        if timeout is not None:
            settings = PollSettings(settings.interval, settings.first_interval, timeout)

        def check() -> Flow[PollStatus]:
            info: dict[str, Any] = yield from type(self).ex_get_change(self, ident)
            return PollStatus(info.get("status") == "INSYNC", info, info.get("status"))

        result: dict[str, Any] = yield from poll(
            check, settings, what=f"route53 change {ident}", job_id=ident, on_progress=on_progress
        )
        return result

    @staticmethod
    def _change_id(change: Any) -> str:
        if isinstance(change, str):
            return change
        if isinstance(change, Mapping):
            found = change.get("id")
        else:
            found = (getattr(change, "extra", None) or {}).get("change_id")
        if not found:
            raise ValidationError(f"no change id in {change!r}")
        return str(found)


class Route53DNSDriver(SyncShell, Route53DNSDriverCore):
    """Amazon Route53: ``Route53DNSDriver(key, secret)``."""


class AsyncRoute53DNSDriver(AsyncShell, Route53DNSDriverCore):
    """Amazon Route53, async: ``async with AsyncRoute53DNSDriver(key, secret) as d:``."""
