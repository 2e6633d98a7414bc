"""The unified load balancer API: LoadBalancer, Member, Algorithm, State and the driver contract.

``omnicloud.get_driver(DriverType.LOADBALANCER, Provider.CLOUDSTACK)`` gives a driver class.
"""

from __future__ import annotations

from ._base import Algorithm, LoadBalancer, LoadBalancerDriverCore, Member, State

__all__ = ["Algorithm", "LoadBalancer", "LoadBalancerDriverCore", "Member", "State"]
