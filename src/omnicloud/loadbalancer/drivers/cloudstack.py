"""CloudStack load balancer rules as balancers: public IP + rule + VM members; sync and async."""

from __future__ import annotations

from collections.abc import Sequence

from omnicloud._shell import AsyncShell, SyncShell, computed, operation
from omnicloud._wire import context, schema, wire
from omnicloud.cloudstack._driver_base import CloudStackConnection, names_no_entity, success
from omnicloud.cloudstack.addresses import is_private
from omnicloud.errors import CloudStackApiError, NotFoundError, ValidationError
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


def _text(value: Any) -> str:
    return str(value)


def _balancer_extra(doc: Any) -> dict[str, Any]:
    return {
        "algorithm": WIRE_ALGORITHMS.get(doc.get("algorithm", "")),
        "private_port": int(doc["privateport"]) if doc.get("privateport") else None,
        "public_ip_id": doc.get("publicipid"),
        "network_id": doc.get("networkid"),
        "raw": doc,
    }


#: A ``listLoadBalancerRules`` item as a :class:`LoadBalancer`.
BALANCER = schema(
    LoadBalancer,
    id=wire("id", _text, default=""),
    name=wire("name", _text, default=""),
    state=wire("state", {"Active": State.RUNNING}, default=State.UNKNOWN),
    ip=wire("publicip"),
    port=wire("publicport", int),
    driver=context(),
    extra=wire("*", _balancer_extra, repr=False),
)


def _member_ip(doc: Any) -> str | None:
    ips = [nic["ipaddress"] for nic in doc.get("nic") or () if "ipaddress" in nic]
    private = [ip for ip in ips if is_private(ip)] or ips
    return private[0] if private else None


def _member_port(doc: Any, balancer: Any) -> Any:
    return balancer.extra.get("private_port")


def _member_extra(doc: Any) -> dict[str, Any]:
    return {"name": doc.get("name"), "state": doc.get("state")}


#: A ``listLoadBalancerRuleInstances`` item (a VM) as a :class:`Member` of ``balancer``.
MEMBER = schema(
    Member,
    id=wire("id", _text, default=""),
    ip=wire("*", _member_ip, reads=("nic[].ipaddress",)),
    port=wire("*", _member_port, using=("balancer",), reads=()),
    balancer=context(),
    extra=wire("*", _member_extra, reads=("name", "state")),
)


class CloudStackLBDriverCore(CloudStackConnection, LoadBalancerDriverCore):
    """CloudStack load balancer rules (same constructor as the compute driver)."""

    name = "CloudStack"

    @computed
    def list_protocols(self) -> list[str]:
        """CloudStack balances TCP (and UDP on newer versions)."""
        return ["tcp", "udp"]

    @computed
    def list_supported_algorithms(self) -> list[Algorithm]:
        """The algorithms CloudStack rules accept."""
        return list(ALGORITHMS)

    @operation
    def list_balancers(self) -> Flow[list[LoadBalancer]]:
        """Every load balancer rule."""
        balancers = yield from self._list(
            "listLoadBalancerRules", BALANCER.bind(driver=self), **self._with_project({})
        )
        return balancers

    @operation
    def get_balancer(self, balancer_id: str) -> Flow[LoadBalancer]:
        """One rule by id."""
        try:
            found = yield from self._list(
                "listLoadBalancerRules", BALANCER.bind(driver=self), id=balancer_id
            )
        except CloudStackApiError as exc:
            if not names_no_entity(exc):
                raise
            found = []
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
        balancer = BALANCER(doc, driver=self)
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
            "listLoadBalancerRuleInstances", MEMBER.bind(balancer=balancer), id=balancer.id
        )
        return members


class CloudStackLBDriver(SyncShell, CloudStackLBDriverCore):
    """CloudStack load balancers, sync."""


class AsyncCloudStackLBDriver(AsyncShell, CloudStackLBDriverCore):
    """CloudStack load balancers, async."""
