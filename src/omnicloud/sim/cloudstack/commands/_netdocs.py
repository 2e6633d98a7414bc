"""Networking helpers shared by the networking command modules (and the seed): owners and
projects, the public IP pool, virtual routers, network implementation, rule conflicts, lists."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .. import _errors as err
from .._call import Listing
from .._docs import new_id, owner_fields, render_many, timestamp
from .._hosts import host_fields
from .._ids import seed_id
from .._store import Doc
from ._common import tag_filters

if TYPE_CHECKING:
    from .._call import Call
    from .._world import World

__all__ = [
    "LIVE_VM",
    "PUBLIC_RANGES",
    "allocate_public_ip",
    "check_conflicts",
    "drop_resource",
    "implement_network",
    "new_router",
    "owned_list",
    "owner_and_project",
    "project_fields",
    "public_ip_doc",
    "sweep_networks",
]

Where = list[tuple[str, tuple[object, ...]]]

# The public VLAN ranges of the advanced zone (documentation address blocks).
PUBLIC_RANGES: tuple[tuple[str, str, str], ...] = (
    ("203.0.113.0/24", "203.0.113.1", "255.255.255.0"),
    ("198.51.100.0/24", "198.51.100.1", "255.255.255.0"),
)
PUBLIC_NETWORK = "network:public:advanced"
ROUTER_OFFERING = "serviceoffering:System Offering For Software Router"
LIVE_VM = "json_extract(v.data, '$.state') NOT IN ('Destroyed', 'Expunging', 'Error')"
_VM_ON_NETWORK = (
    "EXISTS (SELECT 1 FROM resources v, json_each(v.data, '$.nic') n WHERE v.kind = 'vm' "
    f"AND json_extract(n.value, '$.networkid') = resources.id AND {LIVE_VM})"
)


# owners and projects ----------------------------------------------------------------------------


def project_fields(project: Doc | None) -> Doc:
    """The ``projectid``/``project`` fields of a resource created in ``project``."""
    if project is None:
        return {}
    return {"projectid": project["id"], "project": project["name"]}


def owner_and_project(call: Call) -> tuple[Doc, Doc | None]:
    """The account a new resource belongs to and its project (``projectid``, access-checked)."""
    project = call.ref("projectid")
    if project is not None:
        if project.get("state") != "Active":
            raise err.param_error(f"Project {project['name']} is not active")
        account = call.state.account(project["_owner"])
        assert account is not None
        return account, project
    return call.target_account(), None


def project_where(call: Call) -> Where:
    """Project scoping of a list: only the project's resources with ``projectid`` (all projects
    with ``-1``), else only resources outside projects."""
    project = call.text("projectid")
    if project == "-1":
        return [("json_extract(data, '$.projectid') IS NOT NULL", ())]
    if project:
        return [("json_extract(data, '$.projectid') = ?", (project,))]
    return [("json_extract(data, '$.projectid') IS NULL", ())]


def owned_list(
    call: Call,
    kind: str,
    *,
    fields: dict[str, Any] | None = None,
    where: Sequence[tuple[str, tuple[object, ...]]] = (),
    shared: bool = False,
    scoped: bool = True,
) -> Listing:
    """A paged list of the caller's visible documents of ``kind`` with tags rendered.

    ``shared`` also shows ownerless (system) documents; ``scoped`` applies project scoping.
    """
    owners = call.visible_owners()
    conditions: Where = list(where)
    if shared and owners is not None:
        marks = ",".join("?" * len(owners)) or "NULL"
        conditions.append((f"owner IS NULL OR owner IN ({marks})", tuple(owners)))
        owners = None
    if scoped:
        conditions.extend(project_where(call))
    conditions.extend(tag_filters(call) if call.command.by_name.get("tags") else [])
    offset, limit = call.window()
    total, docs = call.state.store.find(
        kind,
        owners=owners,
        ids=[call.need_text("id")] if call.has("id") else None,
        fields=fields,
        keyword=call.text("keyword"),
        where=conditions,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


def pick_fields(call: Call, names: Iterable[str]) -> dict[str, Any]:
    """Equality filters for the listed parameters that were sent."""
    return {name: call.args[name] for name in names if call.has(name)}


def drop_resource(state: World, resource_id: str) -> None:
    """Delete a document and its tags."""
    _, tags = state.store.find("tag", ref=resource_id)
    for tag in tags:
        state.store.delete(tag["id"])
    state.store.delete(resource_id)


def services(state: World, network: Doc) -> list[str]:
    """The services of a network's offering."""
    offering = state.store.get("networkoffering", network["networkofferingid"])
    return list(offering.get("_services", [])) if offering else []


def need_service(state: World, network: Doc, service: str) -> None:
    """431 unless the network's offering provides ``service``."""
    if service not in services(state, network):
        raise err.param_error(
            f"Service {service} is not supported in the network id={network['id']}"
        )


