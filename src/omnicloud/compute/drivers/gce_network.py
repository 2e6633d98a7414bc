"""Static addresses, firewall rules and networks (``ex_*`` operations)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from omnicloud.compute._shell import operation

from .gce_base import GCEBase, check_name, name_of, segment
from .gce_convert import ADDRESS, FIREWALL, NETWORK
from .gce_models import GCEAddress, GCEFirewall, GCENetwork

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["GCENetworking"]


def _address_base(region: str) -> str:
    return "global/addresses" if region == "global" else f"regions/{segment(region)}/addresses"


class GCENetworking(GCEBase):
    """Addresses, firewalls, networks."""

    # -- addresses ----------------------------------------------------------------------------
    @operation
    def ex_create_address(
        self,
        name: str,
        region: Any = None,
        address: str | None = None,
        description: str | None = None,
        ex_network_tier: str | None = None,
    ) -> Flow[GCEAddress]:
        """Reserve a static external address in ``region`` (default: the driver's zone's
        region; ``"global"`` for a global one) and wait for the operation."""
        check_name(name, "address name")
        where = "global" if region == "global" else self._region_of(region)
        body: dict[str, Any] = {"name": name}
        optional = {"address": address, "description": description, "networkTier": ex_network_tier}
        body.update({k: v for k, v in optional.items() if v is not None})
        base = _address_base(where)
        yield from self._act("POST", base, body, what=f"create address {name}")
        doc = yield from self._get(f"{base}/{segment(name)}")
        return ADDRESS(doc, driver=self)

    @operation
    def ex_list_addresses(self, region: Any = None) -> Flow[list[GCEAddress]]:
        """Static addresses of every region (or of ``region``; ``"global"``: global ones)."""
        if region is None or region == "all":
            flow = self._aggregated("addresses")
        else:
            where = "global" if region == "global" else name_of(region, "region")
            flow = self._pages(_address_base(where))
        addresses: list[GCEAddress] = yield from self._all(flow, ADDRESS.bind(driver=self))
        return addresses

    @operation
    def ex_get_address(self, name: str, region: Any = None) -> Flow[GCEAddress]:
        """One static address by name."""
        where = "global" if region == "global" else self._region_of(region)
        doc = yield from self._get(f"{_address_base(where)}/{segment(name_of(name))}")
        return ADDRESS(doc, driver=self)

    @operation
    def ex_destroy_address(self, address: GCEAddress) -> Flow[bool]:
        """Release a static address and wait."""
        where = getattr(address, "region", None) or self._region_of(None)
        name = name_of(address, "address")
        path = f"{_address_base(where)}/{segment(name)}"
        yield from self._act("DELETE", path, what=f"delete address {name}")
        return True

    # -- firewalls ----------------------------------------------------------------------------
    @operation
    def ex_create_firewall(
        self,
        name: str,
        allowed: Sequence[Mapping[str, Any]] | None = None,
        network: Any = "default",
        source_ranges: Sequence[str] | None = None,
        source_tags: Sequence[str] | None = None,
        target_tags: Sequence[str] | None = None,
        priority: int | None = None,
        direction: str = "INGRESS",
        denied: Sequence[Mapping[str, Any]] | None = None,
        description: str | None = None,
    ) -> Flow[GCEFirewall]:
        """Create a firewall rule (``allowed=[{"IPProtocol": "tcp", "ports": ["22"]}]``) and
        wait for the operation."""
        check_name(name, "firewall name")
        body: dict[str, Any] = {
            "name": name,
            "network": f"global/networks/{name_of(network, 'network')}",
            "direction": direction,
        }
        optional: dict[str, Any] = {
            "allowed": [dict(a) for a in allowed] if allowed else None,
            "denied": [dict(d) for d in denied] if denied else None,
            "sourceRanges": list(source_ranges) if source_ranges else None,
            "sourceTags": list(source_tags) if source_tags else None,
            "targetTags": list(target_tags) if target_tags else None,
            "priority": priority,
            "description": description,
        }
        if not allowed and not denied:
            optional["allowed"] = [{"IPProtocol": "all"}]
        body.update({k: v for k, v in optional.items() if v is not None})
        yield from self._act("POST", "global/firewalls", body, what=f"create firewall {name}")
        doc = yield from self._get(f"global/firewalls/{segment(name)}")
        return FIREWALL(doc, driver=self)

    @operation
    def ex_list_firewalls(self) -> Flow[list[GCEFirewall]]:
        """Every firewall rule of the project."""
        rules: list[GCEFirewall] = yield from self._all(
            self._pages("global/firewalls"), FIREWALL.bind(driver=self)
        )
        return rules

    @operation
    def ex_get_firewall(self, name: str) -> Flow[GCEFirewall]:
        """One firewall rule by name."""
        doc = yield from self._get(f"global/firewalls/{segment(name_of(name))}")
        return FIREWALL(doc, driver=self)

    @operation
    def ex_destroy_firewall(self, firewall: GCEFirewall) -> Flow[bool]:
        """Delete a firewall rule and wait."""
        name = name_of(firewall, "firewall")
        yield from self._act(
            "DELETE", f"global/firewalls/{segment(name)}", what=f"delete firewall {name}"
        )
        return True

    # -- networks -----------------------------------------------------------------------------
    @operation
    def ex_list_networks(self) -> Flow[list[GCENetwork]]:
        """Every network of the project."""
        networks: list[GCENetwork] = yield from self._all(
            self._pages("global/networks"), NETWORK.bind(driver=self)
        )
        return networks

    @operation
    def ex_get_network(self, name: str) -> Flow[GCENetwork]:
        """One network by name."""
        doc = yield from self._get(f"global/networks/{segment(name_of(name))}")
        return NETWORK(doc, driver=self)
