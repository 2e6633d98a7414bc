"""Load balancer rules: createLoadBalancerRule, deleteLoadBalancerRule, updateLoadBalancerRule,
listLoadBalancerRules, assignToLoadBalancerRule, removeFromLoadBalancerRule,
listLoadBalancerRuleInstances."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import render, render_many
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success
from ._netdocs import (
    check_conflicts,
    ip_network,
    need_service,
    owned_list,
    parse_cidrs,
    pick_fields,
    port_range,
    rules_on_ip,
    vm_nic_on,
)
from .rules import _owner_of, _rule_base, _static_nat_conflict, drop_rule, open_firewall

_ALGORITHMS = ("roundrobin", "leastconn", "source")

create = command(
    "createLoadBalancerRule",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="name of the load balancer rule"),
        Param(
            "algorithm",
            "string",
            required=True,
            description="load balancer algorithm (source, roundrobin, leastconn)",
        ),
        Param(
            "privateport",
            "integer",
            required=True,
            description="the private port of the private IP address/virtual machine",
        ),
        Param("publicport", "integer", required=True, description="the public port"),
        Param(
            "publicipid",
            "uuid",
            entity="publicipaddress",
            description="public IP address ID from where the network traffic will be load balanced",
        ),
        Param("networkid", "uuid", description="the guest network of the load balancer"),
        Param("zoneid", "uuid", description="zone where the load balancer is going to be created"),
        Param("description", "string", description="the description of the load balancer rule"),
        Param("cidrlist", "list", description="the source CIDR list to forward traffic from"),
        Param(
            "openfirewall",
            "boolean",
            description="create a firewall rule for the public port too (default true)",
        ),
        Param("protocol", "string", description="the protocol: tcp, udp or tcp-proxy"),
        Param("account", "string", description="the account associated with the load balancer"),
        Param("domainid", "uuid", description="the domain ID associated with the load balancer"),
        Param("fordisplay", "boolean", description="display the rule to the end user"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates a load balancer rule."""
    ip = call.ref("publicipid")
    if ip is None:
        raise err.param_error(
            "Unable to create load balancer rule: publicipid is required in this zone"
        )
    algorithm = call.need_text("algorithm").lower()
    if algorithm not in _ALGORITHMS:
        raise err.param_error(f"Invalid algorithm: {algorithm}")
    protocol = (call.text("protocol") or "tcp").lower()
    if protocol not in ("tcp", "udp", "tcp-proxy"):
        raise err.param_error(f"Invalid protocol {protocol} for a load balancer rule")
    public = port_range(call, "publicport", "publicendport")
    private = port_range(call, "privateport", "privateendport")
    assert public is not None and private is not None
    network = ip_network(call, ip, call.text("networkid"))
    need_service(call.state, network, "Lb")
    _static_nat_conflict(ip)
    cidrs = parse_cidrs(call, default="")
    rule = _rule_base(call, None, _owner_of(call, ip))
    rule.update(
        name=call.need_text("name"),
        description=call.text("description") or "",
        publicipid=ip["id"],
        publicip=ip["ipaddress"],
        publicport=str(public[0]),
        privateport=str(private[0]),
        algorithm=algorithm,
        protocol=protocol,
        networkid=network["id"],
        zoneid=ip["zoneid"],
        zonename=ip["zonename"],
        cidrlist=",".join(cidrs),
        _purpose="LoadBalancing",
        _proto="tcp" if protocol == "tcp-proxy" else protocol,
        _start=public[0],
        _end=public[1],
        _cidrs=cidrs,
        _members=[],
    )
    if ip.get("projectid"):
        rule.update(projectid=ip["projectid"], project=ip.get("project", ""))
    check_conflicts(call, rule, rules_on_ip(call, ip["id"]))
    call.state.store.put("loadbalancerrule", rule)
    open_firewall(call, ip, network, rule, public, cidrs or ["0.0.0.0/0"])
    return Pending("LoadBalancerRule", rule["id"], returns_id=True, payload={"id": rule["id"]})


