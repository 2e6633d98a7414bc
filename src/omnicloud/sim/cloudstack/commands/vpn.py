"""Site-to-site VPN: VPN gateways (one per VPC), customer gateways and connections."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success
from ._netdocs import drop_resource, owned_list, owner_and_project, parse_cidrs, pick_fields
from ._netdocs import project_fields as _project_fields


def _vpc_project(doc: Doc) -> Doc:
    if not doc.get("projectid"):
        return {}
    return _project_fields({"id": doc["projectid"], "name": doc.get("project", "")})


def _load(call: Call, kind: str, doc_id: str) -> Doc:
    doc = call.state.store.get(kind, doc_id)
    if doc is None:
        raise err.param_error(f"Unable to find {kind} {doc_id}")
    return doc


# VPN gateways ---------------------------------------------------------------------------------

create_gateway = command(
    "createVpnGateway",
    is_async=True,
    params=(
        Param(
            "vpcid",
            "uuid",
            required=True,
            entity="vpc",
            description="public ip address id of the vpn gateway",
        ),
        Param("fordisplay", "boolean", description="display the gateway to the end user"),
    ),
)


@create_gateway
def _create_gateway(call: Call) -> Pending:
    """Creates site to site vpn local gateway."""
    vpc = call.need_ref("vpcid")
    _, existing = call.state.store.find("vpngateway", fields={"vpcid": vpc["id"]}, limit=1)
    if existing:
        raise err.param_error(f"The VPN gateway of VPC {vpc['id']} already exists!")
    _, ips = call.state.store.find(
        "publicipaddress", fields={"vpcid": vpc["id"], "issourcenat": True}, limit=1
    )
    if not ips:
        raise err.param_error(f"The VPC {vpc['name']} has no source NAT address yet")
    account = call.state.account(vpc["_owner"])
    assert account is not None
    doc: Doc = {
        "id": new_id(),
        "publicip": ips[0]["ipaddress"],
        "vpcid": vpc["id"],
        "vpcname": vpc["name"],
        "fordisplay": call.flag("fordisplay", True),
        **owner_fields(account),
        **_vpc_project(vpc),
        "_ref": vpc["id"],
        "_publicipid": ips[0]["id"],
    }
    call.state.store.put("vpngateway", doc)
    return Pending("VpnGateway", doc["id"], returns_id=True, payload={"id": doc["id"]})


@create_gateway.finisher
def _gateway_created(call: Call, payload: Doc) -> Doc:
    return {"vpngateway": render(call.state, _load(call, "vpngateway", payload["id"]))}


@create_gateway.failure
def _gateway_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listVpnGateways",
    params=(
        Param("id", "uuid", exists="vpngateway", description="id of the vpn gateway"),
        Param("vpcid", "uuid", exists="vpc", description="id of vpc"),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="vpngateway",
)
def list_gateways(call: Call) -> Listing:
    """Lists site 2 site vpn gateways."""
    return owned_list(call, "vpngateway", fields=pick_fields(call, ("vpcid", "fordisplay")))


delete_gateway = command(
    "deleteVpnGateway",
    is_async=True,
    params=(
        Param(
            "id", "uuid", required=True, entity="vpngateway", description="id of customer gateway"
        ),
    ),
)


@delete_gateway
def _delete_gateway(call: Call) -> Pending:
    """Delete site to site vpn gateway."""
    gateway = call.need_ref("id")
    _, connections = call.state.store.find(
        "vpnconnection", fields={"s2svpngatewayid": gateway["id"]}, limit=1
    )
    if connections:
        raise err.param_error(
            f"Unable to delete VPN gateway {gateway['id']} because there is still related VPN "
            "connections!"
        )
    return Pending("VpnGateway", gateway["id"], payload={"id": gateway["id"]})


@delete_gateway.finisher
def _gateway_deleted(call: Call, payload: Doc) -> Doc:
    drop_resource(call.state, _load(call, "vpngateway", payload["id"])["id"])
    return async_success()


# customer gateways ----------------------------------------------------------------------------

_CUSTOMER_FIELDS = (
    Param(
        "gateway",
        "string",
        required=True,
        description="public ip address id of the customer gateway",
    ),
    Param("cidrlist", "list", required=True, description="guest cidr list of the customer gateway"),
    Param(
        "ipsecpsk",
        "string",
        required=True,
        description="IPsec Preshared-Key of the customer gateway",
    ),
    Param("ikepolicy", "string", required=True, description="IKE policy of the customer gateway"),
    Param("esppolicy", "string", required=True, description="ESP policy of the customer gateway"),
    Param("name", "string", description="name of this customer gateway"),
    Param("ikelifetime", "long", description="Lifetime of phase 1 VPN connection (seconds)"),
    Param("esplifetime", "long", description="Lifetime of phase 2 VPN connection (seconds)"),
    Param("dpd", "boolean", description="If DPD is enabled for VPN connection"),
    Param("forceencap", "boolean", description="Force Encapsulation for NAT traversal"),
    Param(
        "ikeversion",
        "string",
        description="Which IKE Version to use, one of ike (autoselect), ikev1, or ikev2",
    ),
    Param("splitconnections", "boolean", description="split connection to multiple Phase 2 SAs"),
)


def _customer_fields(call: Call) -> Doc:
    gateway = call.need_text("gateway")
    cidrs = parse_cidrs(call, default="")
    version = call.text("ikeversion") or "ike"
    if version not in ("ike", "ikev1", "ikev2"):
        raise err.param_error(f"The IKE version {version} is not valid: ike, ikev1 or ikev2")
    return {
        "name": call.text("name") or gateway,
        "gateway": gateway,
        "cidrlist": ",".join(cidrs),
        "ipsecpsk": call.need_text("ipsecpsk"),
        "ikepolicy": call.need_text("ikepolicy"),
        "esppolicy": call.need_text("esppolicy"),
        "ikelifetime": call.number("ikelifetime", 86400),
        "esplifetime": call.number("esplifetime", 3600),
        "dpd": call.flag("dpd"),
        "forceencap": call.flag("forceencap"),
        "ikeversion": version,
        "splitconnections": call.flag("splitconnections"),
    }


def _unique_customer(call: Call, account: Doc, fields: Doc, own_id: str | None) -> None:
    _, gateways = call.state.store.find("vpncustomergateway", owners=[account["id"]])
    for other in gateways:
        if other["id"] == own_id:
            continue
        if other["name"] == fields["name"]:
            raise err.param_error(
                f"The customer gateway with name {fields['name']} already existed!"
            )
        if other["gateway"] == fields["gateway"]:
            raise err.param_error(
                f"The customer gateway with ip {fields['gateway']} already existed in the system!"
            )


create_customer = command(
    "createVpnCustomerGateway",
    is_async=True,
    params=(
        *_CUSTOMER_FIELDS,
        Param("account", "string", description="the account associated with the gateway"),
        Param("domainid", "uuid", description="the domain ID associated with the gateway"),
        Param("projectid", "uuid", entity="project", description="the project of the gateway"),
    ),
)


@create_customer
def _create_customer(call: Call) -> Pending:
    """Creates site to site vpn customer gateway."""
    account, project = owner_and_project(call)
    fields = _customer_fields(call)
    _unique_customer(call, account, fields, None)
    doc: Doc = {"id": new_id(), **fields, **owner_fields(account), **_project_fields(project)}
    call.state.store.put("vpncustomergateway", doc)
    return Pending("VpnCustomerGateway", doc["id"], payload={"id": doc["id"]})


@create_customer.finisher
def _customer_created(call: Call, payload: Doc) -> Doc:
    doc = _load(call, "vpncustomergateway", payload["id"])
    return {"vpncustomergateway": render(call.state, doc)}


@create_customer.failure
def _customer_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listVpnCustomerGateways",
    params=(
        Param("id", "uuid", exists="vpncustomergateway", description="id of the customer gateway"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="vpncustomergateway",
)
def list_customer_gateways(call: Call) -> Listing:
    """Lists site to site vpn customer gateways."""
    return owned_list(call, "vpncustomergateway")


_CUSTOMER_ID = Param(
    "id", "uuid", required=True, entity="vpncustomergateway", description="id of customer gateway"
)

update_customer = command(
    "updateVpnCustomerGateway", is_async=True, params=(_CUSTOMER_ID, *_CUSTOMER_FIELDS)
)


@update_customer
def _update_customer(call: Call) -> Pending:
    """Update site to site vpn customer gateway."""
    gateway = call.need_ref("id")
    _, connections = call.state.store.find(
        "vpnconnection",
        fields={"s2scustomergatewayid": gateway["id"]},
        where=[("json_extract(data, '$.state') != 'Error'", ())],
        limit=1,
    )
    if connections:
        raise err.param_error(
            f"Unable to update customer gateway {gateway['id']} because there is an active VPN "
            "connection using it"
        )
    account = call.state.account(gateway["_owner"])
    assert account is not None
    _unique_customer(call, account, _customer_fields(call), gateway["id"])
    return Pending("VpnCustomerGateway", gateway["id"], payload={"id": gateway["id"]})


@update_customer.finisher
def _customer_updated(call: Call, payload: Doc) -> Doc:
    doc = _load(call, "vpncustomergateway", payload["id"])
    doc.update(_customer_fields(call))
    call.state.store.save(doc)
    return {"vpncustomergateway": render(call.state, doc)}


delete_customer = command("deleteVpnCustomerGateway", is_async=True, params=(_CUSTOMER_ID,))


@delete_customer
def _delete_customer(call: Call) -> Pending:
    """Delete site to site vpn customer gateway."""
    gateway = call.need_ref("id")
    _, connections = call.state.store.find(
        "vpnconnection", fields={"s2scustomergatewayid": gateway["id"]}, limit=1
    )
    if connections:
        raise err.param_error(
            f"Unable to delete VPN customer gateway with id {gateway['id']} because there is "
            "still related VPN connections!"
        )
    return Pending("VpnCustomerGateway", gateway["id"], payload={"id": gateway["id"]})


@delete_customer.finisher
def _customer_deleted(call: Call, payload: Doc) -> Doc:
    drop_resource(call.state, _load(call, "vpncustomergateway", payload["id"])["id"])
    return async_success()


# connections ----------------------------------------------------------------------------------

create_connection = command(
    "createVpnConnection",
    is_async=True,
    params=(
        Param(
            "s2svpngatewayid",
            "uuid",
            required=True,
            entity="vpngateway",
            description="id of the vpn gateway",
        ),
        Param(
            "s2scustomergatewayid",
            "uuid",
            required=True,
            entity="vpncustomergateway",
            description="id of the customer gateway",
        ),
        Param("passive", "boolean", description="connection is passive or not"),
        Param("fordisplay", "boolean", description="display the connection to the end user"),
    ),
)


@create_connection
def _create_connection(call: Call) -> Pending:
    """Create site to site vpn connection."""
    gateway = call.need_ref("s2svpngatewayid")
    customer = call.need_ref("s2scustomergatewayid")
    if gateway["_owner"] != customer["_owner"]:
        raise err.param_error("VPN gateway and customer gateway belong to different accounts")
    _, existing = call.state.store.find(
        "vpnconnection",
        fields={"s2svpngatewayid": gateway["id"], "s2scustomergatewayid": customer["id"]},
        limit=1,
    )
    if existing:
        raise err.param_error(
            f"The vpn connection with customer gateway id {customer['id']} and vpn gateway id "
            f"{gateway['id']} already existed!"
        )
    account = call.state.account(gateway["_owner"])
    assert account is not None
    passive = call.flag("passive")
    doc: Doc = {
        "id": new_id(),
        "s2svpngatewayid": gateway["id"],
        "publicip": gateway["publicip"],
        "s2scustomergatewayid": customer["id"],
        **{
            k: customer[k]
            for k in (
                "gateway",
                "cidrlist",
                "ipsecpsk",
                "ikepolicy",
                "esppolicy",
                "ikelifetime",
                "esplifetime",
                "dpd",
                "forceencap",
                "ikeversion",
                "splitconnections",
            )
        },
        "passive": passive,
        "state": "Pending",
        "created": timestamp(call.now),
        "fordisplay": call.flag("fordisplay", True),
        **owner_fields(account),
        **_vpc_project(gateway),
    }
    call.state.store.put("vpnconnection", doc)
    return Pending("Site2SiteVpnConnection", doc["id"], returns_id=True, payload={"id": doc["id"]})


def _connection_result(call: Call, doc_id: str) -> Doc:
    doc = _load(call, "vpnconnection", doc_id)
    doc["state"] = "Pending" if doc.get("passive") else "Connected"
    call.state.store.save(doc)
    return {"vpnconnection": render(call.state, doc)}


@create_connection.finisher
def _connection_created(call: Call, payload: Doc) -> Doc:
    return _connection_result(call, payload["id"])


@create_connection.failure
def _connection_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listVpnConnections",
    params=(
        Param("id", "uuid", exists="vpnconnection", description="id of the vpn connection"),
        Param("vpcid", "uuid", exists="vpc", description="id of vpc"),
        Param("fordisplay", "boolean", description="list resources by display flag"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="vpnconnection",
)
def list_connections(call: Call) -> Listing:
    """Lists site to site vpn connection gateways."""
    where: list[tuple[str, tuple[object, ...]]] = []
    if call.has("vpcid"):
        _, gateways = call.state.store.find("vpngateway", fields={"vpcid": call.text("vpcid")})
        ids = tuple(g["id"] for g in gateways)
        marks = ",".join("?" * len(ids)) or "NULL"
        where.append((f"json_extract(data, '$.s2svpngatewayid') IN ({marks})", ids))
    return owned_list(call, "vpnconnection", fields=pick_fields(call, ("fordisplay",)), where=where)


_CONNECTION_ID = Param(
    "id", "uuid", required=True, entity="vpnconnection", description="id of vpn connection"
)

delete_connection = command("deleteVpnConnection", is_async=True, params=(_CONNECTION_ID,))


@delete_connection
def _delete_connection(call: Call) -> Pending:
    """Delete site to site vpn connection."""
    connection = call.need_ref("id")
    return Pending("Site2SiteVpnConnection", connection["id"], payload={"id": connection["id"]})


@delete_connection.finisher
def _connection_deleted(call: Call, payload: Doc) -> Doc:
    drop_resource(call.state, _load(call, "vpnconnection", payload["id"])["id"])
    return async_success()


reset_connection = command(
    "resetVpnConnection",
    is_async=True,
    params=(
        _CONNECTION_ID,
        Param("account", "string", description="an optional account for connection"),
        Param("domainid", "uuid", description="an optional domainId for connection"),
    ),
)


@reset_connection
def _reset_connection(call: Call) -> Pending:
    """Reset site to site vpn connection."""
    connection = call.need_ref("id")
    connection["state"] = "Disconnected"
    call.state.store.save(connection)
    return Pending("Site2SiteVpnConnection", connection["id"], payload={"id": connection["id"]})


@reset_connection.finisher
def _connection_reset(call: Call, payload: Doc) -> Doc:
    return _connection_result(call, payload["id"])


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create_gateway,
    list_gateways,
    delete_gateway,
    create_customer,
    list_customer_gateways,
    update_customer,
    delete_customer,
    create_connection,
    list_connections,
    delete_connection,
    reset_connection,
)
