"""Networking lists the compute side needs too (guest networks, offerings, and the public IP /
forwarding-rule lists Libcloud's ``list_nodes`` reads). The create/delete commands live in the
networking modules (network_admin, addresses, rules, ...); these lists read the same kinds."""

from __future__ import annotations

from .._call import Call, Listing
from .._docs import render_many
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc, public
from ._common import tag_filters
from ._netdocs import owned_list, pick_fields, project_where, sweep_networks


def _owned_or_shared(call: Call) -> list[str] | None:
    return call.visible_owners()


@command(
    "listNetworks",
    params=(
        Param("id", "uuid", exists="network", description="list networks by ID"),
        Param("zoneid", "uuid", exists="zone", description="the zone ID of the network"),
        Param("type", "string", description="the type of the network: Isolated, Shared, L2"),
        Param("traffictype", "string", description="type of the traffic"),
        Param("isdefault", "boolean", description="true if network is default"),
        Param(
            "canusefordeploy", "boolean", description="list networks available for vm deployment"
        ),
        Param("vpcid", "uuid", exists="vpc", description="List networks by VPC"),
        Param("forvpc", "boolean", description="the network belongs to a VPC"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="network",
)
def list_networks(call: Call) -> Listing:
    """Lists all available networks (shared ones and the caller's own)."""
    sweep_networks(call)
    owners = _owned_or_shared(call)
    fields = {k: call.text(k) for k in ("zoneid", "type", "traffictype", "vpcid") if call.has(k)}
    for key in ("isdefault", "canusefordeploy"):
        if call.has(key):
            fields[key] = call.flag(key)  # type: ignore[assignment]
    where: list[tuple[str, tuple[object, ...]]] = []
    if owners is not None:
        marks = ",".join("?" * len(owners)) or "NULL"
        where.append((f"(owner IS NULL OR owner IN ({marks}))", tuple(owners)))
    where.extend(tag_filters(call))
    where.extend(project_where(call))
    if call.has("forvpc"):
        where.append(
            ("(json_extract(data, '$.vpcid') IS NOT NULL) = ?", (int(call.flag("forvpc")),))
        )
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
        Param("id", "uuid", exists="networkoffering", description="list network offerings by ID"),
        Param("name", "string", description="list network offerings by name"),
        Param(
            "guestiptype",
            "string",
            description="list network offerings by guest type: shared or isolated",
        ),
        Param(
            "zoneid",
            "uuid",
            exists="zone",
            description="list network offerings available for network creation in specific zone",
        ),
        Param("forvpc", "boolean", description="the network offering can be used for VPC tiers"),
        Param("isdefault", "boolean", description="true if need to list only default offerings"),
        Param("state", "string", description="list network offerings by state"),
        Param("traffictype", "string", description="list by traffic type"),
        Param(
            "supportedservices",
            "list",
            description="list network offerings supporting certain services",
        ),
    ),
    list_key="networkoffering",
)
def list_network_offerings(call: Call) -> Listing:
    """Lists all available network offerings."""
    fields: dict[str, object] = {
        k: call.text(k) for k in ("name", "state", "traffictype") if call.has(k)
    }
    for key in ("forvpc", "isdefault"):
        if call.has(key):
            fields[key] = call.flag(key)
    where: list[tuple[str, tuple[object, ...]]] = []
    for service in call.items("supportedservices"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(data, '$._services') "
                "WHERE lower(value) = lower(?))",
                (service,),
            )
        )
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
    return Listing(total, [offering_view(doc) for doc in docs])


def offering_view(doc: Doc) -> Doc:
    """A network or VPC offering with its services and their providers."""
    view = public(doc)
    vpc = bool(doc.get("forvpc")) or "Gateway" in doc.get("_services", [])
    view["service"] = [
        {"name": name, "provider": [{"name": _provider(name, vpc)}]}
        for name in doc.get("_services", [])
    ]
    return view


def _provider(service: str, vpc: bool) -> str:
    if service == "SecurityGroup":
        return "SecurityGroupProvider"
    return "VpcVirtualRouter" if vpc else "VirtualRouter"


@command(
    "listPublicIpAddresses",
    params=(
        Param("id", "uuid", exists="publicipaddress", description="lists IP address by ID"),
        Param("ipaddress", "string", description="lists the specified IP address"),
        Param(
            "zoneid", "uuid", exists="zone", description="lists all public IP addresses by zone ID"
        ),
        Param(
            "associatednetworkid",
            "uuid",
            exists="network",
            description="lists all public IP addresses associated to the network specified",
        ),
        Param("vpcid", "uuid", exists="vpc", description="List ips belonging to the VPC"),
        Param(
            "allocatedonly",
            "boolean",
            description="limits search results to allocated public IP addresses",
        ),
        Param("isstaticnat", "boolean", description="list only static NAT IP addresses"),
        Param("issourcenat", "boolean", description="list only source NAT IP addresses"),
        Param("state", "string", description="lists IP addresses by state"),
        Param("forvirtualnetwork", "boolean", description="the virtual network for the IP"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="publicipaddress",
)
def list_public_ip_addresses(call: Call) -> Listing:
    """Lists all public ip addresses."""
    sweep_networks(call)
    fields = pick_fields(
        call, ("ipaddress", "zoneid", "associatednetworkid", "vpcid", "isstaticnat", "issourcenat")
    )
    for key in ("isstaticnat", "issourcenat"):
        if key in fields:
            fields[key] = call.flag(key)
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("state"):
        where.append(("lower(json_extract(data, '$.state')) = lower(?)", (call.text("state"),)))
    return owned_list(call, "publicipaddress", fields=fields, where=where)


@command(
    "listPortForwardingRules",
    params=(
        Param(
            "id",
            "uuid",
            exists="portforwardingrule",
            description="Lists rule with the specified ID",
        ),
        Param(
            "ipaddressid",
            "uuid",
            exists="publicipaddress",
            description="the ID of IP address of the port forwarding services",
        ),
        Param(
            "networkid",
            "uuid",
            exists="network",
            description="list port forwarding rules for certain network",
        ),
        Param(
            "virtualmachineid",
            "uuid",
            exists="vm",
            description="Lists all rules applied to the specified VM",
        ),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="portforwardingrule",
)
def list_port_forwarding_rules(call: Call) -> Listing:
    """Lists all port forwarding rules for an IP address."""
    fields = pick_fields(call, ("ipaddressid", "networkid", "virtualmachineid"))
    return owned_list(call, "portforwardingrule", fields=fields)


@command(
    "listIpForwardingRules",
    params=(
        Param(
            "id", "uuid", exists="ipforwardingrule", description="Lists rule with the specified ID"
        ),
        Param(
            "ipaddressid",
            "uuid",
            exists="publicipaddress",
            description="list the rule belonging to this public IP address",
        ),
        Param(
            "virtualmachineid",
            "uuid",
            exists="vm",
            description="Lists all rules applied to the specified VM",
        ),
        *LIST_OWNER_PARAMS,
    ),
    list_key="ipforwardingrule",
)
def list_ip_forwarding_rules(call: Call) -> Listing:
    """List the IP forwarding rules."""
    fields = pick_fields(call, ("ipaddressid", "virtualmachineid"))
    return owned_list(call, "ipforwardingrule", fields=fields)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_networks,
    list_network_offerings,
    list_public_ip_addresses,
    list_port_forwarding_rules,
    list_ip_forwarding_rules,
)
