"""Neutron's documents as the other services make them too: networks, subnets, ports (with
fixed IPs from the subnet's pools), security groups and their rules, floating IPs."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Any

from ._errors import neutron
from ._state import Cloud, iso
from ._store import Doc

__all__ = [
    "allocate_ip",
    "base",
    "default_security_group",
    "network_doc",
    "new_port",
    "rule_doc",
    "security_group_doc",
    "subnet_doc",
]


def base(state: Cloud, project_id: str, name: str = "", ident: str | None = None) -> Doc:
    """The fields every Neutron resource has."""
    now = iso(state.now())
    return {
        "id": ident or state.new_id(),
        "name": name,
        "tenant_id": project_id,
        "project_id": project_id,
        "description": "",
        "tags": [],
        "created_at": now,
        "updated_at": now,
        "revision_number": 0,
    }


def network_doc(
    state: Cloud,
    project_id: str,
    name: str,
    *,
    external: bool = False,
    shared: bool = False,
    segment: int = 1,
) -> Doc:
    """A network (``router:external`` for the public one)."""
    doc = base(state, project_id, name)
    doc.update(
        {
            "admin_state_up": True,
            "status": "ACTIVE",
            "subnets": [],
            "shared": shared,
            "mtu": 1500 if external else 1450,
            "availability_zone_hints": [],
            "availability_zones": ["nova"],
            "ipv4_address_scope": None,
            "ipv6_address_scope": None,
            "router:external": external,
            "is_default": external,
            "port_security_enabled": True,
            "qos_policy_id": None,
            "dns_domain": "",
            "l2_adjacency": True,
            "provider:network_type": "flat" if external else "vxlan",
            "provider:physical_network": "public" if external else None,
            "provider:segmentation_id": None if external else segment,
        }
    )
    return doc


def subnet_doc(
    state: Cloud,
    project_id: str,
    network: Doc,
    name: str,
    cidr: str,
    *,
    gateway_ip: str | None = "",
    pools: list[dict[str, str]] | None = None,
    enable_dhcp: bool = True,
    dns_nameservers: list[str] | None = None,
) -> Doc:
    """A subnet of ``network`` (gateway: the first address unless given, None for none)."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        raise neutron(
            400,
            "InvalidInput",
            f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.",
        ) from None
    hosts = list(net.hosts()) if net.num_addresses <= 65536 else [net[1], net[-2]]
    gateway = str(hosts[0]) if gateway_ip == "" else gateway_ip
    if pools is None:
        usable = [str(h) for h in hosts if str(h) != gateway]
        pools = [{"start": usable[0], "end": usable[-1]}] if usable else []
    doc = base(state, project_id, name)
    doc.update(
        {
            "network_id": network["id"],
            "ip_version": net.version,
            "cidr": str(net),
            "gateway_ip": gateway,
            "allocation_pools": pools,
            "host_routes": [],
            "dns_nameservers": list(dns_nameservers or []),
            "dns_publish_fixed_ip": False,
            "enable_dhcp": enable_dhcp,
            "ipv6_ra_mode": None,
            "ipv6_address_mode": None,
            "subnetpool_id": None,
            "service_types": [],
            "segment_id": None,
        }
    )
    return doc


def _used_ips(state: Cloud, subnet_id: str) -> set[str]:
    used = set()
    for port in state.all("ports"):
        for fixed in port["fixed_ips"]:
            if fixed["subnet_id"] == subnet_id:
                used.add(fixed["ip_address"])
    for fip in state.all("floatingips"):
        if fip.get("_subnet_id") == subnet_id:
            used.add(fip["floating_ip_address"])
    return used


def allocate_ip(state: Cloud, subnet: Doc) -> str:
    """The first free address of ``subnet``'s pools, or Neutron's 409 IpAddressGenerationFailure."""
    used = _used_ips(state, subnet["id"])
    for pool in subnet["allocation_pools"]:
        start = int(ipaddress.ip_address(pool["start"]))
        end = int(ipaddress.ip_address(pool["end"]))
        for number in range(start, end + 1):
            address = str(ipaddress.ip_address(number))
            if address not in used:
                return address
    raise neutron(
        409,
        "IpAddressGenerationFailure",
        f"No more IP addresses available on network {subnet['network_id']}.",
    )


def ip_in_use(state: Cloud, subnet: Doc, address: str) -> bool:
    """Whether ``address`` of ``subnet`` is taken."""
    return address in _used_ips(state, subnet["id"])


def mac_address() -> str:
    """A MAC address in OpenStack's fa:16:3e range."""
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(3))


