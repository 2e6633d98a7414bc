"""Libcloud's Azure extras for networking and grouping: virtual networks and subnets, network
interfaces, public IPs, network security groups and resource groups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from omnicloud._collect import collect
from omnicloud.compute._models import NodeLocation
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError

from .azure_arm_base import AzureBase
from .azure_arm_models import (
    AzureIPAddress,
    AzureNetwork,
    AzureNetworkSecurityGroup,
    AzureNic,
    AzureResourceGroup,
    AzureSubnet,
    from_doc,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["AzureNetworking"]

_NET = "Microsoft.Network"
R = TypeVar("R")


class AzureNetworking(AzureBase):
    """Networks, interfaces, public IPs, security groups, resource groups."""

    def _list(
        self, kind: str, cls: type[R], resource_group: str | None, what: str
    ) -> Flow[list[R]]:
        path = self._scope(_NET, kind, resource_group)
        found: list[R] = yield from collect(
            self._pages(path, "network", what),
            lambda d: from_doc(cls, d, self),  # type: ignore[type-var]
        )
        return found

    # -- virtual networks ---------------------------------------------------------------------
    @operation
    def ex_list_networks(self, ex_resource_group: str | None = None) -> Flow[list[AzureNetwork]]:
        """Virtual networks of the subscription (or of the resource group)."""
        return (
            yield from self._list(
                "virtualNetworks", AzureNetwork, ex_resource_group, "list virtual networks"
            )
        )

    @operation
    def ex_list_subnets(self, network: AzureNetwork | str) -> Flow[list[AzureSubnet]]:
        """Subnets of a virtual network."""
        path = self._ref(network, _NET, "virtualNetworks", None)
        found: list[AzureSubnet] = yield from collect(
            self._pages(f"{path}/subnets", "network", "list subnets"),
            lambda d: from_doc(AzureSubnet, d, self),
        )
        return found

    @operation
    def ex_create_network(
        self,
        name: str,
        location: NodeLocation | str | None = None,
        ex_resource_group: str | None = None,
        address_prefixes: Sequence[str] = ("10.0.0.0/16",),
        subnets: Mapping[str, str] | None = None,
    ) -> Flow[AzureNetwork]:
        """Create a virtual network; ``subnets`` maps names to prefixes (default
        ``{"default": "10.0.0.0/24"}``)."""
        chosen = dict(subnets or {"default": "10.0.0.0/24"})
        body = {
            "location": self._location(location),
            "properties": {
                "addressSpace": {"addressPrefixes": list(address_prefixes)},
                "subnets": [
                    {"name": n, "properties": {"addressPrefix": p}} for n, p in chosen.items()
                ],
            },
        }
        path = self._path(_NET, "virtualNetworks", name, ex_resource_group)
        doc = yield from self._call("PUT", path, "network", f"create virtual network {name}", body)
        return from_doc(AzureNetwork, doc or {}, self)

    @operation
    def ex_delete_network(
        self, network: AzureNetwork | str, ex_resource_group: str | None = None
    ) -> Flow[bool]:
        """Delete a virtual network."""
        path = self._ref(network, _NET, "virtualNetworks", ex_resource_group)
        yield from self._call("DELETE", path, "network", "delete virtual network")
        return True

    # -- interfaces ---------------------------------------------------------------------------
    @operation
    def ex_list_nics(self, ex_resource_group: str | None = None) -> Flow[list[AzureNic]]:
        """Network interfaces of the subscription (or of the resource group)."""
        return (
            yield from self._list(
                "networkInterfaces", AzureNic, ex_resource_group, "list network interfaces"
            )
        )

    @operation
    def ex_create_network_interface(
        self,
        name: str,
        subnet: AzureSubnet | str,
        resource_group: str | None = None,
        location: NodeLocation | str | None = None,
        public_ip: AzureIPAddress | str | None = None,
    ) -> Flow[AzureNic]:
        """Create a network interface on ``subnet`` (an object or id), with ``public_ip``."""
        subnet_id = getattr(subnet, "id", subnet)
        if not isinstance(subnet_id, str) or "/subnets/" not in subnet_id:
            raise ValidationError(
                "ex_create_network_interface: subnet must be an AzureSubnet or id"
            )
        config: dict[str, Any] = {
            "subnet": {"id": subnet_id},
            "privateIPAllocationMethod": "Dynamic",
        }
        if public_ip is not None:
            ip_path = self._ref(public_ip, _NET, "publicIPAddresses", resource_group)
            config["publicIPAddress"] = {"id": ip_path}
        body = {
            "location": self._location(location),
            "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": config}]},
        }
        path = self._path(_NET, "networkInterfaces", name, resource_group)
        doc = yield from self._call(
            "PUT", path, "network", f"create network interface {name}", body
        )
        return from_doc(AzureNic, doc or {}, self)

    @operation
    def ex_get_nic(self, nic_id: str) -> Flow[AzureNic]:
        """One network interface by resource id."""
        path = self._ref(nic_id, _NET, "networkInterfaces", None)
        doc = yield from self._get(path, "network", "get network interface")
        return from_doc(AzureNic, doc or {}, self)

    @operation
    def ex_destroy_nic(self, nic: AzureNic | str) -> Flow[bool]:
        """Delete a network interface (not attached to a VM)."""
        path = self._ref(nic, _NET, "networkInterfaces", None)
        yield from self._call("DELETE", path, "network", "delete network interface")
        return True

    # -- public IPs ---------------------------------------------------------------------------
    @operation
    def ex_create_public_ip(
        self,
        name: str,
        resource_group: str | None = None,
        location: NodeLocation | str | None = None,
        ex_allocation: str = "Static",
        ex_sku: str = "Standard",
    ) -> Flow[AzureIPAddress]:
        """Create a public IP address (Standard SKU, static, by default)."""
        body = {
            "location": self._location(location),
            "sku": {"name": ex_sku},
            "properties": {
                "publicIPAllocationMethod": ex_allocation,
                "publicIPAddressVersion": "IPv4",
            },
        }
        path = self._path(_NET, "publicIPAddresses", name, resource_group)
        doc = yield from self._call("PUT", path, "network", f"create public IP {name}", body)
        return from_doc(AzureIPAddress, doc or {}, self)

    @operation
    def ex_list_public_ips(self, resource_group: str | None = None) -> Flow[list[AzureIPAddress]]:
        """Public IP addresses of the subscription (or of the resource group)."""
        return (
            yield from self._list(
                "publicIPAddresses", AzureIPAddress, resource_group, "list public IP addresses"
            )
        )

    @operation
    def ex_delete_public_ip(
        self, public_ip: AzureIPAddress | str, resource_group: str | None = None
    ) -> Flow[bool]:
        """Delete a public IP address (not associated with an interface)."""
        path = self._ref(public_ip, _NET, "publicIPAddresses", resource_group)
        yield from self._call("DELETE", path, "network", "delete public IP")
        return True

    # -- network security groups --------------------------------------------------------------
    @operation
    def ex_create_network_security_group(
        self,
        name: str,
        resource_group: str | None = None,
        location: NodeLocation | str | None = None,
        ex_rules: Sequence[Mapping[str, Any]] | None = None,
    ) -> Flow[AzureNetworkSecurityGroup]:
        """Create a network security group; ``ex_rules`` are ARM ``securityRules`` entries
        (``{"name": ..., "properties": {...}}``)."""
        body = {
            "location": self._location(location),
            "properties": {"securityRules": [dict(r) for r in ex_rules or []]},
        }
        path = self._path(_NET, "networkSecurityGroups", name, resource_group)
        doc = yield from self._call(
            "PUT", path, "network", f"create network security group {name}", body
        )
        return from_doc(AzureNetworkSecurityGroup, doc or {}, self)

    @operation
    def ex_list_network_security_groups(
        self, resource_group: str | None = None
    ) -> Flow[list[AzureNetworkSecurityGroup]]:
        """Network security groups of the subscription (or of the resource group)."""
        return (
            yield from self._list(
                "networkSecurityGroups",
                AzureNetworkSecurityGroup,
                resource_group,
                "list network security groups",
            )
        )

    @operation
    def ex_delete_network_security_group(
        self, name: AzureNetworkSecurityGroup | str, resource_group: str | None = None
    ) -> Flow[bool]:
        """Delete a network security group (by object, id or name in the resource group)."""
        path = self._ref(name, _NET, "networkSecurityGroups", resource_group)
        yield from self._call("DELETE", path, "network", "delete network security group")
        return True

    # -- resource groups ----------------------------------------------------------------------
    @operation
    def ex_list_resource_groups(self) -> Flow[list[AzureResourceGroup]]:
        """Resource groups of the subscription."""
        found: list[AzureResourceGroup] = yield from collect(
            self._pages(self.client.sub("/resourcegroups"), "resources", "list resource groups"),
            lambda d: from_doc(AzureResourceGroup, d, self),
        )
        return found

    @operation
    def ex_create_resource_group(
        self,
        name: str,
        location: NodeLocation | str | None = None,
        ex_tags: Mapping[str, str] | None = None,
    ) -> Flow[AzureResourceGroup]:
        """Create (or update) a resource group."""
        body = {"location": self._location(location), "tags": dict(ex_tags or {})}
        path = self.client.sub(f"/resourcegroups/{name}")
        doc = yield from self._call("PUT", path, "resources", f"create resource group {name}", body)
        return from_doc(AzureResourceGroup, doc or {}, self)

    @operation
    def ex_delete_resource_group(self, group: AzureResourceGroup | str) -> Flow[bool]:
        """Delete a resource group and everything in it (waits until Azure is done)."""
        name = getattr(group, "name", group)
        if not isinstance(name, str) or not name or "/" in name:
            raise ValidationError("ex_delete_resource_group: give a resource group or its name")
        path = self.client.sub(f"/resourcegroups/{name}")
        yield from self._call("DELETE", path, "resources", f"delete resource group {name}")
        return True
