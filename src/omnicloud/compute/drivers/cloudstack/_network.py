"""CloudStack networking extensions (filled in below)."""

from __future__ import annotations

from ._compute import CloudStackCompute

__all__ = ["CloudStackNetworking"]


class CloudStackNetworking(CloudStackCompute):
    """Networks, VPCs, public IPs, forwarding, firewall, ACLs, routers, VPN."""