def new_port(
    state: Cloud,
    project_id: str,
    network: Doc,
    *,
    name: str = "",
    device_id: str = "",
    device_owner: str = "",
    security_groups: list[str] | None = None,
    fixed_ips: list[dict[str, Any]] | None = None,
) -> Doc:
    """A port on ``network`` with an address on each subnet asked for (or its first subnet)."""
    subnets = {s["id"]: s for s in state.all("subnets") if s["network_id"] == network["id"]}
    chosen: list[dict[str, str]] = []
    for wanted in fixed_ips if fixed_ips is not None else [{}]:
        subnet_id = wanted.get("subnet_id")
        address = wanted.get("ip_address")
        if subnet_id is None and address is not None:
            subnet_id = next(
                (
                    s["id"]
                    for s in subnets.values()
                    if ipaddress.ip_address(address) in ipaddress.ip_network(s["cidr"])
                ),
                None,
            )
        if subnet_id is None:
            subnet_id = next(iter(subnets), None)
            if subnet_id is None:
                continue
        subnet = subnets.get(subnet_id)
        if subnet is None:
            raise neutron(
                400,
                "InvalidInput",
                f"Invalid input for operation: Failed to create port on network "
                f"{network['id']}, because fixed_ips included invalid subnet {subnet_id}.",
            )
        if address is None:
            address = allocate_ip(state, subnet)
        elif ip_in_use(state, subnet, address):
            raise neutron(
                409,
                "IpAddressAlreadyAllocated",
                f"IP address {address} already allocated in subnet {subnet_id}",
            )
        chosen.append({"subnet_id": subnet_id, "ip_address": address})
    doc = base(state, project_id, name)
    doc.update(
        {
            "network_id": network["id"],
            "mac_address": mac_address(),
            "admin_state_up": True,
            "status": "ACTIVE" if device_id else "DOWN",
            "device_id": device_id,
            "device_owner": device_owner,
            "fixed_ips": chosen,
            "allowed_address_pairs": [],
            "extra_dhcp_opts": [],
            "security_groups": list(security_groups or []),
            "port_security_enabled": True,
            "binding:vnic_type": "normal",
            "dns_name": "",
            "dns_assignment": [],
            "qos_policy_id": None,
            "ip_allocation": "immediate",
            "propagate_uplink_status": False,
        }
    )
    state.save("ports", doc)
    return doc


def rule_doc(
    state: Cloud,
    project_id: str,
    group_id: str,
    *,
    direction: str,
    ethertype: str = "IPv4",
    protocol: str | None = None,
    port_range_min: int | None = None,
    port_range_max: int | None = None,
    remote_ip_prefix: str | None = None,
    remote_group_id: str | None = None,
    description: str = "",
) -> Doc:
    """A security group rule."""
    doc = base(state, project_id)
    del doc["name"], doc["tags"]
    doc.update(
        {
            "security_group_id": group_id,
            "direction": direction,
            "ethertype": ethertype,
            "protocol": protocol,
            "port_range_min": port_range_min,
            "port_range_max": port_range_max,
            "remote_ip_prefix": remote_ip_prefix,
            "remote_group_id": remote_group_id,
            "remote_address_group_id": None,
            "normalized_cidr": remote_ip_prefix,
            "description": description,
            "belongs_to_default_sg": False,
        }
    )
    return doc


def security_group_doc(state: Cloud, project_id: str, name: str, description: str = "") -> Doc:
    """A security group with Neutron's two egress rules (stored, rules included)."""
    doc = base(state, project_id, name)
    doc.update({"description": description, "stateful": True, "shared": False})
    rules = [
        rule_doc(state, project_id, doc["id"], direction="egress", ethertype=ethertype)
        for ethertype in ("IPv4", "IPv6")
    ]
    for rule in rules:
        state.save("security_group_rules", rule)
    state.save("security_groups", doc)
    return doc


def default_security_group(state: Cloud, project_id: str) -> Doc:
    """The project's ``default`` group, made on first use as Neutron does (ingress from its own
    members, egress anywhere)."""
    for group in state.all("security_groups"):
        if group["project_id"] == project_id and group["name"] == "default":
            return group
    group = security_group_doc(state, project_id, "default", "Default security group")
    for ethertype in ("IPv4", "IPv6"):
        rule = rule_doc(
            state,
            project_id,
            group["id"],
            direction="ingress",
            ethertype=ethertype,
            remote_group_id=group["id"],
        )
        rule["belongs_to_default_sg"] = True
        state.save("security_group_rules", rule)
    return group
