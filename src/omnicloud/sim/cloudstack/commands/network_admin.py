"""Guest networks, VPCs and virtual routers: createNetwork, deleteNetwork, updateNetwork,
restartNetwork, createVPC, listVPCs, updateVPC, deleteVPC, restartVPC, listVPCOfferings,
listRouters, startRouter, stopRouter, rebootRouter."""

from __future__ import annotations

import ipaddress

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, render_many, timestamp
from .._ids import seed_id
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success, check_limit
from ._netdocs import (
    allocate_public_ip,
    drop_resource,
    network_router,
    new_router,
    owned_list,
    owner_and_project,
    pick_fields,
    project_fields,
    release_rules,
    sweep_networks,
)
from .networks import offering_view

_OWNER = (
    Param("account", "string", description="account who will own the resource"),
    Param("domainid", "uuid", description="domain ID of the account owning the resource"),
    Param("projectid", "uuid", entity="project", description="the project owning the resource"),
)

_LIVE_VMS_ON = (
    "EXISTS (SELECT 1 FROM json_each(data, '$.nic') WHERE json_extract(value, '$.networkid') = ?)"
)


def _cidr(text: str, what: str = "cidr") -> ipaddress.IPv4Network:
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise err.param_error(f"Invalid {what} specified: {text}") from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise err.param_error(f"Invalid {what} specified: {text}")
    return net


def _guest_range(call: Call, zone: Doc, vpc: Doc | None) -> tuple[str, str, str]:
    gateway, netmask = call.text("gateway"), call.text("netmask")
    if bool(gateway) != bool(netmask):
        raise err.param_error("gateway and netmask must be specified together")
    if vpc is not None and not gateway:
        raise err.param_error("Gateway/netmask are required when creating a network for a VPC")
    if not gateway or not netmask:
        net = _cidr(zone.get("guestcidraddress", "10.1.0.0/16"))
        return str(net), str(net[1]), str(net.netmask)
    net = _cidr(f"{gateway}/{netmask}", "gateway/netmask")
    if ipaddress.ip_address(gateway) not in net:
        raise err.param_error(f"The gateway {gateway} is not in the network {net}")
    if vpc is not None:
        super_net = _cidr(vpc["cidr"])
        if not net.subnet_of(super_net):
            raise err.param_error(
                f"Network cidr {net} is not within vpc {vpc['name']} cidr {vpc['cidr']}"
            )
        _, tiers = call.state.store.find("network", fields={"vpcid": vpc["id"]})
        for tier in tiers:
            if net.overlaps(_cidr(tier["cidr"])):
                raise err.param_error(
                    f"Network cidr {net} overlaps with the cidr {tier['cidr']} of tier "
                    f"{tier['name']} of the VPC"
                )
    return str(net), gateway, netmask


def _network_doc(call: Call, offering: Doc, zone: Doc, cidr: tuple[str, str, str]) -> Doc:
    shared = offering["guestiptype"] == "Shared"
    net, gateway, netmask = cidr
    network_id = new_id()
    name = call.need_text("name")
    return {
        "id": network_id,
        "name": name,
        "displaytext": call.text("displaytext") or name,
        "broadcastdomaintype": "Vlan",
        "traffictype": "Guest",
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "networkofferingid": offering["id"],
        "networkofferingname": offering["name"],
        "networkofferingdisplaytext": offering["displaytext"],
        "networkofferingconservemode": offering.get("conservemode", True),
        "networkofferingavailability": offering.get("availability", "Optional"),
        "state": "Setup" if shared else "Allocated",
        "type": offering["guestiptype"],
        "cidr": net,
        "gateway": gateway,
        "netmask": netmask,
        "dns1": zone.get("dns1", "8.8.8.8"),
        "networkdomain": call.text("networkdomain") or "cs.sim.internal",
        "acltype": call.text("acltype") or ("Domain" if shared else "Account"),
        "isdefault": False,
        "canusefordeploy": True,
        "ispersistent": bool(offering.get("ispersistent")),
        "issystem": False,
        "restartrequired": False,
        "specifyipranges": bool(offering.get("specifyipranges")),
        "displaynetwork": call.flag("displaynetwork", True),
        "redundantrouter": False,
        "egressdefaultpolicy": bool(offering.get("egressdefaultpolicy", True)),
        "strechedl2subnet": False,
        "hasannotations": False,
        "physicalnetworkid": "",
        "related": network_id,
        "created": timestamp(call.now),
        "service": [{"name": service} for service in offering.get("_services", [])],
    }


