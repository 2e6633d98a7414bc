"""Route53 documents to DNS models and back: hosted zones (declared with ``wire()``), record
sets (one :class:`Record` per value, as Libcloud has them) and ``ResourceRecordSet`` bodies.

A record's id is Libcloud's ``TYPE:name`` (name relative to the zone, ``""`` at the apex),
with ``:set-identifier`` appended for the weighted, latency, failover... sets that have one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._wire import context, schema, wire
from omnicloud.aws._xml import _NAMES, local_name
from omnicloud.dns._base import Record, RecordType, Zone
from omnicloud.errors import ValidationError

__all__ = [
    "ROUTING",
    "ZONE",
    "RecordReader",
    "absolute",
    "record_id",
    "record_set",
    "record_set_doc",
    "records_of",
    "relative",
    "split_id",
    "unescape",
    "wire_value",
]

_OCTAL = re.compile(r"\\(\d{3})")

#: Record extras that become ``ResourceRecordSet`` elements (routing policies), in the order
#: Route53's schema wants them.
ROUTING: Mapping[str, str] = {
    "set_identifier": "SetIdentifier",
    "routing_weight": "Weight",
    "region": "Region",
    "geo_location": "GeoLocation",
    "failover": "Failover",
    "multivalue_answer": "MultiValueAnswer",
}


def unescape(name: str) -> str:
    r"""A name as Route53 lists it, with its octal escapes decoded (``\052`` is ``*``)."""
    if "\\" not in name:
        return name
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), name)


def _zone_id(value: Any) -> str:
    return str(value).rsplit("/", 1)[-1]


def _zone_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    config = doc.get("Config") or {}
    count = doc.get("ResourceRecordSetCount")
    return {
        "Comment": config.get("Comment") or None,
        "ResourceRecordSetCount": int(count) if count not in (None, "") else None,
        "PrivateZone": config.get("PrivateZone") == "true",
        "CallerReference": doc.get("CallerReference"),
    }


#: A hosted zone: ``id`` without ``/hostedzone/``, ``domain`` as Route53 spells it (with the
#: trailing dot), type ``master``; Libcloud's extras (``Comment``, ``ResourceRecordSetCount``).
ZONE = schema(
    Zone,
    id=wire("Id", _zone_id, required=True),
    domain=wire("Name", lambda v: unescape(str(v)), default=""),
    type=context(default="master"),
    ttl=context(default=None),
    driver=context(),
    extra=wire("*", _zone_extra, repr=False),
)


def absolute(name: str, zone: Zone) -> str:
    """The full name of ``name`` (relative to ``zone``; ``""`` is the apex), dot-terminated."""
    domain = zone.domain.rstrip(".")
    return f"{name}.{domain}." if name else f"{domain}."


def relative(full: str, zone: Zone) -> str:
    """``full`` relative to ``zone`` (``""`` for the apex)."""
    name = unescape(full).rstrip(".")
    domain = zone.domain.rstrip(".").lower()
    lowered = name.lower()
    if lowered == domain:
        return ""
    if lowered.endswith(domain) and lowered[-len(domain) - 1 : -len(domain)] == ".":
        return name[: -len(domain) - 1]
    return name


def record_set_doc(element: Any) -> dict[str, Any]:
    """A ``ResourceRecordSet`` element as the document :func:`records_of` reads.

    The same shape as :func:`omnicloud.aws._xml.to_value` gives (``ResourceRecords`` as
    ``{"ResourceRecord": [{"Value": ...}, ...]}``), built in one pass over the element: the
    record sets of a zone are the largest Route53 answers.
    """
    from omnicloud.aws._xml import local_name, to_value

    doc: dict[str, Any] = {}
    for kid in element:
        name = local_name(kid.tag)
        if name == "ResourceRecords":
            doc[name] = {
                "ResourceRecord": [
                    {local_name(leaf.tag): leaf.text or "" for leaf in entry} for entry in kid
                ]
            }
        elif len(kid):
            doc[name] = to_value(kid)
        else:
            doc[name] = kid.text or ""
    return doc


def record_id(kind: str, name: str, identifier: str | None = None) -> str:
    """Libcloud's record id ``TYPE:name`` (``:identifier`` added for a routing set)."""
    return f"{kind}:{name}" + (f":{identifier}" if identifier else "")


