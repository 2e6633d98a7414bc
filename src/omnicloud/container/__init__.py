"""The unified container API: images, containers, clusters, their states and the driver contract.

``omnicloud.get_driver(DriverType.CONTAINER, Provider.DOCKER)`` (or
``omnicloud.container.providers``) gives a driver class; ``omnicloud.connect("NAME",
"container")`` a driver for a ``docker`` profile.
"""

from __future__ import annotations

from ._base import (
    ClusterLocation,
    Container,
    ContainerCluster,
    ContainerClusterLocation,
    ContainerDriverCore,
    ContainerImage,
    ContainerState,
)

__all__ = [
    "ClusterLocation",
    "Container",
    "ContainerCluster",
    "ContainerClusterLocation",
    "ContainerDriverCore",
    "ContainerImage",
    "ContainerState",
]
