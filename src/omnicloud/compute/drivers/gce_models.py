"""Compute Engine resources without a Libcloud base model: regions, static addresses,
firewall rules and networks (slotted dataclasses; ``destroy()`` goes back to the driver)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GCEAddress", "GCEFirewall", "GCENetwork", "GCERegion"]


@dataclass(slots=True)
class GCERegion:
    """A region (``zones``: the names of its zones)."""

    id: str
    name: str
    status: str
    zones: list[str] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(slots=True)
class GCEAddress:
    """A static external address of a region (``region`` is ``"global"`` for global ones)."""

    id: str
    name: str
    address: str
    region: str
    status: str = ""
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def destroy(self) -> Any:
        """Release this address."""
        return self.driver.ex_destroy_address(self)


@dataclass(slots=True)
class GCEFirewall:
    """A firewall rule of a network (``allowed``: ``[{"IPProtocol": "tcp", "ports": [...]}]``)."""

    id: str
    name: str
    network: str
    allowed: list[dict[str, Any]] = field(default_factory=list)
    denied: list[dict[str, Any]] = field(default_factory=list)
    source_ranges: list[str] = field(default_factory=list)
    source_tags: list[str] = field(default_factory=list)
    target_tags: list[str] = field(default_factory=list)
    direction: str = "INGRESS"
    priority: int = 1000
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def destroy(self) -> Any:
        """Delete this rule."""
        return self.driver.ex_destroy_firewall(self)


@dataclass(slots=True)
class GCENetwork:
    """A VPC network (``mode``: ``auto``, ``custom`` or ``legacy``)."""

    id: str
    name: str
    cidr: str | None = None
    mode: str = "auto"
    subnetworks: list[str] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
