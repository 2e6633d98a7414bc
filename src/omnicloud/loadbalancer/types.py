"""Load balancer names where Libcloud keeps them (``libcloud.loadbalancer.types``)."""

from __future__ import annotations

from enum import StrEnum

from omnicloud._providers import LoadBalancerProvider as Provider
from omnicloud._registry import DriverNotAvailableError
from omnicloud.errors import OmnicloudError as LibcloudError
from omnicloud.loadbalancer._base import State

__all__ = [
    "DriverNotAvailableError",
    "LibcloudError",
    "LibcloudLBError",
    "MemberCondition",
    "Provider",
    "State",
]


class MemberCondition(StrEnum):
    """Whether a member takes traffic (Libcloud's names)."""

    ENABLED = "enabled"
    DISABLED = "disabled"
    DRAINING = "draining"


#: Libcloud's name for a load balancer error.
LibcloudLBError = LibcloudError