@command(
    "createNetwork",
    params=(
        Param("name", "string", required=True, description="the name of the network"),
        Param("displaytext", "string", description="the display text of the network"),
        Param(
            "networkofferingid",
            "uuid",
            required=True,
            entity="networkoffering",
            description="the network offering ID",
        ),
        Param("zoneid", "uuid", required=True, entity="zone", description="the zone ID"),
        Param("gateway", "string", description="the gateway of the network"),
        Param("netmask", "string", description="the netmask of the network"),
        Param("startip", "string", description="the beginning IP address (shared networks)"),
        Param("endip", "string", description="the ending IP address (shared networks)"),
        Param("vlan", "string", description="the ID or VID of the network (admin)"),
        Param("networkdomain", "string", description="network domain"),
        Param("vpcid", "uuid", entity="vpc", description="the VPC network belongs to"),
        Param("aclid", "uuid", entity="networkacllist", description="network ACL for a VPC tier"),
        Param("acltype", "string", description="Account or Domain"),
        Param("displaynetwork", "boolean", description="display the network to the end user"),
        Param("physicalnetworkid", "uuid", description="the physical network ID"),
        Param("subdomainaccess", "boolean", description="subdomain access (Domain networks)"),
        *_OWNER,
    ),
)
def create_network(call: Call) -> Doc:
    """Creates a network."""
    account, project = owner_and_project(call)
    offering = call.need_ref("networkofferingid")
    zone = call.need_ref("zoneid")
    vpc = call.ref("vpcid")
    if offering.get("state") != "Enabled":
        raise err.param_error(f"Network offering {offering['id']} is not in Enabled state")
    if zone["networktype"] == "Basic":
        raise err.param_error(f"Network creation is not allowed in the Basic zone {zone['name']}")
    shared = offering["guestiptype"] == "Shared"
    if shared and not call.caller.is_admin:
        raise err.param_error("Only Admins can create network with guest type Shared")
    if offering.get("forvpc") and vpc is None:
        raise err.param_error("Network offering can be used for VPC networks only: specify vpcid")
    if vpc is not None and not offering.get("forvpc"):
        raise err.param_error(f"Network offering {offering['name']} can't be used for VPC networks")
    if vpc is not None and vpc["zoneid"] != zone["id"]:
        raise err.param_error("The VPC and the network must be in the same zone")
    if shared:
        for name in ("vlan", "gateway", "netmask", "startip"):
            if not call.has(name):
                raise err.param_error(f"Shared networks need {name}")
    cidr = _guest_range(call, zone, vpc)
    if not shared:
        check_limit(call, account, 6)
    doc = _network_doc(call, offering, zone, cidr)
    if shared:
        doc.update(
            broadcastdomaintype="Vlan",
            vlan=call.text("vlan"),
            broadcasturi=f"vlan://{call.text('vlan')}",
            startip=call.text("startip"),
            endip=call.text("endip") or call.text("startip"),
        )
    if not shared or call.text("acltype") == "Account":
        doc.update(owner_fields(account), **project_fields(project))
    if vpc is not None:
        acl = call.ref("aclid") or call.state.store.get(
            "networkacllist", _default_acl_id("default_deny")
        )
        assert acl is not None
        if acl.get("vpcid") not in (None, vpc["id"]):
            raise err.param_error("The ACL list belongs to another VPC")
        doc.update(vpcid=vpc["id"], vpcname=vpc["name"], aclid=acl["id"], aclname=acl["name"])
    call.state.store.put("network", doc)
    return {"network": render(call.state, doc)}


