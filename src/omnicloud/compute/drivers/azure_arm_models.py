"""Azure network and grouping resources as models, with Libcloud's class names (``AzureNetwork``,
``AzureSubnet``, ``AzureNic``, ``AzureIPAddress``, ``AzureResourceGroup``,
``AzureNetworkSecurityGroup``): ``id`` is the ARM resource id, ``extra`` the ``properties``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "AzureIPAddress",
    "AzureNetwork",
    "AzureNetworkSecurityGroup",
    "AzureNic",
    "AzureResourceGroup",
    "AzureSubnet",
    "from_doc",
]


@dataclass(slots=True)
class _Resource:
    id: str
    name: str
    location: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    driver: Any = field(default=None, repr=False, compare=False)

    @property
    def resource_group(self) -> str | None:
        """The resource group named in the id."""
        from .azure_arm_convert import resource_group_of

        return resource_group_of(self.id)


R = TypeVar("R", bound="_Resource")


@dataclass(slots=True)
class AzureNetwork(_Resource):
    """A virtual network (``extra["addressSpace"]``, ``extra["subnets"]``)."""


@dataclass(slots=True)
class AzureSubnet(_Resource):
    """A subnet of a virtual network (``extra["addressPrefix"]``)."""


@dataclass(slots=True)
class AzureNic(_Resource):
    """A network interface (``extra["ipConfigurations"]``)."""


@dataclass(slots=True)
class AzureIPAddress(_Resource):
    """A public IP address resource (``address`` once allocated)."""

    @property
    def address(self) -> str | None:
        """The address (None while unallocated)."""
        found = self.extra.get("ipAddress")
        return str(found) if found else None


@dataclass(slots=True)
class AzureNetworkSecurityGroup(_Resource):
    """A network security group (``extra["securityRules"]``)."""


@dataclass(slots=True)
class AzureResourceGroup(_Resource):
    """A resource group (``extra["provisioningState"]``)."""


def from_doc(cls: type[R], doc: Mapping[str, Any], driver: Any) -> R:
    """``cls`` for an ARM resource document."""
    props = doc.get("properties")
    extra = dict(props) if isinstance(props, Mapping) else {}
    if doc.get("tags"):
        extra["tags"] = dict(doc["tags"])
    if doc.get("sku"):
        extra["sku"] = doc["sku"]
    return cls(
        id=str(doc.get("id") or ""),
        name=str(doc.get("name") or ""),
        location=str(doc["location"]) if doc.get("location") else None,
        extra=extra,
        driver=driver,
    )
