"""Security groups and their ingress/egress rules (TCP, UDP, ICMP, all)."""

from __future__ import annotations

import ipaddress

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, render_many
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import SYNC_SUCCESS, async_success, by_name, tag_filters

_OWNER = (
    Param("account", "string", description="an optional account for the security group"),
    Param("domainid", "uuid", description="an optional domainId for the security group"),
    Param("projectid", "uuid", entity="project", description="the project of the security group"),
)


@command(
    "createSecurityGroup",
    params=(
        Param("name", "string", required=True, description="name of the security group"),
        Param("description", "string", description="the description of the security group"),
        *_OWNER,
    ),
)
def create_security_group(call: Call) -> Doc:
    """Creates a security group."""
    account = call.target_account()
    name = call.need_text("name")
    if by_name(call, "securitygroup", name, account) is not None:
        raise err.param_error(
            f"Unable to create security group, a group with name {name} already exists."
        )
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "description": call.text("description") or "",
        **owner_fields(account),
        "ingressrule": [],
        "egressrule": [],
        "virtualmachinecount": 0,
        "virtualmachineids": [],
    }
    call.state.store.put("securitygroup", doc)
    return {"securitygroup": render(call.state, doc)}


@command(
    "listSecurityGroups",
    params=(
        Param(
            "id",
            "uuid",
            exists="securitygroup",
            description="list the security group by the id provided",
        ),
        Param("securitygroupname", "string", description="lists security groups by name"),
        Param(
            "virtualmachineid",
            "uuid",
            exists="vm",
            description="lists security groups by virtual machine id",
        ),
        Param("tags", "map", description="List resources by tags (key/value pairs)"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="securitygroup",
)
def list_security_groups(call: Call) -> Listing:
    """Lists security groups."""
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("virtualmachineid"):
        where.append(
            (
                "EXISTS (SELECT 1 FROM json_each(data, '$.virtualmachineids') WHERE value = ?)",
                (call.text("virtualmachineid"),),
            )
        )
    where.extend(tag_filters(call))
    offset, limit = call.window()
    total, docs = call.state.store.find(
        "securitygroup",
        owners=call.visible_owners(),
        ids=[call.need_text("id")] if call.has("id") else None,
        name=call.text("securitygroupname"),
        keyword=call.text("keyword"),
        where=where,
        offset=offset,
        limit=limit,
    )
    return Listing(total, render_many(call.state, docs))


def _group(call: Call) -> Doc:
    group = call.ref("securitygroupid") or call.ref("id")
    if group is not None:
        return group
    name = call.text("securitygroupname") or call.text("name")
    if not name:
        raise err.param_error("Either security group id or security group name is required")
    account = call.target_account()
    found = by_name(call, "securitygroup", name, account)
    if found is None:
        raise err.param_error(f"Unable to find security group {name}; failed to authorize ingress.")
    return found


@command(
    "deleteSecurityGroup",
    params=(
        Param("id", "uuid", entity="securitygroup", description="The ID of the security group"),
        Param("name", "string", description="The name of the security group"),
        *_OWNER,
    ),
)
def delete_security_group(call: Call) -> Doc:
    """Deletes security group."""
    group = _group(call)
    if group["name"] == "default":
        raise err.param_error("The network default group cannot be deleted")
    if group.get("virtualmachineids"):
        raise err.ApiError(
            err.RESOURCE_IN_USE, "Cannot delete group when it's in use by virtual machines"
        )
    call.state.store.delete(group["id"])
    return dict(SYNC_SUCCESS)


def _port(call: Call, name: str) -> int | None:
    value = call.number(name)
    if value is not None and not 0 <= value <= 65535:
        raise err.param_error(f"Invalid port number {value}")
    return value


def _rules(call: Call) -> list[Doc]:
    protocol = (call.text("protocol") or "tcp").lower()
    if protocol not in ("tcp", "udp", "icmp", "all") and not protocol.isdigit():
        raise err.param_error(f"Invalid protocol {protocol}")
    cidrs = call.items("cidrlist")
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise err.param_error(f"Invalid cidr {cidr}") from None
    peers = call.maps("usersecuritygrouplist")
    if not cidrs and not peers:
        cidrs = ["0.0.0.0/0"]
    base: Doc = {"protocol": protocol}
    if protocol in ("tcp", "udp"):
        start, end = _port(call, "startport"), _port(call, "endport")
        if start is None or end is None:
            raise err.param_error(
                "Invalid port range: startport and endport are required for tcp and udp"
            )
        if start > end:
            raise err.param_error(f"Invalid port range {start}-{end}")
        base.update(startport=start, endport=end)
    elif protocol == "icmp":
        base.update(icmptype=call.number("icmptype", -1), icmpcode=call.number("icmpcode", -1))
    elif call.has("startport") or call.has("icmptype"):
        raise err.param_error("Ports and ICMP type/code apply only to tcp, udp and icmp")
    rules = [{"ruleid": new_id(), **base, "cidr": cidr, "tags": []} for cidr in cidrs]
    rules += [
        {
            "ruleid": new_id(),
            **base,
            "securitygroupname": p.get("group", ""),
            "account": p.get("account", ""),
            "tags": [],
        }
        for p in peers
    ]
    return rules


def _same(a: Doc, b: Doc) -> bool:
    keys = (
        "protocol",
        "startport",
        "endport",
        "icmptype",
        "icmpcode",
        "cidr",
        "securitygroupname",
        "account",
    )
    return all(a.get(k) == b.get(k) for k in keys)


def _authorize(name: str, field: str) -> Declaration:
    cmd = command(
        name,
        is_async=True,
        params=(
            Param(
                "securitygroupid",
                "uuid",
                entity="securitygroup",
                description="The ID of the security group",
            ),
            Param("securitygroupname", "string", description="The name of the security group"),
            Param(
                "protocol",
                "string",
                description="TCP is default. UDP, ICMP, ALL or a protocol number",
            ),
            Param("startport", "integer", description="start port for this rule"),
            Param("endport", "integer", description="end port for this rule"),
            Param("icmptype", "integer", description="type of the icmp message being sent"),
            Param("icmpcode", "integer", description="error code for this icmp message"),
            Param("cidrlist", "list", description="the cidr list associated"),
            Param("usersecuritygrouplist", "map", description="user to security group mapping"),
            *_OWNER,
        ),
        description=f"Authorizes a particular {field[:-4]} rule for this security group",
    )

    @cmd
    def _submit(call: Call) -> Pending:
        group = _group(call)
        call.check_owner(group)
        rules = _rules(call)
        for rule in rules:
            if any(_same(rule, old) for old in group.get(field, [])):
                raise err.ApiError(
                    err.NETWORK_RULE_CONFLICT, "The same rule already exists in the security group"
                )
        return Pending("SecurityGroup", group["id"], payload={"group": group["id"], "rules": rules})

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        group = call.state.store.get("securitygroup", payload["group"])
        if group is None:
            raise err.param_error("The security group was deleted")
        group[field] = [*group.get(field, []), *payload["rules"]]
        call.state.store.save(group)
        return {"securitygroup": render(call.state, group)}

    return cmd


def _revoke(name: str, field: str) -> Declaration:
    cmd = command(
        name,
        is_async=True,
        params=(
            Param("id", "uuid", required=True, description=f"The ID of the {field[:-4]} rule"),
        ),
        description=f"Deletes a particular {field[:-4]} rule from this security group",
    )

    def _owning_group(call: Call, rule_id: str) -> Doc:
        _, groups = call.state.store.find(
            "securitygroup",
            where=[
                (
                    f"EXISTS (SELECT 1 FROM json_each(data, '$.{field}') "
                    "WHERE json_extract(value, '$.ruleid') = ?)",
                    (rule_id,),
                )
            ],
            limit=1,
        )
        if not groups:
            raise err.invalid(name, "id", rule_id)
        call.check_owner(groups[0])
        return groups[0]

    @cmd
    def _submit(call: Call) -> Pending:
        group = _owning_group(call, call.need_text("id"))
        return Pending("SecurityGroup", group["id"], payload={"rule": call.need_text("id")})

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        group = _owning_group(call, payload["rule"])
        group[field] = [r for r in group.get(field, []) if r["ruleid"] != payload["rule"]]
        call.state.store.save(group)
        return async_success()

    return cmd


authorize_security_group_ingress = _authorize("authorizeSecurityGroupIngress", "ingressrule")
authorize_security_group_egress = _authorize("authorizeSecurityGroupEgress", "egressrule")
revoke_security_group_ingress = _revoke("revokeSecurityGroupIngress", "ingressrule")
revoke_security_group_egress = _revoke("revokeSecurityGroupEgress", "egressrule")


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_security_group,
    list_security_groups,
    delete_security_group,
    authorize_security_group_ingress,
    authorize_security_group_egress,
    revoke_security_group_ingress,
    revoke_security_group_egress,
)
