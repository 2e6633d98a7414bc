"""Load balancer models and the driver contract (operations written as flows)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from omnicloud._shell import operation, unsupported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["Algorithm", "LoadBalancer", "LoadBalancerDriverCore", "Member", "State"]


class State(StrEnum):
    """State of a balancer."""

    RUNNING = "running"
    PENDING = "pending"
    UNKNOWN = "unknown"
    ERROR = "error"
    DELETED = "deleted"


class Algorithm(StrEnum):
    """How traffic is spread over members."""

    RANDOM = "random"
    ROUND_ROBIN = "round_robin"
    LEAST_CONNECTIONS = "least_connections"
    WEIGHTED_ROUND_ROBIN = "weighted_round_robin"
    WEIGHTED_LEAST_CONNECTIONS = "weighted_least_connections"
    SHORTEST_RESPONSE = "shortest_response"
    PERSISTENT_IP = "persistent_ip"
    # Libcloud's NTT CIS algorithms (no omnicloud driver supports them yet)
    LEAST_CONNECTIONS_MEMBER = "least_connections_member"
    LEAST_CONNECTIONS_NODE = "least_connections_node"
    OBSERVED_MEMBER = "observed_member"
    OBSERVED_NODE = "observed_node"
    PREDICTIVE_MEMBER = "predictive_member"
    PREDICTIVE_NODE = "predictive_node"


@dataclass(slots=True)
class LoadBalancer:
    """A balancer listening on ``ip:port``."""

    id: str
    name: str
    state: State
    ip: str | None
    port: int | None
    driver: Any = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def attach_member(self, member: Member) -> Any:
        """Add ``member``."""
        return self.driver.balancer_attach_member(self, member)

    def detach_member(self, member: Member) -> Any:
        """Remove ``member``."""
        return self.driver.balancer_detach_member(self, member)

    def list_members(self) -> Any:
        """The members."""
        return self.driver.balancer_list_members(self)

    def destroy(self) -> Any:
        """Delete this balancer."""
        return self.driver.destroy_balancer(self)


@dataclass(slots=True)
class Member:
    """A backend (for CloudStack: a node, by id)."""

    id: str
    ip: str | None
    port: int | None
    balancer: LoadBalancer | None = field(default=None, repr=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)


class LoadBalancerDriverCore:
    """Every load balancer operation; providers override what they support."""

    name: str = "Generic"

    @operation
    def list_protocols(self) -> Flow[list[str]]:
        """Protocols a balancer can speak."""
        return (yield from unsupported(self, "list_protocols"))

    @operation
    def list_balancers(self) -> Flow[list[LoadBalancer]]:
        """Every balancer."""
        return (yield from unsupported(self, "list_balancers"))

    @operation
    def get_balancer(self, balancer_id: str) -> Flow[LoadBalancer]:
        """One balancer by id (NotFoundError if absent)."""
        return (yield from unsupported(self, "get_balancer"))

    @operation
    def create_balancer(
        self,
        name: str,
        port: int,
        protocol: str,
        algorithm: Algorithm,
        members: Sequence[Member],
    ) -> Flow[LoadBalancer]:
        """Create a balancer over ``members``."""
        return (yield from unsupported(self, "create_balancer"))

    @operation
    def destroy_balancer(self, balancer: LoadBalancer) -> Flow[bool]:
        """Delete a balancer."""
        return (yield from unsupported(self, "destroy_balancer"))

    @operation
    def balancer_attach_member(self, balancer: LoadBalancer, member: Member) -> Flow[Member]:
        """Add a member."""
        return (yield from unsupported(self, "balancer_attach_member"))

    @operation
    def balancer_attach_compute_node(self, balancer: LoadBalancer, node: Any) -> Flow[Member]:
        """Add a compute node as a member."""
        member = Member(
            id=node.id, ip=(node.private_ips or node.public_ips or [None])[0], port=None
        )
        result: Member = yield from type(self).balancer_attach_member(self, balancer, member)
        return result

    @operation
    def balancer_detach_member(self, balancer: LoadBalancer, member: Member) -> Flow[bool]:
        """Remove a member."""
        return (yield from unsupported(self, "balancer_detach_member"))

    @operation
    def balancer_list_members(self, balancer: LoadBalancer) -> Flow[list[Member]]:
        """The members of ``balancer``."""
        return (yield from unsupported(self, "balancer_list_members"))
