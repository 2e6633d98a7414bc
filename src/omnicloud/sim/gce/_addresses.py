"""Static addresses: regional (external, or internal in a subnetwork) and global."""

from __future__ import annotations

import ipaddress

from ._catalog import REGIONS
from ._errors import already_exists, invalid, not_found
from ._labels import check_labels
from ._labels_api import set_labels
from ._listing import aggregated, listing
from ._networks import exhausted, in_use
from ._ops import begin_operation
from ._request import Reply, Req, Route, check_name, in_global, in_region, ref_path, render
from ._state import LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = ["ROUTES"]


def _taken(req: Req, address: str) -> bool:
    return any(doc.get("address") == address for doc in req.state.store.all("address"))


def _internal(req: Req, region: str, body: dict[str, object]) -> tuple[str, Doc]:
    parts = ref_path(body.get("subnetwork"), req.state.project, "resource.subnetwork")
    subnet = None
    if len(parts) == 6 and parts[2] == "regions" and parts[3] == region:
        subnet = req.state.store.get("subnetwork", f"regions/{region}", parts[5])
    if subnet is None:
        raise invalid(
            f"Invalid value for field 'resource.subnetwork': '{body.get('subnetwork')}'. "
            "The referenced subnetwork resource cannot be found."
        )
    ip = req.state.internal_ip(subnet["ipCidrRange"], subnet["selfLink"])
    if ip is None:
        raise exhausted(subnet)
    return ip, subnet


def _insert(req: Req, scope: str) -> Reply:
    body = req.json()
    name = check_name(body.get("name"))
    path = f"projects/{req.state.project}/{scope}/addresses/{name}"
    if req.state.store.get("address", scope, name) is not None:
        raise already_exists(path)
    kind = body.get("addressType") or "EXTERNAL"
    if kind not in ("EXTERNAL", "INTERNAL"):
        raise invalid(f"Invalid value for field 'resource.addressType': '{kind}'.")
    labels = check_labels(body.get("labels"), "resource.labels")
    doc: Doc = {
        "kind": "compute#address",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "status": "RESERVED",
        "addressType": kind,
        "selfLink": LINK + path,
        "labels": labels,
        "labelFingerprint": fingerprint(labels),
    }
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    requested = body.get("address")
    if scope == "global":
        doc["ipVersion"] = body.get("ipVersion") or "IPV4"
        if kind == "INTERNAL":
            raise invalid("Invalid value for field 'resource.addressType': 'INTERNAL'.")
    else:
        doc["region"] = f"{LINK}projects/{req.state.project}/{scope}"
        doc["networkTier"] = body.get("networkTier") or "PREMIUM"
    if kind == "INTERNAL":
        ip, subnet = _internal(req, scope.split("/", 1)[1], body)
        doc["subnetwork"] = subnet["selfLink"]
        doc["purpose"] = "GCE_ENDPOINT"
        doc.pop("networkTier", None)
    else:
        ip = req.state.external_ip()
    if requested is not None:
        try:
            ipaddress.IPv4Address(str(requested))
        except ValueError:
            raise invalid(f"Invalid value for field 'resource.address': '{requested}'.") from None
        ip = str(requested)
    if _taken(req, ip):
        raise invalid(
            f"Invalid value for field 'resource.address': '{ip}'. The specified IP address is "
            "already reserved."
        )
    doc["address"] = ip
    req.state.store.put("address", scope, doc)
    return begin_operation(req, scope, "insert", path, doc["id"])


def _load(req: Req, scope: str) -> Doc:
    name = req.args[-1]
    doc = req.state.store.get("address", scope, name)
    if doc is None:
        raise not_found(f"projects/{req.args[0]}/{scope}/addresses/{name}")
    return doc


def _get(req: Req, scope: str) -> Reply:
    return Reply(render(_load(req, scope), req.base))


def _list(req: Req, scope: str) -> Reply:
    path = f"projects/{req.state.project}/{scope}/addresses"
    return listing(req, "compute#addressList", path, req.state.store.all("address", scope))


def _delete(req: Req, scope: str) -> Reply:
    doc = _load(req, scope)
    path = f"projects/{req.state.project}/{scope}/addresses/{doc['name']}"
    if doc.get("users"):
        raise in_use("address", path, doc["users"][0])
    req.state.store.delete("address", scope, doc["name"])
    return begin_operation(req, scope, "delete", path, doc["id"])


def _set_labels(req: Req, scope: str) -> Reply:
    doc = _load(req, scope)
    path = f"projects/{req.state.project}/{scope}/addresses/{doc['name']}"
    return set_labels(req, "address", scope, doc, path)


def _aggregated(req: Req) -> Reply:
    project = req.own_project()
    scopes = [f"regions/{region}" for region in sorted(REGIONS)]
    docs = (
        (f"regions/{doc['region'].rsplit('/', 1)[-1]}", doc)
        for doc in req.state.store.all("address")
        if "region" in doc
    )
    path = f"projects/{project}/aggregated/addresses"
    return aggregated(req, "compute#addressAggregatedList", path, "addresses", scopes, docs)


ROUTES: list[Route] = [
    ("GET", "projects/*/regions/*/addresses", in_region(_list)),
    ("POST", "projects/*/regions/*/addresses", in_region(_insert)),
    ("GET", "projects/*/regions/*/addresses/*", in_region(_get)),
    ("DELETE", "projects/*/regions/*/addresses/*", in_region(_delete)),
    ("POST", "projects/*/regions/*/addresses/*/setLabels", in_region(_set_labels)),
    ("GET", "projects/*/aggregated/addresses", _aggregated),
    ("GET", "projects/*/global/addresses", in_global(_list)),
    ("POST", "projects/*/global/addresses", in_global(_insert)),
    ("GET", "projects/*/global/addresses/*", in_global(_get)),
    ("DELETE", "projects/*/global/addresses/*", in_global(_delete)),
    ("POST", "projects/*/global/addresses/*/setLabels", in_global(_set_labels)),
]