# public IP pool -------------------------------------------------------------------------------


def _pool() -> list[tuple[str, str, str]]:
    addresses: list[tuple[str, str, str]] = []
    for cidr, gateway, netmask in PUBLIC_RANGES:
        net = ipaddress.ip_network(cidr)
        addresses.extend((str(host), gateway, netmask) for host in list(net.hosts())[1:])
    return addresses


def public_ip_doc(
    account: Doc,
    zone: Doc,
    address: str,
    now: float,
    *,
    network: Doc | None = None,
    vpc: Doc | None = None,
    source_nat: bool = False,
    state: str = "Allocated",
) -> Doc:
    """A public IP address document of ``account`` in ``zone``."""
    doc: Doc = {
        "id": new_id(),
        "ipaddress": address,
        "allocated": timestamp(now),
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "issourcenat": source_nat,
        **owner_fields(account),
        "forvirtualnetwork": True,
        "isstaticnat": False,
        "issystem": False,
        "isportable": False,
        "state": state,
        "networkid": seed_id(PUBLIC_NETWORK),
        "physicalnetworkid": seed_id("physicalnetwork:advanced"),
        "vlanid": seed_id("vlan:public:advanced"),
        "vlanname": "vlan://untagged",
        "fordisplay": True,
        "hasannotations": False,
    }
    if network is not None:
        doc.update(associatednetworkid=network["id"], associatednetworkname=network["name"])
        if network.get("vpcid"):
            doc["vpcid"] = network["vpcid"]
        doc.update(project_fields(_project_of(network)))
    if vpc is not None:
        doc.update(vpcid=vpc["id"], vpcname=vpc["name"], **project_fields(_project_of(vpc)))
    return doc


def _taken(state: World) -> set[str]:
    _, docs = state.store.find("publicipaddress")
    return {doc["ipaddress"] for doc in docs}


def seed_public_address(state: World) -> str:
    """The first free public address (for seeding)."""
    taken = _taken(state)
    return next(address for address, _, _ in _pool() if address not in taken)


def _project_of(doc: Doc) -> Doc | None:
    if not doc.get("projectid"):
        return None
    return {"id": doc["projectid"], "name": doc.get("project", "")}


def allocate_public_ip(
    call: Call,
    account: Doc,
    zone: Doc,
    *,
    network: Doc | None = None,
    vpc: Doc | None = None,
    source_nat: bool = False,
    state: str = "Allocated",
    wanted: str | None = None,
) -> Doc:
    """Take the first free address of the zone's public ranges (533 when none is left)."""
    if zone.get("networktype") != "Advanced":
        raise err.param_error(
            f"Can't allocate a public IP address in zone {zone['name']}: it is a Basic zone "
            "without the Elastic IP service"
        )
    taken = _taken(call.state)
    pool = _pool()
    if wanted is not None:
        if wanted not in {address for address, _, _ in pool}:
            raise err.param_error(f"Unable to find the IP address {wanted} in the public ranges")
        if wanted in taken:
            raise err.param_error(f"IP address {wanted} is already in use")
        free = [wanted]
    else:
        free = [address for address, _, _ in pool if address not in taken][:1]
    if not free:
        raise err.ApiError(
            err.INSUFFICIENT_CAPACITY,
            f"Insufficient address capacity: no free public IP address in zone {zone['name']}",
        )
    doc = public_ip_doc(
        account,
        zone,
        free[0],
        call.now,
        network=network,
        vpc=vpc,
        source_nat=source_nat,
        state=state,
    )
    call.state.store.put("publicipaddress", doc)
    return doc


# routers --------------------------------------------------------------------------------------


