"""Public IP addresses: associateIpAddress, disassociateIpAddress, enableStaticNat,
disableStaticNat (listPublicIpAddresses lives in ``networks``)."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Pending
from .._docs import render
from .._registry import Command, Declaration, Param, command
from .._store import Doc
from ._common import SYNC_SUCCESS, async_success, check_limit
from ._netdocs import (
    allocate_public_ip,
    drop_resource,
    ip_network,
    need_service,
    owner_and_project,
    release_rules,
    rules_on_ip,
    sweep_networks,
    vm_nic_on,
)

associate = command(
    "associateIpAddress",
    is_async=True,
    params=(
        Param("zoneid", "uuid", entity="zone", description="the ID of the availability zone"),
        Param("networkid", "uuid", entity="network", description="the network to associate with"),
        Param("vpcid", "uuid", entity="vpc", description="the VPC to associate with"),
        Param("ipaddress", "string", description="a specific free public IP address to acquire"),
        Param("isportable", "boolean", description="should be set to true for a portable IP"),
        Param("regionid", "integer", description="region ID for a portable IP"),
        Param("fordisplay", "boolean", description="display the IP to the end user"),
        Param("account", "string", description="the account to associate with this IP address"),
        Param("domainid", "uuid", description="the ID of the domain of the account"),
        Param("projectid", "uuid", entity="project", description="the project of the address"),
    ),
)


def _default_network(call: Call, account: Doc, zone: Doc) -> Doc:
    _, networks = call.state.store.find(
        "network",
        owners=[account["id"]],
        fields={"zoneid": zone["id"], "type": "Isolated"},
        where=[("json_extract(data, '$.vpcid') IS NULL", ())],
    )
    if not networks:
        raise err.param_error(
            f"Account name={account['name']} domain id={account['domainid']} doesn't have "
            f"virtual networks in zone={zone['name']}"
        )
    if len(networks) > 1:
        raise err.param_error(
            "Account has more than one isolated network in the zone: specify networkid"
        )
    return networks[0]


@associate
def _associate(call: Call) -> Pending:
    """Acquires and associates a public IP to an account."""
    account, _project = owner_and_project(call)
    network, vpc = call.ref("networkid"), call.ref("vpcid")
    if network is not None and vpc is not None:
        raise err.param_error("networkid and vpcid can't be specified together")
    if network is not None:
        if network["type"] != "Isolated" or network.get("_owner") is None:
            raise err.param_error(
                f"Can't associate a public IP address with network {network['id']}: only "
                "isolated guest networks take public IP addresses"
            )
        zone = call.state.store.get("zone", network["zoneid"])
    elif vpc is not None:
        zone = call.state.store.get("zone", vpc["zoneid"])
    else:
        zone = call.ref("zoneid")
        if zone is None:
            raise err.missing(call.command.name, "zoneid")
        if zone["networktype"] == "Advanced":
            network = _default_network(call, account, zone)
    assert zone is not None
    sweep_networks(call)
    source_nat = False
    if network is not None and not network.get("vpcid"):
        network = call.state.store.get("network", network["id"]) or network
        source_nat = network["state"] == "Allocated" and not call.state.store.count(
            "publicipaddress",
            where="json_extract(data, '$.associatednetworkid') = ? "
            "AND json_extract(data, '$.issourcenat')",
            args=(network["id"],),
        )
    check_limit(call, account, 1)
    ip = allocate_public_ip(
        call,
        account,
        zone,
        network=network,
        vpc=vpc,
        source_nat=source_nat,
        state="Allocating",
        wanted=call.text("ipaddress"),
    )
    if call.has("fordisplay"):
        ip["fordisplay"] = call.flag("fordisplay")
        call.state.store.save(ip)
    return Pending("IpAddress", ip["id"], returns_id=True, payload={"id": ip["id"]})


@associate.finisher
def _associated(call: Call, payload: Doc) -> Doc:
    ip = call.state.store.get("publicipaddress", payload["id"])
    if ip is None:
        raise err.param_error(f"IP address {payload['id']} no longer exists")
    ip["state"] = "Allocated"
    call.state.store.save(ip)
    return {"ipaddress": render(call.state, ip)}


@associate.failure
def _associate_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


_IP_ID = Param(
    "id",
    "uuid",
    required=True,
    entity="publicipaddress",
    description="the ID of the public IP address to disassociate",
)

disassociate = command("disassociateIpAddress", is_async=True, params=(_IP_ID,))


@disassociate
def _disassociate(call: Call) -> Pending:
    """Disassociates an IP address from the network."""
    ip = call.need_ref("id")
    if ip.get("issourcenat"):
        raise err.param_error(
            f"IP address {ip['ipaddress']} is used for source nat purposes and can not be "
            "disassociated."
        )
    _, gateways = call.state.store.find("vpngateway", fields={"publicipid": ip["id"]}, limit=1)
    if gateways:
        raise err.ApiError(
            err.RESOURCE_IN_USE, f"IP address {ip['ipaddress']} is used by a VPN gateway"
        )
    return Pending("IpAddress", ip["id"], payload={"id": ip["id"]})


@disassociate.finisher
def _disassociated(call: Call, payload: Doc) -> Doc:
    ip = call.state.store.get("publicipaddress", payload["id"])
    if ip is None:
        raise err.param_error(f"IP address {payload['id']} no longer exists")
    release_rules(call, ip)
    if ip.get("isstaticnat"):
        _show_nat_on_vm(call, ip.get("virtualmachineid"), None)
    drop_resource(call.state, ip["id"])
    return async_success()


def _show_nat_on_vm(call: Call, vm_id: str | None, ip: Doc | None) -> None:
    """The server lists a VM's static NAT address as its ``publicip``/``publicipid``."""
    vm = call.state.store.get("vm", vm_id) if vm_id else None
    if vm is None:
        return
    if ip is None:
        vm.pop("publicip", None)
        vm.pop("publicipid", None)
    else:
        vm.update(publicip=ip["ipaddress"], publicipid=ip["id"])
    call.state.store.save(vm)


