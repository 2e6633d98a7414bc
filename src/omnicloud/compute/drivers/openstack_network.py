"""Neutron: networks, subnets, ports, security groups and rules, floating IPs (allocated from
an external network, associated with a server's port)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud._wire import bind
from omnicloud.compute._models import Node
from omnicloud.compute._shell import operation
from omnicloud.errors import ValidationError
from omnicloud.openstack._errors import OpenStackNotFoundError

from .openstack_base import OpenStackBase, ident
from .openstack_models import (
    OpenStackFloatingIp,
    OpenStackNetwork,
    OpenStackPort,
    OpenStackSecurityGroup,
    OpenStackSecurityGroupRule,
    OpenStackSubnet,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["OpenStackNetworking"]


class OpenStackNetworking(OpenStackBase):
    """Neutron operations."""

    def _project(self) -> Flow[str | None]:
        token = yield from self.session.current_token()
        return token.project_id

    def _mine(self, query: Mapping[str, Any] | None) -> Flow[dict[str, Any]]:
        """``query`` limited to the token's project (an admin token sees every project's)."""
        found = dict(query or {})
        project = yield from self._project()
        if project and "project_id" not in found:
            found["project_id"] = project
        return found

    # -- networks -----------------------------------------------------------------------------
    @operation
    def ex_list_networks(
        self, ex_filters: Mapping[str, Any] | None = None
    ) -> Flow[list[OpenStackNetwork]]:
        """Networks visible to the project (Neutron's filters in ``ex_filters``)."""
        found: list[OpenStackNetwork] = yield from self._all(
            "network", "/networks", "networks", bind(OpenStackNetwork, driver=self), ex_filters
        )
        return found

    @operation
    def ex_get_network(self, network_id: str) -> Flow[OpenStackNetwork]:
        """One network by id."""
        doc = yield from self._get("network", f"/networks/{ident(network_id)}")
        return bind(OpenStackNetwork, driver=self)(doc["network"])

    @operation
    def ex_create_network(
        self,
        name: str,
        cidr: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> Flow[OpenStackNetwork]:
        """Create a network (with a subnet of ``cidr`` when given, as Libcloud's);
        ``attributes``: more of Neutron's fields (``shared``, ``mtu``...)."""
        body = {"name": name, "admin_state_up": True, **dict(attributes or {})}
        doc = yield from self._json("network", "POST", "/networks", {"network": body})
        network: OpenStackNetwork = bind(OpenStackNetwork, driver=self)(doc["network"])
        if cidr:
            subnet = yield from type(self).ex_create_subnet(self, f"{name}-subnet", network, cidr)
            network.subnets.append(subnet.id)
            network.cidr = cidr
        return network

    @operation
    def ex_delete_network(self, network: OpenStackNetwork) -> Flow[bool]:
        """Delete a network (its subnets go with it)."""
        yield from self._send("network", "DELETE", f"/networks/{ident(network)}")
        return True

    @operation
    def ex_list_subnets(
        self, ex_filters: Mapping[str, Any] | None = None
    ) -> Flow[list[OpenStackSubnet]]:
        """Subnets visible to the project."""
        found: list[OpenStackSubnet] = yield from self._all(
            "network", "/subnets", "subnets", bind(OpenStackSubnet, driver=self), ex_filters
        )
        return found

    @operation
    def ex_create_subnet(
        self,
        name: str,
        network: OpenStackNetwork | str,
        cidr: str,
        ip_version: int = 4,
        gateway_ip: str | None = None,
        dns_nameservers: Sequence[str] | None = None,
        enable_dhcp: bool = True,
    ) -> Flow[OpenStackSubnet]:
        """Create a subnet of ``cidr`` on ``network``."""
        body: dict[str, Any] = {
            "name": name,
            "network_id": ident(network),
            "cidr": cidr,
            "ip_version": ip_version,
            "enable_dhcp": enable_dhcp,
        }
        if gateway_ip:
            body["gateway_ip"] = gateway_ip
        if dns_nameservers:
            body["dns_nameservers"] = list(dns_nameservers)
        doc = yield from self._json("network", "POST", "/subnets", {"subnet": body})
        return bind(OpenStackSubnet, driver=self)(doc["subnet"])

    @operation
    def ex_delete_subnet(self, subnet: OpenStackSubnet) -> Flow[bool]:
        """Delete a subnet."""
        yield from self._send("network", "DELETE", f"/subnets/{ident(subnet)}")
        return True

    # -- ports --------------------------------------------------------------------------------
    @operation
    def ex_list_ports(
        self, ex_filters: Mapping[str, Any] | None = None
    ) -> Flow[list[OpenStackPort]]:
        """Ports (``ex_filters={"device_id": node.id}``: one server's)."""
        found: list[OpenStackPort] = yield from self._all(
            "network", "/ports", "ports", bind(OpenStackPort, driver=self), ex_filters
        )
        return found

    @operation
    def ex_create_port(
        self,
        network: OpenStackNetwork | str,
        name: str = "",
        fixed_ips: Sequence[Mapping[str, str]] | None = None,
        security_groups: Sequence[Any] | None = None,
    ) -> Flow[OpenStackPort]:
        """Create a port on ``network`` (pass it in ``create_node(ex_networks=[port])``)."""
        body: dict[str, Any] = {"network_id": ident(network), "name": name}
        if fixed_ips:
            body["fixed_ips"] = [dict(f) for f in fixed_ips]
        if security_groups is not None:
            body["security_groups"] = [ident(g) for g in security_groups]
        doc = yield from self._json("network", "POST", "/ports", {"port": body})
        return bind(OpenStackPort, driver=self)(doc["port"])

    @operation
    def ex_delete_port(self, port: OpenStackPort) -> Flow[bool]:
        """Delete a port."""
        yield from self._send("network", "DELETE", f"/ports/{ident(port)}")
        return True

    # -- security groups ----------------------------------------------------------------------
    @operation
    def ex_list_security_groups(self) -> Flow[list[OpenStackSecurityGroup]]:
        """The project's security groups."""
        query = yield from self._mine(None)
        found: list[OpenStackSecurityGroup] = yield from self._all(
            "network",
            "/security-groups",
            "security_groups",
            bind(OpenStackSecurityGroup, driver=self),
            query,
        )
        return found

    @operation
    def ex_get_security_group(self, group_id: str) -> Flow[OpenStackSecurityGroup]:
        """One security group by id."""
        doc = yield from self._get("network", f"/security-groups/{ident(group_id)}")
        return bind(OpenStackSecurityGroup, driver=self)(doc["security_group"])

    @operation
    def ex_create_security_group(
        self, name: str, description: str = ""
    ) -> Flow[OpenStackSecurityGroup]:
        """Create a security group (Neutron adds its egress rules)."""
        body = {"security_group": {"name": name, "description": description}}
        doc = yield from self._json("network", "POST", "/security-groups", body)
        return bind(OpenStackSecurityGroup, driver=self)(doc["security_group"])

    @operation
    def ex_delete_security_group(self, security_group: OpenStackSecurityGroup) -> Flow[bool]:
        """Delete a security group (409 while a port uses it)."""
        yield from self._send("network", "DELETE", f"/security-groups/{ident(security_group)}")
        return True

    @operation
    def ex_create_security_group_rule(
        self,
        security_group: OpenStackSecurityGroup | str,
        ip_protocol: str | None,
        from_port: int | None = None,
        to_port: int | None = None,
        cidr: str | None = None,
        source_security_group: OpenStackSecurityGroup | None = None,
        direction: str = "ingress",
        ethertype: str = "IPv4",
    ) -> Flow[OpenStackSecurityGroupRule]:
        """Add a rule (``ip_protocol`` ``tcp``, ``udp``, ``icmp`` or None for any)."""
        body: dict[str, Any] = {
            "security_group_id": ident(security_group),
            "direction": direction,
            "ethertype": ethertype,
            "protocol": ip_protocol,
            "port_range_min": from_port,
            "port_range_max": to_port if to_port is not None else from_port,
            "remote_ip_prefix": cidr,
        }
        if source_security_group is not None:
            body["remote_group_id"] = ident(source_security_group)
        body = {k: v for k, v in body.items() if v is not None}
        doc = yield from self._json(
            "network", "POST", "/security-group-rules", {"security_group_rule": body}
        )
        return bind(OpenStackSecurityGroupRule, driver=self)(doc["security_group_rule"])

    @operation
    def ex_delete_security_group_rule(self, rule: OpenStackSecurityGroupRule) -> Flow[bool]:
        """Delete a rule."""
        yield from self._send("network", "DELETE", f"/security-group-rules/{ident(rule)}")
        return True

    # -- floating IPs -------------------------------------------------------------------------
    @operation
    def ex_list_floating_ip_pools(self) -> Flow[list[OpenStackNetwork]]:
        """External networks floating IPs come from."""
        found: list[OpenStackNetwork] = yield from type(self).ex_list_networks(
            self, {"router:external": "true"}
        )
        return [n for n in found if n.external]

    @operation
    def ex_list_floating_ips(self) -> Flow[list[OpenStackFloatingIp]]:
        """The project's floating IPs."""
        query = yield from self._mine(None)
        found: list[OpenStackFloatingIp] = yield from self._all(
            "network", "/floatingips", "floatingips", bind(OpenStackFloatingIp, driver=self), query
        )
        return found

    @operation
    def ex_get_floating_ip(self, ip: str) -> Flow[OpenStackFloatingIp]:
        """The floating IP with this address (or id)."""
        for found in (yield from type(self).ex_list_floating_ips(self)):
            if ip in (found.ip_address, found.id):
                return found
        raise OpenStackNotFoundError(
            f"neutron: no floating IP {ip!r}", status=404, provider="openstack"
        )

    @operation
    def ex_allocate_floating_ip(
        self, pool: OpenStackNetwork | str | None = None
    ) -> Flow[OpenStackFloatingIp]:
        """Allocate a floating IP from ``pool`` (an external network, its id or name; default:
        the first external network)."""
        pools = yield from type(self).ex_list_floating_ip_pools(self)
        wanted = getattr(pool, "id", pool)
        chosen = next((p for p in pools if wanted in (None, p.id, p.name)), None)
        if chosen is None:
            raise OpenStackNotFoundError(
                f"neutron: no external network {wanted!r} to allocate a floating IP from",
                status=404,
                provider="openstack",
            )
        doc = yield from self._json(
            "network", "POST", "/floatingips", {"floatingip": {"floating_network_id": chosen.id}}
        )
        return bind(OpenStackFloatingIp, driver=self)(doc["floatingip"])

    def _fip(self, ip: OpenStackFloatingIp | str) -> Flow[OpenStackFloatingIp]:
        if isinstance(ip, OpenStackFloatingIp):
            return ip
        found: OpenStackFloatingIp = yield from type(self).ex_get_floating_ip(self, ip)
        return found

    @operation
    def ex_attach_floating_ip_to_node(
        self, node: Node, ip: OpenStackFloatingIp | str, fixed_ip: str | None = None
    ) -> Flow[bool]:
        """Associate a floating IP (object, address or id) with the server's first port (the
        port holding ``fixed_ip`` when given)."""
        fip = yield from self._fip(ip)
        ports = yield from type(self).ex_list_ports(self, {"device_id": ident(node)})
        if fixed_ip:
            ports = [p for p in ports if any(f["ip_address"] == fixed_ip for f in p.fixed_ips)]
        if not ports:
            raise ValidationError(f"server {ident(node)} has no port to attach a floating IP to")
        body: dict[str, Any] = {"port_id": ports[0].id}
        if fixed_ip:
            body["fixed_ip_address"] = fixed_ip
        yield from self._json("network", "PUT", f"/floatingips/{fip.id}", {"floatingip": body})
        return True

    @operation
    def ex_detach_floating_ip_from_node(
        self, node: Node | None, ip: OpenStackFloatingIp | str
    ) -> Flow[bool]:
        """Disassociate a floating IP from its server."""
        fip = yield from self._fip(ip)
        yield from self._json(
            "network", "PUT", f"/floatingips/{fip.id}", {"floatingip": {"port_id": None}}
        )
        return True

    @operation
    def ex_release_floating_ip(self, ip: OpenStackFloatingIp | str) -> Flow[bool]:
        """Give a floating IP back."""
        fip = yield from self._fip(ip)
        yield from self._send("network", "DELETE", f"/floatingips/{fip.id}")
        return True

    #: Libcloud's names.
    ex_create_floating_ip = ex_allocate_floating_ip
    ex_delete_floating_ip = ex_release_floating_ip