def new_router(
    state: World,
    account: Doc,
    zone: Doc,
    now: float,
    *,
    network: Doc | None = None,
    vpc: Doc | None = None,
    public_ip: Doc | None = None,
) -> Doc:
    """A running virtual router serving an isolated network or a VPC (stored)."""
    number = state.store.next_value("router") + 3
    router_id = new_id()
    nics: list[Doc] = []
    doc: Doc = {
        "id": router_id,
        "name": f"r-{number}-VM",
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "dns1": zone.get("dns1", "8.8.8.8"),
        "podid": seed_id(f"pod:{zone['id']}"),
        "podname": f"{zone['name']}-Pod1",
        **host_fields(zone, number),
        "hypervisor": "KVM",
        "created": timestamp(now),
        "state": "Running",
        **owner_fields(account),
        "role": "VIRTUAL_ROUTER",
        "isredundantrouter": False,
        "redundantstate": "UNKNOWN",
        "version": "4.19.0",
        "softwareversion": "4.19.0",
        "requiresupgrade": False,
        "healthchecksfailed": False,
        "serviceofferingid": seed_id(ROUTER_OFFERING),
        "serviceofferingname": "System Offering For Software Router",
        "templateid": seed_id("template:systemvm"),
        "templatename": "systemvm-kvm-4.19.0",
        "linklocalip": f"169.254.{number % 250}.{number % 200 + 2}",
        "linklocalnetmask": "255.255.0.0",
        "linklocalnetworkid": seed_id("network:controlnetwork"),
        "nic": nics,
        "_number": number,
    }
    if public_ip is not None:
        doc.update(
            publicip=public_ip["ipaddress"],
            publicnetmask="255.255.255.0",
            publicnetworkid=public_ip["networkid"],
            publicmacaddress=f"1e:00:{number % 256:02x}:00:00:01",
            gateway=public_ip["ipaddress"].rsplit(".", 1)[0] + ".1",
        )
        nics.append(
            {
                "id": new_id(),
                "networkid": public_ip["networkid"],
                "ipaddress": public_ip["ipaddress"],
                "traffictype": "Public",
                "isdefault": True,
            }
        )
    if network is not None:
        doc.update(
            guestipaddress=network["gateway"],
            guestnetmask=network["netmask"],
            guestnetworkid=network["id"],
            guestnetworkname=network["name"],
            guestmacaddress=f"02:00:{number % 256:02x}:00:00:02",
            networkdomain=network.get("networkdomain", "cs.sim.internal"),
            _ref=network["id"],
        )
        nics.append(router_guest_nic(network))
    if vpc is not None:
        doc.update(vpcid=vpc["id"], vpcname=vpc["name"], _ref=vpc["id"])
        doc["networkdomain"] = vpc.get("networkdomain", "cs.sim.internal")
    owner = vpc or network
    if owner is not None:
        doc.update(project_fields(_project_of(owner)))
    state.store.put("router", doc)
    return doc


def router_guest_nic(network: Doc) -> Doc:
    """The router's NIC on a guest network (its gateway address)."""
    return {
        "id": new_id(),
        "networkid": network["id"],
        "networkname": network["name"],
        "ipaddress": network["gateway"],
        "netmask": network["netmask"],
        "traffictype": "Guest",
        "isdefault": False,
    }


def network_router(state: World, network: Doc) -> Doc | None:
    """The router serving a network (its VPC's for a tier)."""
    _, routers = state.store.find("router", ref=network.get("vpcid") or network["id"], limit=1)
    return routers[0] if routers else None


def implement_network(call: Call, network: Doc) -> Doc:
    """Implement an Allocated isolated network: source NAT IP (unless in a VPC) and router."""
    if network.get("state") != "Allocated":
        return network
    account = call.state.account(network["_owner"])
    zone = call.state.store.get("zone", network["zoneid"])
    assert account is not None and zone is not None
    network["state"] = "Implemented"
    network["broadcasturi"] = f"vlan://{1000 + call.state.store.next_value('vlan')}"
    network["vlan"] = network["broadcasturi"][7:]
    call.state.store.save(network)
    if network.get("vpcid"):
        router = network_router(call.state, network)
        if router is not None:
            router["nic"] = [*router.get("nic", []), router_guest_nic(network)]
            call.state.store.save(router)
        return network
    source_nat: Doc | None = None
    if "SourceNat" in services(call.state, network):
        _, found = call.state.store.find(
            "publicipaddress",
            fields={"associatednetworkid": network["id"], "issourcenat": True},
            limit=1,
        )
        source_nat = (
            found[0]
            if found
            else allocate_public_ip(call, account, zone, network=network, source_nat=True)
        )
    new_router(call.state, account, zone, call.now, network=network, public_ip=source_nat)
    return network


def sweep_networks(call: Call) -> None:
    """Implement Allocated networks that have gained a running VM since the last look (the real
    server implements a network when its first VM starts)."""
    _, waiting = call.state.store.find(
        "network", fields={"state": "Allocated"}, where=[(_VM_ON_NETWORK, ())]
    )
    for network in waiting:
        implement_network(call, network)


# rule conflicts -------------------------------------------------------------------------------


def _ports(rule: Doc) -> tuple[int, int] | None:
    start = rule.get("_start")
    end = rule.get("_end")
    if start is None:
        return None
    return int(start), int(end if end is not None else start)


