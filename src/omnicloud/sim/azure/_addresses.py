"""Address bookkeeping: subnets inside a virtual network, private addresses from a subnet's
prefix (Azure keeps the first four and the last one), public addresses from 198.18.0.0/15."""

from __future__ import annotations

import ipaddress
import re

from ._errors import bad_request
from ._state import AzureState
from ._store import Doc

__all__ = ["allocate_private", "allocate_public", "network", "release_private", "split_subnet"]

_SUBNET = re.compile(
    r"^(?P<vnet>/subscriptions/.+/virtualnetworks/[^/]+)/subnets/(?P<name>[^/]+)$", re.IGNORECASE
)
_PUBLIC_POOL = ipaddress.ip_network("198.18.0.0/15")


def network(prefix: object, owner: str) -> ipaddress.IPv4Network:
    """``prefix`` as an IPv4 network (400 ``InvalidAddressPrefixFormat`` when it is not one)."""
    try:
        if not isinstance(prefix, str):
            raise ValueError(prefix)
        return ipaddress.IPv4Network(prefix, strict=True)
    except ValueError:
        raise bad_request(
            "InvalidAddressPrefixFormat",
            f"Address prefix string {prefix} for resource {owner} has incorrect format.",
        ) from None


def split_subnet(subnet_id: str) -> tuple[str, str] | None:
    """(virtual network id, subnet name) of a subnet id, or None when it is not one."""
    match = _SUBNET.match(subnet_id)
    return None if match is None else (match["vnet"], match["name"])


def find_subnet(vnet: Doc, name: str) -> Doc | None:
    """The subnet ``name`` (any case) of a virtual network document, or None."""
    for subnet in vnet["properties"].get("subnets", []):
        if subnet["name"].lower() == name.lower():
            return dict(subnet)
    return None


def allocate_private(vnet: Doc, subnet: Doc, wanted: str | None) -> str:
    """A free address of ``subnet`` (``wanted`` if given and free), recorded in ``vnet``."""
    prefix = ipaddress.IPv4Network(subnet["properties"]["addressPrefix"])
    used: dict[str, list[int]] = vnet.setdefault("_ips", {})
    taken = used.setdefault(subnet["name"].lower(), [])
    if wanted is not None:
        try:
            address = ipaddress.IPv4Address(wanted)
        except ValueError:
            raise bad_request(
                "PrivateIPAddressInvalid", f"Private IP address {wanted} is not valid."
            ) from None
        hosts = list(prefix)
        if address not in prefix or address in hosts[:4] or address == hosts[-1]:
            raise bad_request(
                "PrivateIPAddressNotInSubnet",
                f"Private static IP address {wanted} does not belong to the range of subnet "
                f"prefix {prefix}.",
            )
        if int(address) in taken:
            raise bad_request(
                "PrivateIPAddressInUse",
                f"IP configuration is using the private IP address {wanted} which is already "
                "allocated to another resource.",
            )
        taken.append(int(address))
        return str(address)
    in_use = set(taken)
    value, last = int(prefix.network_address) + 4, int(prefix.broadcast_address) - 1
    while value in in_use:
        value += 1
    if value <= last:
        taken.append(value)
        return str(ipaddress.IPv4Address(value))
    raise bad_request(
        "SubnetIsFull",
        f"Subnet {subnet['name']} with address prefix {prefix} does not have enough capacity "
        "for 1 IP addresses.",
    )


def release_private(vnet: Doc, subnet_name: str, address: str) -> None:
    """Give ``address`` back to the subnet."""
    taken = vnet.get("_ips", {}).get(subnet_name.lower(), [])
    value = int(ipaddress.IPv4Address(address))
    if value in taken:
        taken.remove(value)


def allocate_public(state: AzureState) -> str:
    """The next public address (the pool wraps around)."""
    store = state.store
    counter = int(store.setting("public_ip_counter") or "0")
    store.set_setting("public_ip_counter", str(counter + 1))
    size = _PUBLIC_POOL.num_addresses - 2
    return str(_PUBLIC_POOL.network_address + 1 + counter % size)
