"""PowerDNS documents to DNS models and back: zones (declared with ``wire()``), RRsets (one
:class:`Record` per record of the set, as Libcloud has them) and record contents.

Names: PowerDNS wants canonical names (``www.example.org.``); a user may give a name relative
to the zone (``"www"``, ``""`` or ``"@"`` for the apex), a full name without the final dot as
Libcloud users do (``"www.example.org"``) or a canonical one. A record's ``name`` is relative
to its zone (``""`` at the apex); ``extra["fqdn"]`` is the canonical name. A record's id is
Libcloud's ``TYPE:fqdn`` (``A:www.example.org.``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._wire import context, schema, wire
from omnicloud.dns._base import Record, RecordType, Zone
from omnicloud.errors import ValidationError

__all__ = [
    "HOST_TYPES",
    "KINDS",
    "ZONE",
    "absolute",
    "canonical",
    "content_of",
    "record_id",
    "records_of",
    "relative",
    "split_id",
    "zone_records",
]

#: PowerDNS zone kinds and the Libcloud zone type each is.
KINDS: Mapping[str, str] = {
    "Native": "master",
    "Master": "master",
    "Primary": "master",
    "Producer": "master",
    "Slave": "slave",
    "Secondary": "slave",
    "Consumer": "slave",
}

#: Types whose whole content is one host name (PowerDNS wants it canonical).
HOST_TYPES = frozenset({"CNAME", "DNAME", "NS", "PTR", "ALIAS"})
_QUOTED_TYPES = frozenset({"TXT", "SPF"})
_TXT_CHUNK = 255  # the longest character-string of a TXT record


def canonical(name: str) -> str:
    """``name`` with its final dot (``"."`` for the root)."""
    return name if name.endswith(".") else f"{name}."


def _zone_extra(doc: Mapping[str, Any]) -> dict[str, Any]:
    extra = {k: v for k, v in doc.items() if k not in ("rrsets", "id", "name")}
    rrsets = doc.get("rrsets")
    if isinstance(rrsets, list):
        apex = str(doc.get("name", "")).lower()
        for rrset in rrsets:
            if rrset.get("type") == "NS" and str(rrset.get("name", "")).lower() == apex:
                extra["nameservers"] = [str(r.get("content")) for r in rrset.get("records", [])]
    return extra


#: A zone: ``id`` as PowerDNS gives it (``example.org.``, special characters escaped), the
#: canonical ``domain``, type ``master`` (Native, Master) or ``slave``; no zone TTL in PowerDNS.
#: ``extra``: ``kind``, ``dnssec``, ``account``, ``masters``, ``serial``... as PowerDNS names them,
#: and ``nameservers`` when the answer had the apex NS set.
ZONE = schema(
    Zone,
    id=wire("id", str, required=True),
    domain=wire("name", str, default=""),
    type=wire("kind", KINDS, default="master"),
    ttl=context(default=None),
    driver=context(),
    extra=wire("*", _zone_extra, repr=False),
)


def absolute(name: str, zone: Zone) -> str:
    """The canonical name of ``name`` in ``zone``: ``""``/``"@"`` is the apex, a canonical name
    is kept, a full name without its final dot (``www.example.org``) gets it, anything else is
    relative to the zone."""
    apex = canonical(zone.domain)
    if name in ("", "@"):
        return apex
    if name.endswith("."):
        return name
    lowered, domain = name.lower(), apex[:-1].lower()
    if lowered == domain or lowered.endswith("." + domain):
        return f"{name}."
    return f"{name}.{apex}"


def relative(fqdn: str, zone: Zone) -> str:
    """``fqdn`` relative to ``zone`` (``""`` for the apex; a name out of the zone stays full)."""
    name = fqdn[:-1] if fqdn.endswith(".") else fqdn
    domain = zone.domain.rstrip(".").lower()
    lowered = name.lower()
    if lowered == domain:
        return ""
    if lowered.endswith("." + domain):
        return name[: -len(domain) - 1]
    return name


def record_id(kind: str, fqdn: str) -> str:
    """Libcloud's PowerDNS record id ``TYPE:fqdn``."""
    return f"{kind}:{fqdn}"


def split_id(value: str, zone: Zone) -> tuple[str, str]:
    """``(TYPE, canonical name)`` of a record id ``TYPE:name`` (the name in any form
    :func:`absolute` takes)."""
    kind, sep, name = value.partition(":")
    if not sep or not kind:
        raise ValidationError(f"a PowerDNS record id is TYPE:name, not {value!r}")
    return kind.upper(), absolute(name, zone)


_KINDS: Mapping[str, RecordType] = {member.value: member for member in RecordType}


def record_kind(value: str) -> RecordType | str:
    """The RecordType called ``value``, or ``value`` itself for a type it does not name."""
    return _KINDS.get(value, value)


def _quote(text: str) -> str:
    """``text`` as TXT character-strings: quoted, escaped, cut every 255 bytes."""
    raw = text.encode("utf-8")
    chunks = [raw[i : i + _TXT_CHUNK] for i in range(0, len(raw), _TXT_CHUNK)] or [b""]
    out = []
    for chunk in chunks:
        piece = chunk.decode("utf-8", errors="backslashreplace")
        out.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(out)