def _rule(call: Call, rule_id: str) -> Doc:
    rule = call.state.store.get("loadbalancerrule", rule_id)
    if rule is None:
        raise err.param_error(f"Load balancer rule {rule_id} no longer exists")
    return rule


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    rule = _rule(call, payload["id"])
    rule["state"] = "Active"
    call.state.store.save(rule)
    _, related = call.state.store.find("firewallrule", fields={"_related": rule["id"]})
    for other in related:
        other["state"] = "Active"
        call.state.store.save(other)
    return {"loadbalancer": render(call.state, rule)}


@create.failure
def _create_failed(call: Call, payload: Doc) -> None:
    drop_rule(call, payload["id"])


_LB_ID = Param(
    "id", "uuid", required=True, entity="loadbalancerrule", description="the ID of the rule"
)

delete = command("deleteLoadBalancerRule", is_async=True, params=(_LB_ID,))


@delete
def _delete(call: Call) -> Pending:
    """Deletes a load balancer rule."""
    rule = call.need_ref("id")
    return Pending("FirewallRule", rule["id"], payload={"id": rule["id"]})


@delete.finisher
def _deleted(call: Call, payload: Doc) -> Doc:
    drop_rule(call, _rule(call, payload["id"])["id"])
    return async_success()


update = command(
    "updateLoadBalancerRule",
    is_async=True,
    params=(
        _LB_ID,
        Param("name", "string", description="the name of the load balancer rule"),
        Param("description", "string", description="the description of the load balancer rule"),
        Param("algorithm", "string", description="load balancer algorithm"),
        Param("protocol", "string", description="the protocol"),
        Param("fordisplay", "boolean", description="display the rule to the end user"),
    ),
)


@update
def _update(call: Call) -> Pending:
    """Updates load balancer."""
    rule = call.need_ref("id")
    if call.has("algorithm") and (call.text("algorithm") or "").lower() not in _ALGORITHMS:
        raise err.param_error(f"Invalid algorithm: {call.text('algorithm')}")
    return Pending("FirewallRule", rule["id"], payload={"id": rule["id"]})


@update.finisher
def _updated(call: Call, payload: Doc) -> Doc:
    rule = _rule(call, payload["id"])
    for key in ("name", "description", "protocol"):
        if call.has(key):
            rule[key] = call.text(key)
    if call.has("algorithm"):
        rule["algorithm"] = (call.text("algorithm") or "").lower()
    if call.has("fordisplay"):
        rule["fordisplay"] = call.flag("fordisplay")
    call.state.store.save(rule)
    return {"loadbalancer": render(call.state, rule)}


@command(
    "listLoadBalancerRules",
    params=(
        Param(
            "id", "uuid", exists="loadbalancerrule", description="the ID of the load balancer rule"
        ),
        Param("name", "string", description="the name of the load balancer rule"),
        Param(
            "publicipid",
            "uuid",
            exists="publicipaddress",
            description="the public IP address ID of the rule",
        ),
        Param(
            "virtualmachineid",
            "uuid",
            exists="vm",
            description="the ID of the virtual machine of the rule",
        ),
        Param("zoneid", "uuid", exists="zone", description="the availability zone ID"),
        Param(
            "networkid",
            "uuid",
            exists="network",
            description="list by network ID the rule belongs to",
        ),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="loadbalancerrule",
)
def list_load_balancer_rules(call: Call) -> Listing:
    """Lists load balancer rules."""
    fields = pick_fields(call, ("name", "publicipid", "zoneid", "networkid", "fordisplay"))
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("virtualmachineid"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(data, '$._members') WHERE value = ?)",
                (call.text("virtualmachineid"),),
            )
        )
    return owned_list(call, "loadbalancerrule", fields=fields, where=where)


