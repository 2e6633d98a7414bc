"""Shared helpers to build and render resource documents: ids, dates, addresses, tags."""

from __future__ import annotations

import ipaddress
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._store import Doc, public

if TYPE_CHECKING:
    from ._state import CloudStackState

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
    """A fresh CloudStack-style uuid."""
    return str(uuid.uuid4())


def timestamp(moment: float | None = None) -> str:
    """CloudStack's date format, e.g. ``2023-04-13T08:03:25+0000``."""
    when = datetime.fromtimestamp(time.time() if moment is None else moment, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S+0000")


def owner_fields(account: Doc) -> Doc:
    """The account/domain fields every owned resource carries, plus its ``_owner``."""
    return {
        "account": account["name"],
        "domainid": account["domainid"],
        "domain": account["domain"],
        "_owner": account["id"],
    }


def allocate_ips(state: CloudStackState, network: Doc, count: int = 1) -> list[str]:
    """The next ``count`` addresses of a network's CIDR (after the gateway, wrapping around)."""
    net = ipaddress.ip_network(network["cidr"], strict=False)
    hosts = max(net.num_addresses - 3, 1)
    first = state.store.next_value(f"ip:{network['id']}", count) - 1
    return [str(net[(first + i) % hosts + 2]) for i in range(count)]


def mac_addresses(state: CloudStackState, count: int = 1) -> list[str]:
    """``count`` fresh, locally administered MAC addresses."""
    first = state.store.next_value("mac", count)
    return [
        "02:00:" + ":".join(f"{(n >> shift) & 0xFF:02x}" for shift in (24, 16, 8, 0))
        for n in range(first, first + count)
    ]


def tags_by_resource(state: CloudStackState, ids: Iterable[str]) -> dict[str, list[Doc]]:
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


def render_many(state: CloudStackState, docs: list[Doc], *, tagged: bool = True) -> list[Doc]:
    """Public views of ``docs`` with their ``tags`` filled in."""
    tags = tags_by_resource(state, [doc["id"] for doc in docs]) if tagged else {}
    out = []
    for doc in docs:
        view = public(doc)
        if tagged:
            view["tags"] = tags.get(doc["id"], [])
        out.append(view)
    return out


def render(state: CloudStackState, doc: Doc, *, tagged: bool = True) -> Doc:
    """Public view of one document with its tags."""
    return render_many(state, [doc], tagged=tagged)[0]


def resource_type(kind: str) -> str:
    """The createTags resource type of a stored kind."""
    return _KIND_TO_TYPE.get(kind, kind)


def merge(doc: Doc, **fields: Any) -> Doc:
    """Update ``doc`` in place and return it."""
    doc.update(fields)
    return doc