def _default_acl_id(name: str) -> str:
    return seed_id(f"networkacllist:{name}")


def _own_network(call: Call, network: Doc) -> None:
    if network.get("_owner") is None and not call.caller.is_admin:
        raise err.denied(
            f"Account '{call.caller.account}' does not have permission to operate with resource "
            f"{network['id']}"
        )


_NETWORK_ID = Param("id", "uuid", required=True, entity="network", description="the network ID")

delete_network = command(
    "deleteNetwork",
    is_async=True,
    params=(_NETWORK_ID, Param("forced", "boolean", description="force delete (admin)")),
)


@delete_network
def _delete_network(call: Call) -> Pending:
    """Deletes a network."""
    network = call.need_ref("id")
    _own_network(call, network)
    return Pending("Network", network["id"], payload={"id": network["id"]})


def release_ip(call: Call, ip: Doc) -> None:
    """Free a public IP with its rules and tags."""
    release_rules(call, ip)
    drop_resource(call.state, ip["id"])


@delete_network.finisher
def _network_deleted(call: Call, payload: Doc) -> Doc:
    network = call.state.store.get("network", payload["id"])
    if network is None:
        raise err.param_error(f"Network {payload['id']} no longer exists")
    _, vms = call.state.store.find("vm", where=[(_LIVE_VMS_ON, (network["id"],))], limit=1)
    if vms:
        raise err.ApiError(
            err.INTERNAL_ERROR,
            f"Can't delete the network, not all user vms are expunged. Vm {vms[0]['instancename']}"
            f" is in {vms[0]['state']} state",
        )
    _, ips = call.state.store.find("publicipaddress", fields={"associatednetworkid": network["id"]})
    for ip in ips:
        if ip.get("vpcid"):
            release_rules(call, ip)
            ip.pop("associatednetworkid", None)
            ip.pop("associatednetworkname", None)
            call.state.store.save(ip)
        else:
            release_ip(call, ip)
    for kind in ("firewallrule", "loadbalancerrule"):
        _, rules = call.state.store.find(kind, fields={"networkid": network["id"]})
        for rule in rules:
            drop_resource(call.state, rule["id"])
    if not network.get("vpcid"):
        _, routers = call.state.store.find("router", ref=network["id"])
        for router in routers:
            drop_resource(call.state, router["id"])
    else:
        vpc_router = network_router(call.state, network)
        if vpc_router is not None:
            vpc_router["nic"] = [
                n for n in vpc_router["nic"] if n.get("networkid") != network["id"]
            ]
            call.state.store.save(vpc_router)
    drop_resource(call.state, network["id"])
    return async_success()


update_network = command(
    "updateNetwork",
    is_async=True,
    params=(
        _NETWORK_ID,
        Param("name", "string", description="the new name for the network"),
        Param("displaytext", "string", description="the new display text for the network"),
        Param("networkdomain", "string", description="network domain"),
        Param(
            "networkofferingid",
            "uuid",
            entity="networkoffering",
            description="network offering ID",
        ),
        Param("displaynetwork", "boolean", description="display the network to the end user"),
        Param("changecidr", "boolean", description="force update even if CIDR type differs"),
        Param("guestvmcidr", "string", description="CIDR for guest VMs"),
    ),
)


@update_network
def _update_network(call: Call) -> Pending:
    """Updates a network."""
    network = call.need_ref("id")
    _own_network(call, network)
    offering = call.ref("networkofferingid")
    if offering is not None and (
        offering["guestiptype"] != network["type"]
        or bool(offering.get("forvpc")) != bool(network.get("vpcid"))
    ):
        raise err.param_error(
            f"Can't upgrade from network offering {network['networkofferingid']} to "
            f"{offering['id']}; check logs for more information"
        )
    return Pending("Network", network["id"], payload={"id": network["id"]})


