"""CloudStack load balancer rules as balancers: public IP + rule + VM members; sync and async."""

from __future__ import annotations

from collections.abc import Sequence

from omnicloud.compute._shell import AsyncShell, SyncShell, operation
from omnicloud.compute.drivers.cloudstack._base import CloudStackConnection, success
from omnicloud.compute.drivers.cloudstack._convert import is_private
from omnicloud.errors import NotFoundError, ValidationError
from omnicloud.loadbalancer._base import (
    Algorithm,
    LoadBalancer,
    LoadBalancerDriverCore,
    Member,
    State,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["AsyncCloudStackLBDriver", "CloudStackLBDriver", "CloudStackLBDriverCore"]

ALGORITHMS = {Algorithm.ROUND_ROBIN: "roundrobin", Algorithm.LEAST_CONNECTIONS: "leastconn"}
WIRE_ALGORITHMS = {wire: algorithm for algorithm, wire in ALGORITHMS.items()}
WIRE_ALGORITHMS["source"] = Algorithm.PERSISTENT_IP
ALGORITHMS[Algorithm.PERSISTENT_IP] = "source"


def _balancer(doc: dict[str, Any], driver: Any) -> LoadBalancer:
    port = doc.get("publicport")
    return LoadBalancer(
        id=str(doc.get("id", "")),
        name=str(doc.get("name", "")),
        state=State.RUNNING if doc.get("state") == "Active" else State.UNKNOWN,
        ip=doc.get("publicip"),
        port=int(port) if port is not None else None,
        driver=driver,
        extra={
            "algorithm": WIRE_ALGORITHMS.get(doc.get("algorithm", "")),
            "private_port": int(doc["privateport"]) if doc.get("privateport") else None,
            "public_ip_id": doc.get("publicipid"),
            "network_id": doc.get("networkid"),
            "raw": doc,
        },
    )


def _member(doc: dict[str, Any], balancer: LoadBalancer) -> Member:
    ips = [nic["ipaddress"] for nic in doc.get("nic") or () if "ipaddress" in nic]
    private = [ip for ip in ips if is_private(ip)] or ips
    return Member(
        id=str(doc.get("id", "")),
        ip=private[0] if private else None,
        port=balancer.extra.get("private_port"),
        balancer=balancer,
        extra={"name": doc.get("name"), "state": doc.get("state")},
    )


class CloudStackLBDriverCore(CloudStackConnection, LoadBalancerDriverCore):
    """CloudStack load balancer rules (same constructor as the compute driver)."""

    name = "CloudStack"

    @operation
    def list_protocols(self) -> Flow[list[str]]:
        """CloudStack balances TCP (and UDP on newer versions)."""
        yield from ()
        return ["tcp", "udp"]

    @operation
    def list_supported_algorithms(self) -> Flow[list[Algorithm]]:
        """The algorithms CloudStack rules accept."""
        yield from ()
        return list(ALGORITHMS)

    @operation
    def list_balancers(self) -> Flow[list[LoadBalancer]]:
        """Every load balancer rule."""
        balancers = yield from self._list(
            "listLoadBalancerRules", lambda doc: _balancer(doc, self), **self._with_project({})
        )
        return balancers

    @operation
    def get_balancer(self, balancer_id: str) -> Flow[LoadBalancer]:
        """One rule by id."""
        found = yield from self._list(
            "listLoadBalancerRules", lambda doc: _balancer(doc, self), id=balancer_id
        )
        if not found:
            raise NotFoundError(f"load balancer {balancer_id} not found", provider="cloudstack")
        return found[0]

    @operation
    def create_balancer(
        self,
        name: str,
        port: int = 80,
        protocol: str = "tcp",
        algorithm: Algorithm = Algorithm.ROUND_ROBIN,
        members: Sequence[Member] = (),
        location: Any = None,
        private_port: int | None = None,
        network_id: str | None = None,
        vpc_id: str | None = None,
    ) -> Flow[LoadBalancer]:
        """Acquire a public IP, create a rule on it and assign ``members`` (node ids)."""
        wire_algorithm = ALGORITHMS.get(algorithm)
        if wire_algorithm is None:
            raise ValidationError(f"CloudStack does not support the {algorithm} algorithm")
        zone = None
        if network_id is None and vpc_id is None:
            zone = yield from self._zone_id(location)
        address = yield from self._job(
            "associateIpAddress",
            **self._with_project({"zoneid": zone, "networkid": network_id, "vpcid": vpc_id}),
        )
        ip = address["ipaddress"]
        rule = yield from self._job(
            "createLoadBalancerRule",
            name=name,
            algorithm=wire_algorithm,
            publicport=port,
            privateport=private_port or port,
            publicipid=ip["id"],
            networkid=network_id,
            protocol=protocol if protocol.lower() in {"tcp", "udp", "tcp-proxy"} else None,
            openfirewall=True,
        )
        doc = rule.get("loadbalancer", rule) if isinstance(rule, dict) else {}
        doc.setdefault("publicip", ip.get("ipaddress"))
        doc.setdefault("publicipid", ip["id"])
        balancer = _balancer(doc, self)
        if members:
            yield from self._job(
                "assignToLoadBalancerRule",
                id=balancer.id,
                virtualmachineids=[member.id for member in members],
            )
        return balancer

    @operation
    def destroy_balancer(self, balancer: LoadBalancer) -> Flow[bool]:
        """Delete the rule and release its public IP."""
        yield from self._job("deleteLoadBalancerRule", id=balancer.id)
        address_id = balancer.extra.get("public_ip_id")
        if address_id:
            yield from self._job("disassociateIpAddress", id=address_id)
        return True

    @operation
    def balancer_attach_member(self, balancer: LoadBalancer, member: Member) -> Flow[Member]:
        """Assign a VM (``member.id``) to the rule."""
        yield from self._job(
            "assignToLoadBalancerRule", id=balancer.id, virtualmachineids=member.id
        )
        return Member(member.id, member.ip, balancer.extra.get("private_port"), balancer)

    @operation
    def balancer_detach_member(self, balancer: LoadBalancer, member: Member) -> Flow[bool]:
        """Remove a VM from the rule."""
        result = yield from self._job(
            "removeFromLoadBalancerRule", id=balancer.id, virtualmachineids=member.id
        )
        return success(result)

    @operation
    def balancer_list_members(self, balancer: LoadBalancer) -> Flow[list[Member]]:
        """The VMs assigned to the rule."""
        members = yield from self._list(
            "listLoadBalancerRuleInstances", lambda doc: _member(doc, balancer), id=balancer.id
        )
        return members


class CloudStackLBDriver(SyncShell, CloudStackLBDriverCore):
    """CloudStack load balancers, sync."""


class AsyncCloudStackLBDriver(AsyncShell, CloudStackLBDriverCore):
    """CloudStack load balancers, async."""
