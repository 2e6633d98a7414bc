"""Read-only networking views the compute side needs (guest networks, offerings, and the public
IP / forwarding-rule lists Libcloud's ``list_nodes`` reads). The networking half of the API adds
its create/delete commands in its own modules; these lists read the same stored kinds."""

from __future__ import annotations

from .._call import Call, Listing
from .._docs import render_many
from .._registry import LIST_OWNER_PARAMS, Param, command
from .._store import public
from ._common import tag_filters


def _owned_or_shared(call: Call) -> list[str] | None:
    return call.visible_owners()


@command(
    "listNetworks",
    params=(
        Param("id", "uuid", description="list networks by ID"),
        Param("zoneid", "uuid", description="the zone ID of the network"),
        Param("type", "string", description="the type of the network: Isolated, Shared, L2"),
        Param("traffictype", "string", description="type of the traffic"),
        Param("isdefault", "boolean", description="true if network is default"),
        Param(
            "canusefordeploy", "boolean", description="list networks available for vm deployment"
        ),
        Param("vpcid", "uuid", description="List networks by VPC"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="network",
)
def list_networks(call: Call) -> Listing:
    """Lists all available networks (shared ones and the caller's own)."""
    owners = _owned_or_shared(call)
    fields = {
        k: call.text(k)
        for k in ("zoneid", "type", "traffictype", "vpcid", "projectid")
        if call.has(k)
    }
    for key in ("isdefault", "canusefordeploy"):
        if call.has(key):
            fields[key] = call.flag(key)  # type: ignore[assignment]
    where: list[tuple[str, tuple[object, ...]]] = []
    if owners is not None:
        marks = ",".join("?" * len(owners)) or "NULL"
        where.append((f"(owner IS NULL OR owner IN ({marks}))", tuple(owners)))
    where.extend(tag_filters(call))
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "network",
        ids=[call.need_text("id")] if call.has("id") else None,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


@command(
    "listNetworkOfferings",
    params=(
        Param("id", "uuid", description="list network offerings by ID"),
        Param("name", "string", description="list network offerings by name"),
        Param(
            "guestiptype",
            "string",
            description="list network offerings by guest type: shared or isolated",
        ),
        Param(
            "zoneid",
            "uuid",
            description="list network offerings available for network creation in specific zone",
        ),
    ),
    list_key="networkoffering",
)
def list_network_offerings(call: Call) -> Listing:
    """Lists all available network offerings."""
    fields = {k: call.text(k) for k in ("name",) if call.has(k)}
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("guestiptype"):
        where.append(
            ("lower(json_extract(data, '$.guestiptype')) = lower(?)", (call.text("guestiptype"),))
        )
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "networkoffering",
        ids=[call.need_text("id")] if call.has("id") else None,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    items = []
    for doc in docs:
        view = public(doc)
        view["service"] = [{"name": name} for name in doc.get("_services", [])]
        items.append(view)
    return Listing(total, items)


def _simple_list(call: Call, kind: str, filters: tuple[str, ...]) -> Listing:
    fields = {k: call.text(k) for k in filters if call.has(k)}
    offset, limit = call.window()
    total, docs = call.state.store.find(
        kind,
        owners=call.visible_owners(),
        ids=[call.need_text("id")] if call.has("id") else None,
        fields=fields,
        keyword=call.text("keyword"),
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


@command(
    "listPublicIpAddresses",
    params=(
        Param("id", "uuid", description="lists IP address by ID"),
        Param("ipaddress", "string", description="lists the specified IP address"),
        Param("zoneid", "uuid", description="lists all public IP addresses by zone ID"),
        Param(
            "associatednetworkid",
            "uuid",
            description="lists all public IP addresses associated to the network specified",
        ),
        Param("vpcid", "uuid", description="List ips belonging to the VPC"),
        Param(
            "allocatedonly",
            "boolean",
            description="limits search results to allocated public IP addresses",
        ),
        Param("isstaticnat", "boolean", description="list only static NAT IP addresses"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="publicipaddress",
)
def list_public_ip_addresses(call: Call) -> Listing:
    """Lists all public ip addresses."""
    return _simple_list(
        call,
        "publicipaddress",
        ("ipaddress", "zoneid", "associatednetworkid", "vpcid", "projectid"),
    )


@command(
    "listPortForwardingRules",
    params=(
        Param("id", "uuid", description="Lists rule with the specified ID"),
        Param(
            "ipaddressid",
            "uuid",
            description="the ID of IP address of the port forwarding services",
        ),
        Param("networkid", "uuid", description="list port forwarding rules for certain network"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="portforwardingrule",
)
def list_port_forwarding_rules(call: Call) -> Listing:
    """Lists all port forwarding rules for an IP address."""
    return _simple_list(call, "portforwardingrule", ("ipaddressid", "networkid"))


@command(
    "listIpForwardingRules",
    params=(
        Param("id", "uuid", description="Lists rule with the specified ID"),
        Param(
            "ipaddressid", "uuid", description="list the rule belonging to this public IP address"
        ),
        Param(
            "virtualmachineid", "uuid", description="Lists all rules applied to the specified VM"
        ),
        *LIST_OWNER_PARAMS,
    ),
    list_key="ipforwardingrule",
)
def list_ip_forwarding_rules(call: Call) -> Listing:
    """List the IP forwarding rules."""
    return _simple_list(call, "ipforwardingrule", ("ipaddressid", "virtualmachineid"))
