"""Load balancer models and the driver contract where Libcloud keeps them
(``libcloud.loadbalancer.base``).

``Driver`` is the class every omnicloud load balancer driver derives from.
"""

from __future__ import annotations

from omnicloud.errors import OmnicloudError as LibcloudError
from omnicloud.loadbalancer._base import Algorithm, LoadBalancer, Member, State
from omnicloud.loadbalancer._base import LoadBalancerDriverCore as Driver

__all__ = [
    "DEFAULT_ALGORITHM",
    "Algorithm",
    "Driver",
    "LibcloudError",
    "LoadBalancer",
    "Member",
    "State",
]

#: The algorithm a balancer uses when none is given (as in Libcloud).
DEFAULT_ALGORITHM = Algorithm.ROUND_ROBIN