@update_network.finisher
def _network_updated(call: Call, payload: Doc) -> Doc:
    network = call.state.store.get("network", payload["id"])
    if network is None:
        raise err.param_error(f"Network {payload['id']} no longer exists")
    for key in ("name", "displaytext", "networkdomain"):
        if call.has(key):
            network[key] = call.text(key)
    if call.has("displaynetwork"):
        network["displaynetwork"] = call.flag("displaynetwork")
    offering = call.ref("networkofferingid")
    if offering is not None:
        network.update(
            networkofferingid=offering["id"],
            networkofferingname=offering["name"],
            networkofferingdisplaytext=offering["displaytext"],
            service=[{"name": s} for s in offering.get("_services", [])],
        )
    call.state.store.save(network)
    return {"network": render(call.state, network)}


restart_network = command(
    "restartNetwork",
    is_async=True,
    params=(
        _NETWORK_ID,
        Param("cleanup", "boolean", description="clean up old network elements"),
        Param("makeredundant", "boolean", description="turn the network into a redundant one"),
    ),
)


@restart_network
def _restart_network(call: Call) -> Pending:
    """Restarts the network; includes 1) restarting network elements - virtual routers, DHCP
    servers 2) reapplying all public IPs 3) reapplying loadBalancing/portForwarding rules."""
    sweep_networks(call)
    network = call.state.store.get("network", call.need_ref("id")["id"])
    assert network is not None
    _own_network(call, network)
    if network["state"] not in ("Implemented", "Setup"):
        raise err.param_error(
            "Network is not in the right state to be restarted. Correct states are: "
            "Implemented, Setup"
        )
    return Pending("Network", network["id"], payload={"id": network["id"]})


@restart_network.finisher
def _network_restarted(call: Call, payload: Doc) -> Doc:
    network = call.state.store.get("network", payload["id"])
    if network is None:
        raise err.param_error(f"Network {payload['id']} no longer exists")
    network["restartrequired"] = False
    call.state.store.save(network)
    router = network_router(call.state, network)
    if router is not None:
        router.update(state="Running", requiresupgrade=False)
        call.state.store.save(router)
    return async_success()


# VPCs -----------------------------------------------------------------------------------------


@command(
    "listVPCOfferings",
    params=(
        Param("id", "uuid", exists="vpcoffering", description="list VPC offerings by id"),
        Param("name", "string", description="list VPC offerings by name"),
        Param("displaytext", "string", description="list VPC offerings by display text"),
        Param("isdefault", "boolean", description="true if need to list only default offerings"),
        Param("state", "string", description="list VPC offerings by state"),
        Param("zoneid", "uuid", exists="zone", description="VPC offerings available in this zone"),
        Param("supportedservices", "list", description="VPC offerings supporting services"),
    ),
    list_key="vpcoffering",
)
def list_vpc_offerings(call: Call) -> Listing:
    """Lists VPC offerings."""
    fields = pick_fields(call, ("name", "displaytext", "state", "isdefault"))
    where: list[tuple[str, tuple[object, ...]]] = [
        (
            "EXISTS (SELECT 1 FROM json_each(data, '$._services') WHERE lower(value) = lower(?))",
            (service,),
        )
        for service in call.items("supportedservices")
    ]
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "vpcoffering",
        ids=[call.need_text("id")] if call.has("id") else None,
        fields=fields,
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, [offering_view(doc) for doc in docs])


