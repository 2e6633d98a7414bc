"""Shared helpers to build and render resource documents: ids, dates, addresses, tags."""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._store import Doc, public

if TYPE_CHECKING:
    from ._world import World

__all__ = [
    "TAGGABLE",
    "allocate_ips",
    "mac_addresses",
    "new_id",
    "owner_fields",
    "render",
    "render_many",
    "timestamp",
]

# createTags resourcetype (lower-cased) -> (stored kind, canonical resourcetype)
TAGGABLE: dict[str, tuple[str, str]] = {
    "uservm": ("vm", "UserVm"),
    "volume": ("volume", "Volume"),
    "snapshot": ("snapshot", "Snapshot"),
    "template": ("template", "Template"),
    "iso": ("iso", "ISO"),
    "securitygroup": ("securitygroup", "SecurityGroup"),
    "network": ("network", "Network"),
}
_KIND_TO_TYPE = {kind: name for kind, name in TAGGABLE.values()}


def new_id() -> str:
    """A fresh CloudStack-style uuid: random (version 4), as ``str(uuid.uuid4())`` spells it."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def timestamp(moment: float | None = None) -> str:
    """CloudStack's date format, e.g. ``2023-04-13T08:03:25+0000``."""
    global _last_stamp
    if moment is None:
        moment = time.time()
    last = _last_stamp
    if last[0] == moment:  # one request stamps several documents with its own moment
        return last[1]
    text = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
    _last_stamp = (moment, text)
    return text


_last_stamp: tuple[float | None, str] = (None, "")


def owner_fields(account: Doc) -> Doc:
    """The account/domain fields every owned resource carries, plus its ``_owner``."""
    return {
        "account": account["name"],
        "domainid": account["domainid"],
        "domain": account["domain"],
        "_owner": account["id"],
    }


def allocate_ips(state: World, network: Doc, count: int = 1) -> list[str]:
    """The next ``count`` addresses of a network's CIDR (after the gateway, wrapping around)."""
    net, base, size = _network(network["cidr"])
    hosts = max(size - 3, 1)
    first = state.store.next_value(f"ip:{network['id']}", count) - 1
    offsets = [(first + i) % hosts + 2 for i in range(count)]
    if net.version == 4 and all(offset < size for offset in offsets):
        return [socket.inet_ntoa((base + offset).to_bytes(4, "big")) for offset in offsets]
    return [str(net[offset]) for offset in offsets]


@functools.lru_cache(maxsize=256)
def _network(cidr: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, int, int]:
    """A CIDR's network, its first address as a number, and its size."""
    net = ipaddress.ip_network(cidr, strict=False)
    return net, int(net.network_address), net.num_addresses


def mac_addresses(state: World, count: int = 1) -> list[str]:
    """``count`` fresh, locally administered MAC addresses."""
    first = state.store.next_value("mac", count)
    return [
        "02:00:" + (n & 0xFFFFFFFF).to_bytes(4, "big").hex(":") for n in range(first, first + count)
    ]


def tags_by_resource(state: World, ids: Iterable[str]) -> dict[str, list[Doc]]:
    """Rendered tags of each resource id."""
    wanted = list(ids)
    found: dict[str, list[Doc]] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        _, tags = state.store.find(
            "tag", where=[(f"ref IN ({','.join('?' * len(chunk))})", chunk)], with_total=False
        )
        for tag in tags:
            found.setdefault(tag["resourceid"], []).append(public(tag))
    return found


def render_many(state: World, docs: list[Doc], *, tagged: bool = True) -> list[Doc]:
    """Public views of ``docs`` with their ``tags`` filled in."""
    tags = tags_by_resource(state, [doc["id"] for doc in docs]) if tagged else {}
    out = []
    for doc in docs:
        view = public(doc)
        if tagged:
            view["tags"] = tags.get(doc["id"], [])
        out.append(view)
    return out


def render(state: World, doc: Doc, *, tagged: bool = True) -> Doc:
    """Public view of one document with its tags."""
    return render_many(state, [doc], tagged=tagged)[0]


def resource_type(kind: str) -> str:
    """The createTags resource type of a stored kind."""
    return _KIND_TO_TYPE.get(kind, kind)


def merge(doc: Doc, **fields: Any) -> Doc:
    """Update ``doc`` in place and return it."""
    doc.update(fields)
    return doc
