"""Container models and the driver contract where Libcloud keeps them
(``libcloud.container.base``).

``ContainerDriver`` is the class every omnicloud container driver derives from.
"""

from __future__ import annotations

from omnicloud.container._base import (
    ClusterLocation,
    Container,
    ContainerCluster,
    ContainerClusterLocation,
    ContainerImage,
)
from omnicloud.container._base import ContainerDriverCore as ContainerDriver

__all__ = [
    "ClusterLocation",
    "Container",
    "ContainerCluster",
    "ContainerClusterLocation",
    "ContainerDriver",
    "ContainerImage",
]