def rule_conflict(new: Doc, old: Doc) -> str | None:
    """Why ``new`` conflicts with ``old`` (two rules on one public IP or network), if it does.

    Two firewall rules conflict when protocol, CIDRs and ports overlap; a firewall rule never
    conflicts with a forwarding or balancing rule; two forwarding/balancing rules conflict when
    their protocols match and their public port ranges overlap.
    """
    both_firewall = new["_purpose"] == "Firewall" and old["_purpose"] == "Firewall"
    if (new["_purpose"] == "Firewall") != (old["_purpose"] == "Firewall"):
        return None
    if new.get("_proto") != old.get("_proto") and "all" not in (new["_proto"], old["_proto"]):
        return None
    if both_firewall:
        if not set(new.get("_cidrs", [])) & set(old.get("_cidrs", [])):
            return None
        if new["_proto"] == "icmp":
            same = (new.get("icmptype"), new.get("icmpcode")) == (
                old.get("icmptype"),
                old.get("icmpcode"),
            )
            return (
                f"There is already firewall rule specified for the icmp type {new.get('icmptype')}"
                f" and code {new.get('icmpcode')}"
                if same
                else None
            )
    mine, theirs = _ports(new), _ports(old)
    if mine is None or theirs is None:
        return (
            f"There is already a rule for protocol {old['_proto']} on this address: {old['id']}"
            if new["_proto"] == old["_proto"] == "all" or both_firewall
            else None
        )
    if mine[0] <= theirs[1] and theirs[0] <= mine[1]:
        return (
            f"The range specified, {mine[0]}-{mine[1]}, conflicts with rule {old['id']} which "
            f"has {theirs[0]}-{theirs[1]}"
        )
    return None


def check_conflicts(call: Call, new: Doc, existing: Iterable[Doc]) -> None:
    """537 NETWORK_RULE_CONFLICT_ERROR when ``new`` overlaps one of ``existing``."""
    for old in existing:
        if old["id"] == new.get("id"):
            continue
        reason = rule_conflict(new, old)
        if reason:
            raise err.ApiError(err.NETWORK_RULE_CONFLICT, reason)


def rules_on_ip(call: Call, ip_id: str) -> list[Doc]:
    """Every forwarding, balancing and firewall rule on a public IP."""
    found: list[Doc] = []
    for kind in ("portforwardingrule", "firewallrule", "ipforwardingrule"):
        _, docs = call.state.store.find(kind, fields={"ipaddressid": ip_id})
        found.extend(docs)
    _, balancers = call.state.store.find("loadbalancerrule", fields={"publicipid": ip_id})
    found.extend(balancers)
    return found


def parse_cidrs(call: Call, name: str = "cidrlist", default: str = "0.0.0.0/0") -> list[str]:
    """A validated CIDR list parameter."""
    cidrs = call.items(name) or ([default] if default else [])
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise err.param_error(f"Invalid cidr {cidr}") from None
    return cidrs


def port_range(call: Call, start_name: str, end_name: str) -> tuple[int, int] | None:
    """A validated (start, end) port range; end defaults to start; None when not sent."""
    start = call.number(start_name)
    end = call.number(end_name)
    if start is None:
        if end is not None:
            raise err.param_error(f"{start_name} is required when {end_name} is specified")
        return None
    end = start if end is None else end
    for port in (start, end):
        if not 1 <= port <= 65535:
            raise err.param_error(f"Invalid port number {port}: it must be between 1 and 65535")
    if start > end:
        raise err.param_error(f"Start port can't be bigger than end port: {start}-{end}")
    return start, end


def vm_nic_on(vm: Doc, network_id: str) -> Doc | None:
    """The NIC of ``vm`` on a network."""
    return next((nic for nic in vm.get("nic", []) if nic["networkid"] == network_id), None)


def ip_network(call: Call, ip: Doc, network_id: str | None = None) -> Doc:
    """The guest network a public IP serves; a VPC address is attached to ``network_id``."""
    if ip.get("associatednetworkid"):
        if network_id and network_id != ip["associatednetworkid"]:
            raise err.param_error(
                f"The IP address {ip['ipaddress']} is associated with another network"
            )
        network = call.state.store.get("network", ip["associatednetworkid"])
        assert network is not None
        return network
    if not network_id:
        raise err.param_error(
            f"The IP address {ip['ipaddress']} is not associated with a network: specify "
            "networkid (a tier of its VPC)"
        )
    network = call.state.store.get("network", network_id)
    if network is None or network.get("vpcid") != ip.get("vpcid"):
        raise err.param_error(f"Network {network_id} is not a tier of the IP address's VPC")
    call.check_owner(network)
    ip.update(associatednetworkid=network["id"], associatednetworkname=network["name"])
    call.state.store.save(ip)
    return network


def release_rules(call: Call, ip: Doc) -> None:
    """Delete every rule on a public IP and disable its static NAT."""
    for rule in rules_on_ip(call, ip["id"]):
        drop_resource(call.state, rule["id"])
    for key in (
        "virtualmachineid",
        "virtualmachinename",
        "virtualmachinedisplayname",
        "virtualmachinetype",
        "vmipaddress",
    ):
        ip.pop(key, None)
    ip["isstaticnat"] = False