def split_id(value: str) -> tuple[str, str, str | None]:
    """``(type, name, set identifier)`` of a record id."""
    kind, sep, rest = value.partition(":")
    if not sep or not kind:
        raise ValidationError(f"a Route53 record id is TYPE:name, not {value!r}")
    name, sep, identifier = rest.partition(":")
    return kind.upper(), name, identifier if sep else None


_KINDS: Mapping[str, RecordType] = {member.value: member for member in RecordType}


def _kind(value: str) -> RecordType | str:
    """The RecordType called ``value``, or ``value`` itself for a type it does not name."""
    return _KINDS.get(value, value)


def _parse(kind: str, value: str) -> tuple[str, dict[str, Any]]:
    """Data and extras of one value (MX priority, SRV priority/weight/port split off)."""
    if kind == "MX":
        parts = value.split()
        if len(parts) == 2 and parts[0].isdigit():
            return parts[1], {"priority": int(parts[0])}
    elif kind == "SRV":
        parts = value.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
            return parts[3], {
                "priority": int(parts[0]),
                "weight": int(parts[1]),
                "port": int(parts[2]),
            }
    return value, {}


def wire_value(kind: str, data: str, extra: Mapping[str, Any]) -> str:
    """The Route53 value of ``data`` (MX/SRV numbers from ``extra``; TXT/SPF quoted)."""
    if kind == "MX" and "priority" in extra:
        return f"{extra['priority']} {data}"
    if kind == "SRV" and "priority" in extra:
        return f"{extra['priority']} {extra.get('weight', 0)} {extra.get('port', 0)} {data}"
    if kind in ("TXT", "SPF") and not (len(data) >= 2 and data[0] == data[-1] == '"'):
        return '"' + data.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return data


#: The elements of a set with nothing but values.
_PLAIN_SET = frozenset({"Name", "Type", "TTL", "ResourceRecords"})


def _values(doc: Mapping[str, Any]) -> list[str]:
    found = (doc.get("ResourceRecords") or {}).get("ResourceRecord") or []
    found = found if isinstance(found, list) else [found]
    return [str(item.get("Value", "")) for item in found if isinstance(item, dict)]


def records_of(doc: Mapping[str, Any], zone: Zone, driver: Any) -> list[Record]:
    """The records of one ``ResourceRecordSet`` document: one per value (an alias set: one,
    its data the alias target's DNS name). Each keeps the whole set in ``extra``."""
    kind = str(doc.get("Type", ""))
    name = relative(str(doc.get("Name", "")), zone)
    ttl_text = doc.get("TTL")
    ttl = int(ttl_text) if ttl_text not in (None, "") else None
    identifier = doc.get("SetIdentifier") or None
    values = _values(doc)
    shared: dict[str, Any] = {"ttl": ttl, "values": values}
    if doc.keys() - _PLAIN_SET:  # routing, an alias or a health check
        for key, element in ROUTING.items():
            if doc.get(element) not in (None, ""):
                shared[key] = doc[element]
        if doc.get("HealthCheckId"):
            shared["health_check_id"] = doc["HealthCheckId"]
        alias = doc.get("AliasTarget")
        if isinstance(alias, dict):
            shared["alias_target"] = dict(alias)
            values = [str(alias.get("DNSName", ""))]
    ident = record_id(kind, name, identifier)
    record_kind = _kind(kind)
    several = len(values) > 1
    plain = "alias_target" not in shared and kind in ("MX", "SRV")
    out = []
    for value in values:
        data, parsed = _parse(kind, value) if plain else (value, {})
        extra = {**shared, **parsed, "value": value, "_multi_value": several}
        out.append(Record(ident, name, record_kind, data, zone, driver, ttl, extra))
    return out


