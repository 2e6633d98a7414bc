"""Container models, states and the driver contract (operations written as flows).

Names and signatures are Libcloud's (``libcloud.container.base``/``types``): a driver subclasses
:class:`ContainerDriverCore`, implements the operations its provider has (the others raise
:class:`~omnicloud.errors.NotSupportedError`) and picks a shell from :mod:`omnicloud._shell`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from omnicloud._shell import operation, unsupported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "ClusterLocation",
    "Container",
    "ContainerCluster",
    "ContainerClusterLocation",
    "ContainerDriverCore",
    "ContainerImage",
    "ContainerState",
]


class ContainerState(StrEnum):
    """A container's state, with Libcloud's names and values (``RUNNING == "running"``)."""

    RUNNING = "running"
    STOPPED = "stopped"
    PENDING = "pending"
    TERMINATED = "terminated"
    UNKNOWN = "unknown"
    ERROR = "error"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    REBOOTING = "rebooting"


@dataclass(slots=True)
class ContainerImage:
    """An image: ``path`` is the full reference (``busybox:latest``), ``name`` the repository,
    ``version`` the tag."""

    id: str
    name: str
    path: str
    version: str | None
    driver: Any = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def deploy(
        self,
        name: str,
        parameters: Any = None,
        cluster: ContainerCluster | None = None,
        start: bool = True,
    ) -> Any:
        """Deploy a container of this image (Libcloud's ``ContainerImage.deploy``)."""
        return self.driver.deploy_container(
            name, self, parameters=parameters, cluster=cluster, start=start
        )


@dataclass(slots=True)
class ContainerCluster:
    """A cluster of container hosts (providers with ``supports_clusters``)."""

    id: str
    name: str
    driver: Any = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def list_containers(self) -> Any:
        """The containers of this cluster."""
        return self.driver.list_containers(cluster=self)

    def destroy(self) -> Any:
        """Destroy this cluster."""
        return self.driver.destroy_cluster(self)


@dataclass(slots=True)
class ClusterLocation:
    """Where a cluster may be created (Libcloud's ``ClusterLocation``)."""

    id: str
    name: str
    country: str
    driver: Any = field(default=None, repr=False, compare=False)


#: The name this family's brief uses for :class:`ClusterLocation`.
ContainerClusterLocation = ClusterLocation


@dataclass(slots=True)
class Container:
    """A container: ``image`` is a :class:`ContainerImage`, ``state`` a :class:`ContainerState`,
    ``ip_addresses`` what the provider reports (may be empty)."""

    id: str
    name: str
    image: ContainerImage
    state: ContainerState
    ip_addresses: list[str] = field(default_factory=list)
    driver: Any = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    created_at: Any = field(default=None, compare=False)

    def start(self) -> Any:
        """Start this container."""
        return self.driver.start_container(self)

    def stop(self) -> Any:
        """Stop this container."""
        return self.driver.stop_container(self)

    def restart(self) -> Any:
        """Restart this container."""
        return self.driver.restart_container(self)

    def destroy(self) -> Any:
        """Remove this container."""
        return self.driver.destroy_container(self)


class ContainerDriverCore:
    """Every container operation; providers override what they support."""

    name: str = "Generic container"
    website: str = ""
    type: str | None = None
    supports_clusters: bool = False

    # -- images ---------------------------------------------------------------------------
    @operation
    def list_images(self) -> Flow[list[ContainerImage]]:
        """Every image installed."""
        return (yield from unsupported(self, "list_images"))

    @operation
    def install_image(self, path: str) -> Flow[ContainerImage]:
        """Install (pull) the image ``path`` (``repository[:tag]``)."""
        return (yield from unsupported(self, "install_image"))

    # -- containers -----------------------------------------------------------------------
    @operation
    def list_containers(
        self,
        image: ContainerImage | None = None,
        all: bool = True,
        cluster: ContainerCluster | None = None,
    ) -> Flow[list[Container]]:
        """The containers (of ``image`` only, when given; stopped ones too unless ``all`` is
        false)."""
        return (yield from unsupported(self, "list_containers"))

    @operation
    def deploy_container(
        self,
        name: str,
        image: ContainerImage,
        cluster: ContainerCluster | None = None,
        parameters: Any = None,
        start: bool = True,
    ) -> Flow[Container]:
        """Create a container ``name`` of ``image`` (started unless ``start`` is false)."""
        return (yield from unsupported(self, "deploy_container"))

    @operation
    def get_container(self, id: str) -> Flow[Container]:
        """One container by id or name (a NotFoundError if absent)."""
        return (yield from unsupported(self, "get_container"))

    @operation
    def start_container(self, container: Container) -> Flow[Container]:
        """Start ``container``; the container as it is now."""
        return (yield from unsupported(self, "start_container"))

    @operation
    def stop_container(self, container: Container) -> Flow[Container]:
        """Stop ``container``; the container as it is now."""
        return (yield from unsupported(self, "stop_container"))

    @operation
    def restart_container(self, container: Container) -> Flow[Container]:
        """Restart ``container``; the container as it is now."""
        return (yield from unsupported(self, "restart_container"))

    @operation
    def destroy_container(self, container: Container) -> Flow[bool]:
        """Remove ``container``."""
        return (yield from unsupported(self, "destroy_container"))

    # -- clusters -------------------------------------------------------------------------
    @operation
    def list_locations(self) -> Flow[list[ClusterLocation]]:
        """Where clusters may be created."""
        return (yield from unsupported(self, "list_locations"))

    @operation
    def create_cluster(
        self, name: str, location: ClusterLocation | None = None
    ) -> Flow[ContainerCluster]:
        """Create a cluster."""
        return (yield from unsupported(self, "create_cluster"))

    @operation
    def destroy_cluster(self, cluster: ContainerCluster) -> Flow[bool]:
        """Destroy a cluster."""
        return (yield from unsupported(self, "destroy_cluster"))

    @operation
    def list_clusters(
        self, location: ClusterLocation | None = None
    ) -> Flow[list[ContainerCluster]]:
        """The clusters."""
        return (yield from unsupported(self, "list_clusters"))

    @operation
    def get_cluster(self, id: str) -> Flow[ContainerCluster]:
        """One cluster by id."""
        return (yield from unsupported(self, "get_cluster"))
