"""``Microsoft.Network/networkSecurityGroups`` with their ``securityRules`` (kept inside the
group's document, like Azure's default rules); ``networkInterfaces``/``subnets`` list users."""

from __future__ import annotations

import uuid

from . import _lro
from ._common import begin_delete, begin_put, etag, location_of, props, tag_patcher, take_tags
from ._errors import bad_request, not_found
from ._request import Reply, Req, check_not_busy, existing, lister, need, resource_id
from ._shapes import NSG, RULE
from ._state import AzureState, public
from ._store import Doc

__all__ = ["ROUTES", "link"]

PROVIDER = "Microsoft.Network"
TYPE = "Microsoft.Network/networkSecurityGroups"
_BASE = "subscriptions/*/resourcegroups/*/providers/microsoft.network/networksecuritygroups"
_PROTOCOLS = {"tcp": "Tcp", "udp": "Udp", "icmp": "Icmp", "*": "*", "esp": "Esp", "ah": "Ah"}

_DEFAULTS = (
    ("AllowVnetInBound", "Inbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Inbound", "Allow", 65001, "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Inbound", "Deny", 65500, "*", "*"),
    ("AllowVnetOutBound", "Outbound", "Allow", 65000, "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Outbound", "Allow", 65001, "*", "Internet"),
    ("DenyAllOutBound", "Outbound", "Deny", 65500, "*", "*"),
)


def link(state: AzureState, nsg_id: str, field: str, user: str, *, add: bool) -> None:
    """Add or remove ``{"id": user}`` in the NSG's ``field`` (``networkInterfaces``/``subnets``)."""
    doc = state.store.get(nsg_id)
    if doc is None:
        return
    users = [u for u in doc["properties"].get(field, []) if u["id"].lower() != user.lower()]
    if add:
        users.append({"id": user})
    if users:
        doc["properties"][field] = users
    else:
        doc["properties"].pop(field, None)
    state.store.save(doc)


def _rule(nsg_id: str, body: Doc, kind: str = "securityRules") -> Doc:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request(
            "InvalidRequestFormat", "Cannot parse the request: a security rule needs a name."
        )
    p = props(body)
    rule_id = f"{nsg_id}/{kind}/{name}"
    priority = p.get("priority")
    if not isinstance(priority, int) or not 100 <= priority <= 4096:
        raise bad_request(
            "SecurityRuleInvalidPriority",
            f"Security rule has invalid Priority. Value provided: {priority} Allowed values are "
            "from 100 to 4096.",
        )
    direction = str(p.get("direction", "")).capitalize()
    access = str(p.get("access", "")).capitalize()
    protocol = _PROTOCOLS.get(str(p.get("protocol", "")).lower())
    if direction not in ("Inbound", "Outbound") or access not in ("Allow", "Deny"):
        raise bad_request(
            "SecurityRuleParameterContainsUnsupportedValue",
            f"Security rule {rule_id} needs direction Inbound/Outbound and access Allow/Deny.",
        )
    if protocol is None:
        raise bad_request(
            "SecurityRuleInvalidProtocol",
            f"Security rule {rule_id} has invalid protocol {p.get('protocol')}.",
        )
    properties: Doc = {
        "provisioningState": "Succeeded",
        "protocol": protocol,
        "sourcePortRange": p.get("sourcePortRange", "*"),
        "destinationPortRange": p.get("destinationPortRange", "*"),
        "sourceAddressPrefix": p.get("sourceAddressPrefix", "*"),
        "destinationAddressPrefix": p.get("destinationAddressPrefix", "*"),
        "access": access,
        "priority": priority,
        "direction": direction,
        "sourcePortRanges": p.get("sourcePortRanges", []),
        "destinationPortRanges": p.get("destinationPortRanges", []),
        "sourceAddressPrefixes": p.get("sourceAddressPrefixes", []),
        "destinationAddressPrefixes": p.get("destinationAddressPrefixes", []),
    }
    if "description" in p:
        properties["description"] = p["description"]
    return {
        "name": name,
        "id": rule_id,
        "etag": etag(),
        "type": f"{TYPE}/securityRules",
        "properties": properties,
    }


def _defaults(nsg_id: str) -> list[Doc]:
    rules = []
    for name, direction, access, priority, source, destination in _DEFAULTS:
        rule = _rule(
            nsg_id,
            {
                "name": name,
                "properties": {
                    "priority": 100,
                    "direction": direction,
                    "access": access,
                    "protocol": "*",
                    "sourceAddressPrefix": source,
                    "destinationAddressPrefix": destination,
                },
            },
            "defaultSecurityRules",
        )
        rule["type"] = f"{TYPE}/defaultSecurityRules"
        rule["properties"]["priority"] = priority
        rule["properties"]["description"] = name
        rules.append(rule)
    return rules