def vpc_view(call: Call, vpc: Doc) -> Doc:
    """A VPC with its tiers (``network``) and services."""
    view = render(call.state, vpc)
    _, tiers = call.state.store.find("network", fields={"vpcid": vpc["id"]})
    view["network"] = render_many(call.state, tiers)
    offering = call.state.store.get("vpcoffering", vpc["vpcofferingid"])
    if offering is not None:
        view["service"] = offering_view(offering)["service"]
    return view


create_vpc = command(
    "createVPC",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="the name of the VPC"),
        Param("displaytext", "string", description="the display text of the VPC"),
        Param("cidr", "string", required=True, description="the cidr of the VPC"),
        Param(
            "vpcofferingid",
            "uuid",
            required=True,
            entity="vpcoffering",
            description="the ID of the VPC offering",
        ),
        Param("zoneid", "uuid", required=True, entity="zone", description="the ID of the zone"),
        Param("networkdomain", "string", description="VPC network domain"),
        Param("start", "boolean", description="start the VPC router right away (default true)"),
        Param("fordisplay", "boolean", description="display the VPC to the end user"),
        *_OWNER,
    ),
)


@create_vpc
def _create_vpc(call: Call) -> Pending:
    """Creates a VPC."""
    account, project = owner_and_project(call)
    zone = call.need_ref("zoneid")
    offering = call.need_ref("vpcofferingid")
    if zone["networktype"] != "Advanced":
        raise err.param_error(f"Can't create a VPC in zone {zone['name']}: it is not Advanced")
    if offering.get("state") != "Enabled":
        raise err.param_error(f"VPC offering {offering['id']} is not in Enabled state")
    net = _cidr(call.need_text("cidr"))
    if not net.is_private:
        raise err.param_error(
            f"Invalid CIDR {net}: the VPC super CIDR must be within the private (RFC 1918) ranges"
        )
    check_limit(call, account, 7)
    name = call.need_text("name")
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "displaytext": call.text("displaytext") or name,
        "state": "Enabled",
        "zoneid": zone["id"],
        "zonename": zone["name"],
        "cidr": str(net),
        "vpcofferingid": offering["id"],
        "vpcofferingname": offering["name"],
        "networkdomain": call.text("networkdomain") or "cs.sim.internal",
        "restartrequired": False,
        "regionlevelvpc": False,
        "distributedvpcrouter": False,
        "redundantvpcrouter": False,
        "fordisplay": call.flag("fordisplay", True),
        "created": timestamp(call.now),
        "hasannotations": False,
        **owner_fields(account),
        **project_fields(project),
    }
    call.state.store.put("vpc", doc)
    return Pending("Vpc", doc["id"], returns_id=True, payload={"id": doc["id"]})


@create_vpc.finisher
def _vpc_created(call: Call, payload: Doc) -> Doc:
    vpc = call.state.store.get("vpc", payload["id"])
    if vpc is None:
        raise err.param_error(f"VPC {payload['id']} no longer exists")
    account = call.state.account(vpc["_owner"])
    zone = call.state.store.get("zone", vpc["zoneid"])
    assert account is not None and zone is not None
    ip = allocate_public_ip(call, account, zone, vpc=vpc, source_nat=True)
    new_router(call.state, account, zone, call.now, vpc=vpc, public_ip=ip)
    return {"vpc": vpc_view(call, vpc)}


@create_vpc.failure
def _vpc_failed(call: Call, payload: Doc) -> None:
    _drop_vpc(call, payload["id"])


def _drop_vpc(call: Call, vpc_id: str) -> None:
    store = call.state.store
    _, ips = store.find("publicipaddress", fields={"vpcid": vpc_id})
    for ip in ips:
        release_ip(call, ip)
    for kind in ("router", "vpngateway"):
        _, docs = store.find(kind, fields={"vpcid": vpc_id})
        for doc in docs:
            if kind == "vpngateway":
                _, connections = store.find("vpnconnection", fields={"s2svpngatewayid": doc["id"]})
                for connection in connections:
                    drop_resource(call.state, connection["id"])
            drop_resource(call.state, doc["id"])
    _, lists = store.find("networkacllist", fields={"vpcid": vpc_id})
    for acl in lists:
        _, items = store.find("networkacl", ref=acl["id"])
        for item in items:
            drop_resource(call.state, item["id"])
        drop_resource(call.state, acl["id"])
    drop_resource(call.state, vpc_id)