@command(
    "enableStaticNat",
    params=(
        Param(
            "ipaddressid",
            "uuid",
            required=True,
            entity="publicipaddress",
            description="the public IP address ID for which static NAT feature is being enabled",
        ),
        Param(
            "virtualmachineid",
            "uuid",
            required=True,
            entity="vm",
            description="the ID of the virtual machine for enabling static NAT feature",
        ),
        Param("networkid", "uuid", description="the network of the VM (VPC tier)"),
        Param("vmguestip", "string", description="VM guest NIC secondary IP address"),
    ),
)
def enable_static_nat(call: Call) -> Doc:
    """Enables static NAT for given IP address."""
    ip = call.need_ref("ipaddressid")
    vm = call.need_ref("virtualmachineid")
    if ip.get("issourcenat"):
        raise err.param_error(
            f"Can't enable static, ip address {ip['ipaddress']} is a sourceNat ip address"
        )
    if ip.get("isstaticnat") and ip.get("virtualmachineid") != vm["id"]:
        raise err.ApiError(
            err.NETWORK_RULE_CONFLICT,
            f"Failed to enable static nat for the ip address id={ip['id']} as it's already "
            f"assigned to vm id={ip['virtualmachineid']}",
        )
    for rule in rules_on_ip(call, ip["id"]):
        kind = {"PortForwarding": "PortForwarding", "LoadBalancing": "LoadBalancing"}.get(
            rule.get("_purpose", "")
        )
        if kind:
            raise err.ApiError(
                err.NETWORK_RULE_CONFLICT,
                f"Failed to enable static nat for the ip address {ip['ipaddress']} as it already "
                f"has {kind} rules assigned",
            )
    _, others = call.state.store.find(
        "publicipaddress", fields={"virtualmachineid": vm["id"], "isstaticnat": True}
    )
    for other in others:
        if other["id"] != ip["id"]:
            raise err.ApiError(
                err.NETWORK_RULE_CONFLICT,
                f"Failed to enable static nat for the ip address id={ip['id']} and vm "
                f"id={vm['id']} as it's already assigned to ip {other['ipaddress']}",
            )
    network = ip_network(call, ip, call.text("networkid"))
    need_service(call.state, network, "StaticNat")
    nic = vm_nic_on(vm, network["id"])
    if nic is None:
        raise err.param_error(
            f"Virtual machine {vm['name']} is not in the network {network['name']} the IP "
            "address is associated with"
        )
    ip.update(
        isstaticnat=True,
        virtualmachineid=vm["id"],
        virtualmachinename=vm["name"],
        virtualmachinedisplayname=vm["displayname"],
        virtualmachinetype="User",
        vmipaddress=call.text("vmguestip") or nic["ipaddress"],
    )
    call.state.store.save(ip)
    _show_nat_on_vm(call, vm["id"], ip)
    return dict(SYNC_SUCCESS)


disable = command(
    "disableStaticNat",
    is_async=True,
    params=(
        Param(
            "ipaddressid",
            "uuid",
            required=True,
            entity="publicipaddress",
            description="the public IP address ID for which static NAT feature is being disabled",
        ),
    ),
)


@disable
def _disable(call: Call) -> Pending:
    """Disables static rule for given IP address."""
    ip = call.need_ref("ipaddressid")
    if not ip.get("isstaticnat"):
        raise err.param_error("Specified IP address id is not associated with any vm Id")
    return Pending("IpAddress", ip["id"], payload={"id": ip["id"]})


@disable.finisher
def _disabled(call: Call, payload: Doc) -> Doc:
    ip = call.state.store.get("publicipaddress", payload["id"])
    if ip is None:
        raise err.param_error(f"IP address {payload['id']} no longer exists")
    _, rules = call.state.store.find("ipforwardingrule", fields={"ipaddressid": ip["id"]})
    for rule in rules:
        _drop_with_related(call, rule["id"])
    _show_nat_on_vm(call, ip.get("virtualmachineid"), None)
    for key in ("virtualmachineid", "virtualmachinename", "virtualmachinedisplayname"):
        ip.pop(key, None)
    ip.pop("vmipaddress", None)
    ip.pop("virtualmachinetype", None)
    ip["isstaticnat"] = False
    call.state.store.save(ip)
    return async_success()


def _drop_with_related(call: Call, rule_id: str) -> None:
    _, related = call.state.store.find("firewallrule", fields={"_related": rule_id})
    for rule in related:
        drop_resource(call.state, rule["id"])
    drop_resource(call.state, rule_id)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    associate,
    disassociate,
    enable_static_nat,
    disable,
)