class RecordReader:
    """Reads one ``ResourceRecordSet`` element straight into its records for ``zone``.

    A set of nothing but a name, a type, a TTL and values (nearly every set a zone lists) is
    read in one pass over the element; any other set goes through :func:`record_set_doc` and
    :func:`records_of`. The zone's name is compared once per reader, not once per record.
    """

    __slots__ = ("_domain", "_driver", "_zone")

    def __init__(self, zone: Zone, driver: Any) -> None:
        self._zone = zone
        self._driver = driver
        self._domain = zone.domain.rstrip(".").lower()

    def __call__(self, element: Any) -> list[Record]:
        name = kind = ttl_text = None
        values: list[str] = []
        for kid in element:
            tag = kid.tag
            tag = _NAMES.get(tag) or local_name(tag)
            if tag == "Name":
                name = kid.text or ""
            elif tag == "Type":
                kind = kid.text or ""
            elif tag == "TTL":
                ttl_text = kid.text
            elif tag == "ResourceRecords":
                values = [leaf.text or "" for entry in kid for leaf in entry]
            else:  # routing, an alias or a health check: the general reader
                return records_of(record_set_doc(element), self._zone, self._driver)
        if name is None or kind is None:
            return records_of(record_set_doc(element), self._zone, self._driver)
        ttl = int(ttl_text) if ttl_text else None
        relative_name = self._relative(name)
        ident = f"{kind}:{relative_name}"  # record_id without a set identifier
        record_kind = _KINDS.get(kind, kind)
        several = len(values) > 1
        zone, driver = self._zone, self._driver
        if kind in ("MX", "SRV"):
            out = []
            for value in values:
                data, parsed = _parse(kind, value)
                extra = {"ttl": ttl, "values": values, **parsed}
                extra["value"], extra["_multi_value"] = value, several
                out.append(
                    Record(ident, relative_name, record_kind, data, zone, driver, ttl, extra)
                )
            return out
        return [
            Record(
                ident,
                relative_name,
                record_kind,
                value,
                zone,
                driver,
                ttl,
                {"ttl": ttl, "values": values, "value": value, "_multi_value": several},
            )
            for value in values
        ]

    def _relative(self, full: str) -> str:
        name = unescape(full).rstrip(".")
        domain = self._domain
        lowered = name.lower()
        if lowered == domain:
            return ""
        if lowered.endswith(domain) and lowered[-len(domain) - 1 : -len(domain)] == ".":
            return name[: -len(domain) - 1]
        return name


def record_set(
    name: str,
    zone: Zone,
    kind: str,
    values: Sequence[str],
    extra: Mapping[str, Any],
    *,
    default_ttl: int,
) -> dict[str, Any]:
    """A ``ResourceRecordSet`` body: ``values`` (wire values), TTL and routing from ``extra``,
    or an alias (``extra["alias_target"]``, no TTL and no values)."""
    body: dict[str, Any] = {"Name": absolute(name, zone), "Type": kind}
    for key, element in ROUTING.items():
        if extra.get(key) is not None:
            body[element] = extra[key]
    alias = extra.get("alias_target")
    if alias:
        body["AliasTarget"] = {
            "HostedZoneId": alias.get("HostedZoneId") or alias.get("hosted_zone_id"),
            "DNSName": alias.get("DNSName") or alias.get("dns_name"),
            "EvaluateTargetHealth": bool(
                alias.get("EvaluateTargetHealth", alias.get("evaluate_target_health", False))
                in (True, "true")
            ),
        }
    else:
        ttl = extra.get("ttl")
        body["TTL"] = int(ttl) if ttl is not None else default_ttl
        body["ResourceRecords"] = {"ResourceRecord": [{"Value": v} for v in values]}
    if extra.get("health_check_id"):
        body["HealthCheckId"] = extra["health_check_id"]
    return body