def _check_priorities(rules: list[Doc]) -> None:
    seen: dict[tuple[str, int], str] = {}
    for rule in rules:
        key = (rule["properties"]["direction"], rule["properties"]["priority"])
        if key in seen:
            raise bad_request(
                "SecurityRuleConflict",
                f"Security rule {rule['name']} conflicts with rule {seen[key]}. Rules cannot "
                "have the same Priority and Direction.",
            )
        seen[key] = rule["name"]


def _put(req: Req) -> Reply:
    _, group_name, name = req.args
    group = req.group(group_name)
    body = req.obj(NSG)
    rid = resource_id(req, group["name"], TYPE, name)
    old = req.state.store.get(rid)
    if old is not None:
        check_not_busy(old, "update")
    rid = old["id"] if old else rid
    rules = [_rule(rid, r) for r in props(body).get("securityRules") or []]
    _check_priorities(rules)
    doc: Doc = {
        "id": rid,
        "name": old["name"] if old else name,
        "type": TYPE,
        "location": location_of(req, body, old["location"] if old else None),
        "etag": etag(),
        "properties": {
            "resourceGuid": old["properties"]["resourceGuid"] if old else str(uuid.uuid4()),
            "securityRules": rules,
            "defaultSecurityRules": _defaults(rid),
        },
    }
    for field in ("networkInterfaces", "subnets"):
        if old and field in old["properties"]:
            doc["properties"][field] = old["properties"][field]
    take_tags(doc, body)
    return begin_put(
        req, "nsg", group["name"], doc, PROVIDER, created=old is None, transitional="Updating"
    )


def _get_nsg(req: Req) -> Doc:
    _, group, name = req.args[:3]
    return need(req, resource_id(req, group, TYPE, name), TYPE, name, group)


def _get(req: Req) -> Reply:
    return Reply(200, public(_get_nsg(req)))


def _delete(req: Req) -> Reply:
    doc = existing(req, TYPE)
    if doc is None:
        return Reply(204)
    users = [
        u["id"] for f in ("networkInterfaces", "subnets") for u in doc["properties"].get(f, [])
    ]
    if users:
        raise bad_request(
            "InUseNetworkSecurityGroupCannotBeDeleted",
            f"Network security group {doc['id']} cannot be deleted because it is in use by the "
            f"following resources: {', '.join(users)}. In order to delete the Network security "
            "group, remove the association with the resource(s). To learn how to do this, see "
            "aka.ms/deletensg.",
        )
    return begin_delete(req, "nsg", doc["_group"], doc, PROVIDER)


def _put_rule(req: Req) -> Reply:
    nsg = _get_nsg(req)
    check_not_busy(nsg, "update")
    body = dict(req.obj(RULE))
    body["name"] = req.args[3]
    rule = _rule(nsg["id"], body)
    rules = nsg["properties"]["securityRules"]
    index = next(
        (i for i, r in enumerate(rules) if r["name"].lower() == rule["name"].lower()), None
    )
    if index is None:
        rules.append(rule)
    else:
        rule["name"], rule["id"] = rules[index]["name"], rules[index]["id"]
        rules[index] = rule
    _check_priorities(rules)
    req.state.store.save(nsg)
    op = _lro.start(req, PROVIDER, nsg["location"], [])
    return Reply(201 if index is None else 200, rule, _lro.headers(req, op))


def _get_rule(req: Req) -> Reply:
    nsg = _get_nsg(req)
    for rule in nsg["properties"]["securityRules"]:
        if rule["name"].lower() == req.args[3].lower():
            return Reply(200, rule)
    raise not_found(f"{TYPE}/{nsg['name']}/securityRules", req.args[3], req.args[1])


def _delete_rule(req: Req) -> Reply:
    nsg = _get_nsg(req)
    rules = nsg["properties"]["securityRules"]
    kept = [r for r in rules if r["name"].lower() != req.args[3].lower()]
    if len(kept) == len(rules):
        return Reply(204)
    nsg["properties"]["securityRules"] = kept
    req.state.store.save(nsg)
    op = _lro.start(req, PROVIDER, nsg["location"], [], kind="delete")
    return Reply(202, None, _lro.headers(req, op, location=True))


def _list_rules(req: Req) -> Reply:
    return Reply(200, {"value": _get_nsg(req)["properties"]["securityRules"]})


ROUTES = [
    ("PUT", f"{_BASE}/*", _put),
    ("PATCH", f"{_BASE}/*", tag_patcher(TYPE)),
    ("GET", f"{_BASE}/*", _get),
    ("DELETE", f"{_BASE}/*", _delete),
    ("GET", _BASE, lister("nsg", True)),
    (
        "GET",
        "subscriptions/*/providers/microsoft.network/networksecuritygroups",
        lister("nsg", False),
    ),
    ("PUT", f"{_BASE}/*/securityrules/*", _put_rule),
    ("GET", f"{_BASE}/*/securityrules/*", _get_rule),
    ("DELETE", f"{_BASE}/*/securityrules/*", _delete_rule),
    ("GET", f"{_BASE}/*/securityrules", _list_rules),
]