def _members(name: str, doc: str, adding: bool) -> Declaration:
    cmd = command(
        name,
        is_async=True,
        params=(
            _LB_ID,
            Param(
                "virtualmachineids",
                "list",
                entity="vm",
                description="the list of IDs of the virtual machines",
            ),
            Param("vmidipmap", "map", description="VM ID and IP map, vmidipmap[0].vmid=..."),
        ),
        description=doc,
    )

    @cmd
    def _submit(call: Call) -> Pending:
        rule = call.need_ref("id")
        vms = list(call.ref_list("virtualmachineids"))
        for entry in call.maps("vmidipmap"):
            vm = call.state.store.get("vm", entry.get("vmid", ""))
            if vm is None:
                raise err.param_error(f"Unable to find virtual machine {entry.get('vmid')}")
            call.check_owner(vm)
            vms.append(vm)
        if not vms:
            raise err.param_error("Virtual machine ids or vmidipmap must be specified")
        members = set(rule.get("_members", []))
        for vm in vms:
            if adding:
                if vm_nic_on(vm, rule["networkid"]) is None:
                    raise err.param_error(
                        f"Can't assign virtual machine {vm['name']} to load balancer rule "
                        f"{rule['name']}: it is not in the rule's network"
                    )
                if vm["state"] in ("Destroyed", "Expunging", "Error"):
                    raise err.param_error(
                        f"Invalid state of virtual machine {vm['name']}: {vm['state']}"
                    )
                if vm["id"] in members:
                    raise err.param_error(
                        f"VM {vm['id']} is already assigned to load balancer rule {rule['name']}"
                    )
            elif vm["id"] not in members:
                raise err.param_error(
                    f"VM {vm['id']} is not assigned to load balancer rule {rule['name']}"
                )
        return Pending(
            "FirewallRule", rule["id"], payload={"id": rule["id"], "vms": [v["id"] for v in vms]}
        )

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        rule = _rule(call, payload["id"])
        members = [m for m in rule.get("_members", []) if m not in payload["vms"]]
        if adding:
            members.extend(payload["vms"])
        rule["_members"] = members
        call.state.store.save(rule)
        return async_success()

    return cmd


assign_to_load_balancer_rule = _members(
    "assignToLoadBalancerRule", "Assigns virtual machine(s) to a load balancer rule.", True
)
remove_from_load_balancer_rule = _members(
    "removeFromLoadBalancerRule", "Removes a virtual machine(s) from a load balancer rule.", False
)


@command(
    "listLoadBalancerRuleInstances",
    params=(
        _LB_ID,
        Param(
            "applied",
            "boolean",
            description="true to list instances assigned to the rule (default), false for those "
            "that can be assigned",
        ),
        Param("lbvmips", "boolean", description="accepted; the VM IP list shape is not simulated"),
    ),
    list_key="loadbalancerruleinstance",
)
def list_instances(call: Call) -> Listing:
    """List all virtual machine instances that are assigned to a load balancer rule."""
    rule = call.need_ref("id")
    members = list(rule.get("_members", []))
    if call.flag("applied", True):
        _, vms = call.state.store.find("vm", ids=members) if members else (0, [])
    else:
        _, candidates = call.state.store.find(
            "vm",
            owners=[rule["_owner"]],
            where=[
                (
                    "EXISTS (SELECT 1 FROM json_each(data, '$.nic') "
                    "WHERE json_extract(value, '$.networkid') = ?) AND json_extract(data, "
                    "'$.state') NOT IN ('Destroyed', 'Expunging', 'Error')",
                    (rule["networkid"],),
                )
            ],
        )
        vms = [vm for vm in candidates if vm["id"] not in members]
    views = render_many(call.state, vms)
    return call.listing(views)


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    delete,
    update,
    list_load_balancer_rules,
    assign_to_load_balancer_rule,
    remove_from_load_balancer_rule,
    list_instances,
)