def content_of(kind: str, data: str, extra: Mapping[str, Any]) -> str:
    """The PowerDNS content of a record: MX/SRV numbers from ``extra`` before the target,
    host names made canonical, TXT/SPF quoted unless they are already."""
    data = data.strip()
    if kind == "MX":
        parts = data.split()
        if len(parts) == 2 and parts[0].isdigit():
            return f"{parts[0]} {canonical(parts[1])}"
        if "priority" not in extra:
            raise ValidationError(
                "an MX record needs extra['priority'] (or data such as '10 mail.example.org.')"
            )
        return f"{int(extra['priority'])} {canonical(data)}"
    if kind == "SRV":
        parts = data.split()
        if len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
            return " ".join([*parts[:3], canonical(parts[3])])
        if "priority" not in extra or "port" not in extra:
            raise ValidationError(
                "an SRV record needs extra['priority'], extra['port'] (and extra['weight']), "
                "or data such as '10 5 5060 sip.example.org.'"
            )
        numbers = (int(extra["priority"]), int(extra.get("weight", 0)), int(extra["port"]))
        return f"{numbers[0]} {numbers[1]} {numbers[2]} {canonical(data)}"
    if kind in HOST_TYPES and data:
        return canonical(data)
    if kind in _QUOTED_TYPES and not (len(data) >= 2 and data[0] == data[-1] == '"'):
        return _quote(data)
    return data


def _parsed(kind: str, content: str) -> tuple[str, dict[str, Any]]:
    """Data and extras of one content (MX priority, SRV priority/weight/port split off)."""
    parts = content.split()
    if kind == "MX" and len(parts) == 2 and parts[0].isdigit():
        return parts[1], {"priority": int(parts[0])}
    if kind == "SRV" and len(parts) == 4 and all(p.isdigit() for p in parts[:3]):
        return parts[3], {
            "priority": int(parts[0]),
            "weight": int(parts[1]),
            "port": int(parts[2]),
        }
    return content, {}


#: The types whose contents carry numbers :func:`_parsed` splits off.
_SPLIT_TYPES = frozenset({"MX", "SRV"})


def zone_records(rrsets: Any, zone: Zone, driver: Any) -> list[Record]:
    """The records of RRset documents (a zone document's ``rrsets``), one per record; each
    knows its whole set in ``extra["values"]``.

    A zone's listing runs this for a thousand RRsets and more, so it is one flat loop: the
    zone's name is lowered once, and an RRset of one plain record (most are) takes the short
    way; the others go through :func:`_parsed` and the general loop.
    """
    out: list[Record] = []
    append = out.append
    domain = zone.domain.rstrip(".").lower()
    suffix = "." + domain
    cut = -len(suffix)
    kinds, split_types = _KINDS, _SPLIT_TYPES
    for rrset in rrsets or ():
        items = rrset.get("records")
        if not items:
            continue
        kind = rrset.get("type", "")
        if type(kind) is not str:
            kind = str(kind)
        fqdn = rrset.get("name", "")
        if type(fqdn) is not str:
            fqdn = str(fqdn)
        ttl = rrset.get("ttl")
        if ttl is not None and type(ttl) is not int:
            ttl = int(ttl)
        name = fqdn[:-1] if fqdn.endswith(".") else fqdn
        lowered = name.lower()
        if lowered.endswith(suffix):
            name = name[:cut]
        elif lowered == domain:
            name = ""
        ident = f"{kind}:{fqdn}"
        typed = kinds.get(kind, kind)
        if len(items) == 1 and kind not in split_types and type(items[0]) is dict:
            item = items[0]
            content = item.get("content", "")
            if type(content) is not str:
                content = str(content)
            extra = {"ttl": ttl, "fqdn": fqdn, "content": content,
                     "disabled": bool(item.get("disabled", False)), "values": [content],
                     "_multi_value": False}  # fmt: skip
            append(Record(ident, name, typed, content, zone, driver, ttl, extra))
            continue
        records = [r for r in items if isinstance(r, Mapping)]
        values = [str(r.get("content", "")) for r in records]
        several = len(records) > 1
        for record_doc, content in zip(records, values, strict=True):
            data, parsed = _parsed(kind, content) if kind in split_types else (content, {})
            extra = {"ttl": ttl, "fqdn": fqdn, "content": content,
                     "disabled": bool(record_doc.get("disabled", False)), "values": values,
                     **parsed, "_multi_value": several}  # fmt: skip
            append(Record(ident, name, typed, data, zone, driver, ttl, extra))
    return out


def records_of(rrset: Mapping[str, Any], zone: Zone, driver: Any) -> list[Record]:
    """The records of one RRset document (see :func:`zone_records`)."""
    return zone_records((rrset,), zone, driver)


def find_rrset(
    rrsets: Sequence[Mapping[str, Any]], fqdn: str, kind: str
) -> Mapping[str, Any] | None:
    """The RRset ``fqdn``/``kind`` of a zone document's ``rrsets``, or None."""
    wanted = fqdn.lower()
    for rrset in rrsets:
        if str(rrset.get("type")) == kind and str(rrset.get("name", "")).lower() == wanted:
            return rrset
    return None
