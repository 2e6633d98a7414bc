"""Forwarding and firewall rules: create/delete PortForwardingRule and IpForwardingRule,
create/delete/list FirewallRule and EgressFirewallRule (conflicts answer 537)."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success
from ._netdocs import (
    check_conflicts,
    drop_resource,
    ip_network,
    need_service,
    owned_list,
    parse_cidrs,
    pick_fields,
    port_range,
    project_fields,
    rules_on_ip,
    services,
    vm_nic_on,
)

_PROTOCOLS = ("tcp", "udp", "icmp", "all")


def _ip_project(ip: Doc) -> Doc | None:
    return {"id": ip["projectid"], "name": ip.get("project", "")} if ip.get("projectid") else None


def _rule_base(call: Call, ip: Doc | None, account_doc: Doc) -> Doc:
    doc: Doc = {
        "id": new_id(),
        "state": "Add",
        "fordisplay": call.flag("fordisplay", True),
        **owner_fields(account_doc),
    }
    if ip is not None:
        doc.update(
            ipaddressid=ip["id"], ipaddress=ip["ipaddress"], **project_fields(_ip_project(ip))
        )
    return doc


def _owner_of(call: Call, doc: Doc) -> Doc:
    account = call.state.account(doc["_owner"])
    assert account is not None
    return account


def _protocol(call: Call, allowed: tuple[str, ...]) -> str:
    protocol = call.need_text("protocol").lower()
    if protocol not in allowed and not (protocol.isdigit() and "all" in allowed):
        raise err.param_error(
            f"Invalid protocol {protocol}: it must be one of {', '.join(allowed)}"
        )
    return protocol


def _activate(call: Call, kind: str, rule_id: str, key: str) -> Doc:
    rule = call.state.store.get(kind, rule_id)
    if rule is None:
        raise err.param_error(f"Rule {rule_id} no longer exists")
    rule["state"] = "Active"
    call.state.store.save(rule)
    _, related = call.state.store.find("firewallrule", fields={"_related": rule_id})
    for other in related:
        other["state"] = "Active"
        call.state.store.save(other)
    return {key: render(call.state, rule)}


def drop_rule(call: Call, rule_id: str) -> None:
    """Delete a rule with the firewall rules opened for it."""
    _, related = call.state.store.find("firewallrule", fields={"_related": rule_id})
    for other in related:
        drop_resource(call.state, other["id"])
    drop_resource(call.state, rule_id)


def open_firewall(
    call: Call, ip: Doc, network: Doc, related: Doc, ports: tuple[int, int], cidrs: list[str]
) -> None:
    """The firewall rule ``openfirewall=true`` adds for a forwarding or balancing rule."""
    if not call.flag("openfirewall", True) or "Firewall" not in services(call.state, network):
        return
    rule = _rule_base(call, ip, _owner_of(call, ip))
    rule.update(
        protocol=related["_proto"],
        startport=ports[0],
        endport=ports[1],
        networkid=network["id"],
        cidrlist=",".join(cidrs),
        _purpose="Firewall",
        _traffic="Ingress",
        _proto=related["_proto"],
        _start=ports[0],
        _end=ports[1],
        _cidrs=cidrs,
        _related=related["id"],
    )
    check_conflicts(call, rule, rules_on_ip(call, ip["id"]))
    call.state.store.put("firewallrule", rule)


def _static_nat_conflict(ip: Doc) -> None:
    if ip.get("isstaticnat"):
        raise err.ApiError(
            err.NETWORK_RULE_CONFLICT,
            f"There is 1 to 1 Nat rule specified for the ip address id={ip['id']}",
        )


# port forwarding ------------------------------------------------------------------------------

create_pf = command(
    "createPortForwardingRule",
    is_async=True,
    params=(
        Param(
            "ipaddressid",
            "uuid",
            required=True,
            entity="publicipaddress",
            description="the IP address id of the port forwarding rule",
        ),
        Param(
            "privateport",
            "integer",
            required=True,
            description="the starting port of the port forwarding rule's private port range",
        ),
        Param("privateendport", "integer", description="the ending port of the private range"),
        Param("protocol", "string", required=True, description="the protocol: TCP or UDP"),
        Param(
            "publicport",
            "integer",
            required=True,
            description="the starting port of the port forwarding rule's public port range",
        ),
        Param("publicendport", "integer", description="the ending port of the public range"),
        Param(
            "virtualmachineid",
            "uuid",
            required=True,
            entity="vm",
            description="the ID of the virtual machine for the port forwarding rule",
        ),
        Param("cidrlist", "list", description="the source CIDR list to forward traffic from"),
        Param(
            "openfirewall",
            "boolean",
            description="create a firewall rule for the public port range too (default true)",
        ),
        Param("networkid", "uuid", description="the network of the VM (required for VPC IPs)"),
        Param("vmguestip", "string", description="VM guest NIC secondary IP address"),
        Param("fordisplay", "boolean", description="display the rule to the end user"),
    ),
)


@create_pf
def _create_pf(call: Call) -> Pending:
    """Creates a port forwarding rule."""
    ip = call.need_ref("ipaddressid")
    vm = call.need_ref("virtualmachineid")
    protocol = _protocol(call, ("tcp", "udp"))
    public = port_range(call, "publicport", "publicendport")
    private = port_range(call, "privateport", "privateendport")
    assert public is not None and private is not None
    if public[1] - public[0] != private[1] - private[0]:
        raise err.param_error("Private port range and public port range must be of equal size")
    cidrs = parse_cidrs(call, default="")
    network = ip_network(call, ip, call.text("networkid"))
    need_service(call.state, network, "PortForwarding")
    _static_nat_conflict(ip)
    nic = vm_nic_on(vm, network["id"])
    if nic is None:
        raise err.param_error(
            f"Unable to create port forwarding rule: virtual machine {vm['name']} has no NIC "
            f"in network {network['name']}"
        )
    rule = _rule_base(call, ip, _owner_of(call, ip))
    rule.update(
        protocol=protocol,
        privateport=str(private[0]),
        privateendport=str(private[1]),
        publicport=str(public[0]),
        publicendport=str(public[1]),
        virtualmachineid=vm["id"],
        virtualmachinename=vm["name"],
        virtualmachinedisplayname=vm["displayname"],
        vmguestip=call.text("vmguestip") or nic["ipaddress"],
        networkid=network["id"],
        cidrlist=",".join(cidrs),
        _purpose="PortForwarding",
        _proto=protocol,
        _start=public[0],
        _end=public[1],
        _cidrs=cidrs,
    )
    for name in ("account", "domainid", "domain"):  # PortForwardingRuleResponse has no owner
        rule.pop(name)
    check_conflicts(call, rule, rules_on_ip(call, ip["id"]))
    call.state.store.put("portforwardingrule", rule)
    open_firewall(call, ip, network, rule, public, cidrs or ["0.0.0.0/0"])
    return Pending("FirewallRule", rule["id"], returns_id=True, payload={"id": rule["id"]})


@create_pf.finisher
def _pf_created(call: Call, payload: Doc) -> Doc:
    return _activate(call, "portforwardingrule", payload["id"], "portforwardingrule")


@create_pf.failure
def _pf_failed(call: Call, payload: Doc) -> None:
    drop_rule(call, payload["id"])


def _deleter(name: str, kind: str, doc: str) -> Declaration:
    cmd = command(
        name,
        is_async=True,
        params=(Param("id", "uuid", required=True, entity=kind, description="the ID of the rule"),),
        description=doc,
    )

    @cmd
    def _submit(call: Call) -> Pending:
        rule = call.need_ref("id")
        traffic = rule.get("_traffic")
        if (name == "deleteFirewallRule" and traffic == "Egress") or (
            name == "deleteEgressFirewallRule" and traffic == "Ingress"
        ):
            raise err.invalid(name, "id", rule["id"])
        rule["state"] = "Revoke"
        call.state.store.save(rule)
        return Pending("FirewallRule", rule["id"], payload={"id": rule["id"]})

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        drop_rule(call, payload["id"])
        return async_success()

    @cmd.failure
    def _undo(call: Call, payload: Doc) -> None:
        rule = call.state.store.get(kind, payload["id"])
        if rule is not None:
            rule["state"] = "Active"
            call.state.store.save(rule)

    return cmd


delete_port_forwarding_rule = _deleter(
    "deletePortForwardingRule", "portforwardingrule", "Deletes a port forwarding rule"
)
delete_ip_forwarding_rule = _deleter(
    "deleteIpForwardingRule", "ipforwardingrule", "Deletes an IP forwarding rule"
)
delete_firewall_rule = _deleter("deleteFirewallRule", "firewallrule", "Deletes a firewall rule")
delete_egress_firewall_rule = _deleter(
    "deleteEgressFirewallRule", "firewallrule", "Deletes an egress firewall rule"
)


# IP forwarding (static NAT rules) -------------------------------------------------------------

create_ipf = command(
    "createIpForwardingRule",
    is_async=True,
    params=(
        Param(
            "ipaddressid",
            "uuid",
            required=True,
            entity="publicipaddress",
            description="the public IP address ID of the forwarding rule, already associated",
        ),
        Param("protocol", "string", required=True, description="the protocol for the rule"),
        Param("startport", "integer", required=True, description="the start port for the rule"),
        Param("endport", "integer", description="the end port for the rule"),
        Param("cidrlist", "list", description="the CIDR list to forward traffic from"),
        Param(
            "openfirewall",
            "boolean",
            description="create a firewall rule for the port range too (default true)",
        ),
    ),
)


@create_ipf
def _create_ipf(call: Call) -> Pending:
    """Creates an IP forwarding rule."""
    ip = call.need_ref("ipaddressid")
    protocol = _protocol(call, ("tcp", "udp"))
    ports = port_range(call, "startport", "endport")
    assert ports is not None
    if not ip.get("isstaticnat"):
        raise err.param_error(
            f"Unable to create static nat rule; ip id={ip['id']} is not static nat enabled"
        )
    network = ip_network(call, ip)
    cidrs = parse_cidrs(call)
    rule = _rule_base(call, ip, _owner_of(call, ip))
    rule.update(
        protocol=protocol,
        startport=ports[0],
        endport=ports[1],
        virtualmachineid=ip["virtualmachineid"],
        virtualmachinename=ip["virtualmachinename"],
        virtualmachinedisplayname=ip["virtualmachinedisplayname"],
        vmguestip=ip.get("vmipaddress"),
        cidrlist="",
        networkid=network["id"],
        _purpose="StaticNat",
        _proto=protocol,
        _start=ports[0],
        _end=ports[1],
        _cidrs=cidrs,
    )
    _, existing = call.state.store.find("ipforwardingrule", fields={"ipaddressid": ip["id"]})
    check_conflicts(call, rule, existing)
    call.state.store.put("ipforwardingrule", rule)
    open_firewall(call, ip, network, rule, ports, cidrs)
    return Pending("FirewallRule", rule["id"], returns_id=True, payload={"id": rule["id"]})


@create_ipf.finisher
def _ipf_created(call: Call, payload: Doc) -> Doc:
    return _activate(call, "ipforwardingrule", payload["id"], "ipforwardingrule")


@create_ipf.failure
def _ipf_failed(call: Call, payload: Doc) -> None:
    drop_rule(call, payload["id"])


# firewall rules -------------------------------------------------------------------------------


def _firewall_fields(call: Call, protocol: str) -> Doc:
    ports = port_range(call, "startport", "endport")
    fields: Doc = {"protocol": protocol, "_proto": protocol}
    if ports is not None:
        if protocol not in ("tcp", "udp"):
            raise err.param_error("Can specify start/end port only when protocol is TCP or UDP")
        fields.update(startport=ports[0], endport=ports[1], _start=ports[0], _end=ports[1])
    if protocol == "icmp":
        fields.update(icmptype=call.number("icmptype", -1), icmpcode=call.number("icmpcode", -1))
    elif call.has("icmptype") or call.has("icmpcode"):
        raise err.param_error("Can specify icmpCode and icmpType for ICMP protocol only")
    return fields


_FIREWALL_PARAMS = (
    Param("protocol", "string", required=True, description="TCP, UDP, ICMP, ALL or a number"),
    Param("startport", "integer", description="the starting port of the firewall rule"),
    Param("endport", "integer", description="the ending port of the firewall rule"),
    Param("icmptype", "integer", description="type of the ICMP message being sent"),
    Param("icmpcode", "integer", description="error code for this ICMP message"),
    Param("type", "string", description="type of firewall rule: system/user"),
    Param("fordisplay", "boolean", description="display the rule to the end user"),
)

create_fw = command(
    "createFirewallRule",
    is_async=True,
    params=(
        Param(
            "ipaddressid",
            "uuid",
            required=True,
            entity="publicipaddress",
            description="the IP address id of the firewall rule",
        ),
        Param("cidrlist", "list", description="the source CIDR list to allow traffic from"),
        *_FIREWALL_PARAMS,
    ),
)


@create_fw
def _create_fw(call: Call) -> Pending:
    """Creates a firewall rule for a given IP address."""
    ip = call.need_ref("ipaddressid")
    protocol = _protocol(call, _PROTOCOLS)
    network = ip_network(call, ip)
    need_service(call.state, network, "Firewall")
    cidrs = parse_cidrs(call)
    rule = _rule_base(call, ip, _owner_of(call, ip))
    rule.update(
        networkid=network["id"],
        cidrlist=",".join(cidrs),
        _purpose="Firewall",
        _traffic="Ingress",
        _cidrs=cidrs,
        **_firewall_fields(call, protocol),
    )
    check_conflicts(call, rule, rules_on_ip(call, ip["id"]))
    call.state.store.put("firewallrule", rule)
    return Pending("FirewallRule", rule["id"], returns_id=True, payload={"id": rule["id"]})


@create_fw.finisher
def _fw_created(call: Call, payload: Doc) -> Doc:
    return _activate(call, "firewallrule", payload["id"], "firewallrule")


@create_fw.failure
def _fw_failed(call: Call, payload: Doc) -> None:
    drop_rule(call, payload["id"])


create_egress = command(
    "createEgressFirewallRule",
    is_async=True,
    params=(
        Param(
            "networkid",
            "uuid",
            required=True,
            entity="network",
            description="the network id of the egress firewall rule",
        ),
        Param("cidrlist", "list", description="the source CIDR list (default: the network)"),
        Param("destcidrlist", "list", description="the destination CIDR list"),
        *_FIREWALL_PARAMS,
    ),
)


@create_egress
def _create_egress(call: Call) -> Pending:
    """Creates an egress firewall rule for a given network."""
    network = call.need_ref("networkid")
    protocol = _protocol(call, _PROTOCOLS)
    if network.get("_owner") is None or network.get("vpcid"):
        raise err.param_error(
            f"Egress firewall rules are supported on isolated networks only, not on network "
            f"{network['id']}"
        )
    need_service(call.state, network, "Firewall")
    cidrs = parse_cidrs(call, default=network["cidr"])
    destinations = parse_cidrs(call, "destcidrlist", default="")
    rule = _rule_base(call, None, _owner_of(call, network))
    rule.update(
        networkid=network["id"],
        cidrlist=",".join(cidrs),
        destcidrlist=",".join(destinations),
        traffictype="Egress",
        _purpose="Firewall",
        _traffic="Egress",
        _cidrs=cidrs,
        **project_fields(_ip_project(network)),
        **_firewall_fields(call, protocol),
    )
    _, existing = call.state.store.find(
        "firewallrule", fields={"networkid": network["id"], "_traffic": "Egress"}
    )
    check_conflicts(call, rule, existing)
    call.state.store.put("firewallrule", rule)
    return Pending("FirewallRule", rule["id"], returns_id=True, payload={"id": rule["id"]})


@create_egress.finisher
def _egress_created(call: Call, payload: Doc) -> Doc:
    return _activate(call, "firewallrule", payload["id"], "firewallrule")


@create_egress.failure
def _egress_failed(call: Call, payload: Doc) -> None:
    drop_rule(call, payload["id"])


@command(
    "listFirewallRules",
    params=(
        Param("id", "uuid", exists="firewallrule", description="Lists rule with the specified ID"),
        Param(
            "ipaddressid",
            "uuid",
            exists="publicipaddress",
            description="the ID of IP address of the firewall services",
        ),
        Param(
            "networkid",
            "uuid",
            exists="network",
            description="list firewall rules for certain network",
        ),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="firewallrule",
)
def list_firewall_rules(call: Call) -> Listing:
    """Lists all firewall rules for an IP address."""
    fields = pick_fields(call, ("ipaddressid", "networkid", "fordisplay"))
    fields["_traffic"] = "Ingress"
    return owned_list(call, "firewallrule", fields=fields)


@command(
    "listEgressFirewallRules",
    params=(
        Param("id", "uuid", exists="firewallrule", description="Lists rule with the specified ID"),
        Param(
            "networkid",
            "uuid",
            exists="network",
            description="the network ID for the egress firewall services",
        ),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="firewallrule",
)
def list_egress_firewall_rules(call: Call) -> Listing:
    """Lists all egress firewall rules for network ID."""
    fields = pick_fields(call, ("networkid", "fordisplay"))
    fields["_traffic"] = "Egress"
    return owned_list(call, "firewallrule", fields=fields)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_pf,
    delete_port_forwarding_rule,
    delete_ip_forwarding_rule,
    delete_firewall_rule,
    delete_egress_firewall_rule,
    create_ipf,
    create_fw,
    create_egress,
    list_firewall_rules,
    list_egress_firewall_rules,
)
