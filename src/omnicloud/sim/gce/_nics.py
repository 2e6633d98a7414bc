"""Network interfaces of new instances: network/subnetwork, internal and external addresses."""

from __future__ import annotations

from typing import Any

from ._errors import invalid
from ._networks import exhausted
from ._request import Req, ref_path
from ._store import Doc

__all__ = ["build_nics", "nat_ip"]


def _network(req: Req, value: Any, field: str) -> Doc:
    parts = ref_path(value, req.state.project, field)
    problem = invalid(
        f"Invalid value for field '{field}': '{value}'. The referenced network resource "
        "cannot be found."
    )
    if len(parts) != 5 or parts[2:4] != ["global", "networks"] or parts[1] != req.state.project:
        raise problem
    doc = req.state.store.get("network", "global", parts[4])
    if doc is None:
        raise problem
    return doc


def _subnetwork(req: Req, value: Any, region: str, field: str) -> Doc:
    parts = ref_path(value, req.state.project, field)
    problem = invalid(
        f"Invalid value for field '{field}': '{value}'. The referenced subnetwork resource "
        "cannot be found."
    )
    if len(parts) != 6 or parts[2] != "regions" or parts[4] != "subnetworks":
        raise problem
    if parts[3] != region:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. Subnetwork must be in the region "
            f"of the instance ('{region}')."
        )
    doc = req.state.store.get("subnetwork", f"regions/{region}", parts[5])
    if doc is None:
        raise problem
    return doc


def nat_ip(req: Req, region: str, value: Any, field: str) -> tuple[str, Doc | None]:
    """(address, the reserved address document it is, if any) for an accessConfig's ``natIP``
    (None: a fresh ephemeral address)."""
    if value is None:
        return req.state.external_ip(), None
    for doc in req.state.store.all("address", f"regions/{region}"):
        if doc.get("address") == value:
            if doc.get("status") == "IN_USE":
                raise invalid(
                    f"Invalid value for field '{field}': '{value}'. The specified external IP "
                    "address is already in use."
                )
            return str(value), doc
    raise invalid(
        f"Invalid value for field '{field}': '{value}'. Specified IP address is not reserved "
        "or is not available in the region of the instance."
    )


def build_nics(req: Req, region: str, value: Any) -> tuple[list[dict[str, Any]], list[Doc]]:
    """(``networkInterfaces`` of a new instance, reserved addresses it takes)."""
    if value is None:
        value = []
    if not isinstance(value, list):
        raise invalid("Invalid value for field 'resource.networkInterfaces'.")
    nics: list[dict[str, Any]] = []
    taken: list[Doc] = []
    for index, raw in enumerate(value):
        field = f"resource.networkInterfaces[{index}]"
        if not isinstance(raw, dict):
            raise invalid(f"Invalid value for field '{field}'.")
        network = None
        if raw.get("network") is not None:
            network = _network(req, raw["network"], f"{field}.network")
        if raw.get("subnetwork") is not None:
            subnet = _subnetwork(req, raw["subnetwork"], region, f"{field}.subnetwork")
            if network is not None and subnet["network"] != network["selfLink"]:
                raise invalid(
                    f"Invalid value for field '{field}.subnetwork'. The subnetwork does not "
                    "belong to the network."
                )
        else:
            if network is None:
                network = _network(req, "global/networks/default", f"{field}.network")
            candidates = [
                doc
                for doc in req.state.store.all("subnetwork", f"regions/{region}")
                if doc["network"] == network["selfLink"]
            ]
            if not candidates:
                raise invalid(
                    f"Invalid value for field '{field}': ''. Subnetwork should be specified "
                    "for custom subnetmode network"
                )
            subnet = candidates[0]
        internal = req.state.internal_ip(subnet["ipCidrRange"], subnet["selfLink"])
        if internal is None:
            raise exhausted(subnet)
        nic: dict[str, Any] = {
            "kind": "compute#networkInterface",
            "network": subnet["network"],
            "subnetwork": subnet["selfLink"],
            "networkIP": internal,
            "name": f"nic{index}",
            "fingerprint": req.state.new_id()[:11],
            "stackType": "IPV4_ONLY",
        }
        configs = []
        accesses = raw.get("accessConfigs") or []
        if not isinstance(accesses, list):
            raise invalid(f"Invalid value for field '{field}.accessConfigs'.")
        for position, access in enumerate(accesses):
            where = f"{field}.accessConfigs[{position}]"
            if not isinstance(access, dict):
                raise invalid(f"Invalid value for field '{where}'.")
            kind = access.get("type", "ONE_TO_ONE_NAT")
            if kind != "ONE_TO_ONE_NAT":
                raise invalid(f"Invalid value for field '{where}.type': '{kind}'.")
            ip, reserved = nat_ip(req, region, access.get("natIP"), f"{where}.natIP")
            if reserved is not None:
                taken.append(reserved)
            configs.append(
                {
                    "kind": "compute#accessConfig",
                    "type": "ONE_TO_ONE_NAT",
                    "name": access.get("name") or "External NAT",
                    "natIP": ip,
                    "networkTier": access.get("networkTier") or "PREMIUM",
                }
            )
        if configs:
            nic["accessConfigs"] = configs
        nics.append(nic)
    return nics, taken