@command(
    "listVPCs",
    params=(
        Param("id", "uuid", exists="vpc", description="list VPC by id"),
        Param("name", "string", description="list by name of the VPC"),
        Param("displaytext", "string", description="List by display text of the VPC"),
        Param("cidr", "string", description="list by cidr of the VPC"),
        Param(
            "vpcofferingid",
            "uuid",
            exists="vpcoffering",
            description="list by ID of the VPC offering",
        ),
        Param("zoneid", "uuid", exists="zone", description="list by zone"),
        Param("state", "string", description="list VPCs by state"),
        Param("restartrequired", "boolean", description="list VPCs by restartRequired option"),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="vpc",
)
def list_vpcs(call: Call) -> Listing:
    """Lists VPCs."""
    fields = pick_fields(
        call,
        ("name", "displaytext", "cidr", "vpcofferingid", "zoneid", "state", "restartrequired"),
    )
    listing = owned_list(call, "vpc", fields=fields)
    listing.items = [vpc_view(call, item) for item in listing.items]
    return listing


_VPC_ID = Param("id", "uuid", required=True, entity="vpc", description="the ID of the VPC")

update_vpc = command(
    "updateVPC",
    is_async=True,
    params=(
        _VPC_ID,
        Param("name", "string", description="the name of the VPC"),
        Param("displaytext", "string", description="the display text of the VPC"),
        Param("fordisplay", "boolean", description="display the VPC to the end user"),
    ),
)


@update_vpc
def _update_vpc(call: Call) -> Pending:
    """Updates a VPC."""
    vpc = call.need_ref("id")
    return Pending("Vpc", vpc["id"], payload={"id": vpc["id"]})


@update_vpc.finisher
def _vpc_updated(call: Call, payload: Doc) -> Doc:
    vpc = call.state.store.get("vpc", payload["id"])
    if vpc is None:
        raise err.param_error(f"VPC {payload['id']} no longer exists")
    for key in ("name", "displaytext"):
        if call.has(key):
            vpc[key] = call.text(key)
    if call.has("fordisplay"):
        vpc["fordisplay"] = call.flag("fordisplay")
    call.state.store.save(vpc)
    return {"vpc": vpc_view(call, vpc)}


delete_vpc = command("deleteVPC", is_async=True, params=(_VPC_ID,))


@delete_vpc
def _delete_vpc(call: Call) -> Pending:
    """Deletes a VPC."""
    vpc = call.need_ref("id")
    return Pending("Vpc", vpc["id"], payload={"id": vpc["id"]})


@delete_vpc.finisher
def _vpc_deleted(call: Call, payload: Doc) -> Doc:
    vpc = call.state.store.get("vpc", payload["id"])
    if vpc is None:
        raise err.param_error(f"VPC {payload['id']} no longer exists")
    tiers = call.state.store.count(
        "network", where="json_extract(data, '$.vpcid') = ?", args=(vpc["id"],)
    )
    if tiers:
        raise err.param_error(f"Can't delete VPC {vpc['name']} as its used by {tiers} networks")
    _drop_vpc(call, vpc["id"])
    return async_success()


restart_vpc = command(
    "restartVPC",
    is_async=True,
    params=(
        _VPC_ID,
        Param("cleanup", "boolean", description="clean up old network elements"),
        Param("makeredundant", "boolean", description="turn a single VPC into a redundant one"),
    ),
)


@restart_vpc
def _restart_vpc(call: Call) -> Pending:
    """Restarts a VPC."""
    vpc = call.need_ref("id")
    return Pending("Vpc", vpc["id"], payload={"id": vpc["id"]})


@restart_vpc.finisher
def _vpc_restarted(call: Call, payload: Doc) -> Doc:
    vpc = call.state.store.get("vpc", payload["id"])
    if vpc is None:
        raise err.param_error(f"VPC {payload['id']} no longer exists")
    vpc["restartrequired"] = False
    if call.flag("makeredundant"):
        vpc["redundantvpcrouter"] = True
    call.state.store.save(vpc)
    return async_success()


# routers --------------------------------------------------------------------------------------


@command(
    "listRouters",
    admin=True,
    params=(
        Param("id", "uuid", exists="router", description="the ID of the disk router"),
        Param("name", "string", description="the name of the router"),
        Param("state", "string", description="the state of the router"),
        Param("zoneid", "uuid", exists="zone", description="the Zone ID of the router"),
        Param("networkid", "uuid", exists="network", description="list by network id"),
        Param("vpcid", "uuid", exists="vpc", description="List networks by VPC"),
        Param("podid", "uuid", exists="pod", description="the Pod ID of the router"),
        Param("hostid", "uuid", exists="host", description="the host ID of the router"),
        Param(
            "forvpc",
            "boolean",
            description="if true is passed for this parameter, list only VPC routers",
        ),
        Param("version", "string", description="list virtual router elements by version"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="router",
)
def list_routers(call: Call) -> Listing:
    """List routers."""
    sweep_networks(call)
    fields = pick_fields(call, ("name", "state", "zoneid", "vpcid", "podid", "hostid", "version"))
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("networkid"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(data, '$.nic') "
                "WHERE json_extract(value, '$.networkid') = ?)",
                (call.text("networkid"),),
            )
        )
    if call.has("forvpc"):
        where.append(
            ("(json_extract(data, '$.vpcid') IS NOT NULL) = ?", (int(call.flag("forvpc")),))
        )
    return owned_list(call, "router", fields=fields, where=where)


_ROUTER_ID = Param("id", "uuid", required=True, entity="router", description="the ID of the router")


def _router_power(
    name: str, doc: str, allowed: tuple[str, ...], during: str, final: str
) -> Declaration:
    params = [_ROUTER_ID]
    if name == "stopRouter":
        params.append(Param("forced", "boolean", description="force stop the VM"))
    cmd = command(name, is_async=True, admin=True, params=params, description=doc)

    @cmd
    def _submit(call: Call) -> Pending:
        router = call.need_ref("id")
        if router["state"] not in allowed:
            raise err.param_error(
                f"Unable to {name[:-6]} router {router['name']} in state {router['state']}"
            )
        previous = router["state"]
        router["state"] = during
        call.state.store.save(router)
        return Pending(
            "DomainRouter", router["id"], payload={"id": router["id"], "previous": previous}
        )

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        router = call.state.store.get("router", payload["id"])
        if router is None:
            raise err.param_error(f"Router {payload['id']} no longer exists")
        router["state"] = final
        call.state.store.save(router)
        return {"router": render(call.state, router)}

    @cmd.failure
    def _undo(call: Call, payload: Doc) -> None:
        router = call.state.store.get("router", payload["id"])
        if router is not None:
            router["state"] = payload["previous"]
            call.state.store.save(router)

    return cmd


start_router = _router_power("startRouter", "Starts a router.", ("Stopped",), "Starting", "Running")
stop_router = _router_power("stopRouter", "Stops a router.", ("Running",), "Stopping", "Stopped")
reboot_router = _router_power(
    "rebootRouter", "Reboots a router.", ("Running",), "Running", "Running"
)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_network,
    delete_network,
    update_network,
    restart_network,
    list_vpc_offerings,
    create_vpc,
    list_vpcs,
    update_vpc,
    delete_vpc,
    restart_vpc,
    list_routers,
    start_router,
    stop_router,
    reboot_router,
)
