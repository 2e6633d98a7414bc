"""The load balancer conformance suite: what every balancer driver does, sync and async.

A provider declares a ``loadbalancer_driver`` fixture yielding a
:class:`~tests.conformance._twin.Subject` whose ``caps`` is a :class:`LoadBalancerCaps` (with at
least two backends to balance over) and imports :class:`TestLoadBalancerConformance`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from omnicloud.errors import NotFoundError
from omnicloud.loadbalancer import Algorithm, LoadBalancer, Member

from ._twin import Subject

__all__ = ["LoadBalancerCaps", "TestLoadBalancerConformance"]


@dataclass(frozen=True)
class LoadBalancerCaps:
    """``members``: two or more backends that exist on the provider; ``create_options``: the
    provider's extra ``create_balancer`` keywords (a network, a private port...)."""

    members: tuple[Member, ...]
    protocol: str = "tcp"
    algorithm: Algorithm = Algorithm.ROUND_ROBIN
    create_options: Mapping[str, Any] = field(default_factory=dict)


def _member_ids(d: Any, balancer: LoadBalancer) -> set[str]:
    members = d.balancer_list_members(balancer)
    assert all(isinstance(member, Member) for member in members)
    return {member.id for member in members}


class TestLoadBalancerConformance:
    """Libcloud's load balancer contract (fixture ``loadbalancer_driver``)."""

    def test_protocols(self, loadbalancer_driver: Subject[LoadBalancerCaps]) -> None:
        protocols = loadbalancer_driver.driver.list_protocols()
        assert protocols and all(isinstance(p, str) for p in protocols)
        assert loadbalancer_driver.caps.protocol in protocols

    def test_missing_balancer_is_not_found(
        self, loadbalancer_driver: Subject[LoadBalancerCaps]
    ) -> None:
        with pytest.raises(NotFoundError):
            loadbalancer_driver.driver.get_balancer(str(uuid.uuid4()))

    def test_balancer_lifecycle(self, loadbalancer_driver: Subject[LoadBalancerCaps]) -> None:
        d, caps = loadbalancer_driver.driver, loadbalancer_driver.caps
        first, second = caps.members[:2]
        name = f"conf-{uuid.uuid4().hex[:8]}"
        balancer = d.create_balancer(
            name=name,
            port=80,
            protocol=caps.protocol,
            algorithm=caps.algorithm,
            members=[first],
            **caps.create_options,
        )
        assert isinstance(balancer, LoadBalancer) and balancer.id and balancer.name == name
        assert balancer.driver is loadbalancer_driver.native
        listed = [b for b in d.list_balancers() if b.id == balancer.id]
        assert [b.name for b in listed] == [name]
        assert all(b.driver is loadbalancer_driver.native for b in listed)
        assert d.get_balancer(balancer.id).name == name
        assert _member_ids(d, balancer) == {first.id}

        attached = d.balancer_attach_member(balancer, second)
        assert isinstance(attached, Member) and attached.id == second.id
        assert _member_ids(d, balancer) == {first.id, second.id}
        assert d.balancer_detach_member(balancer, first) is True
        assert _member_ids(d, balancer) == {second.id}

        assert d.destroy_balancer(balancer) is True
        assert balancer.id not in {b.id for b in d.list_balancers()}
        with pytest.raises(NotFoundError):
            d.get_balancer(balancer.id)

    def test_model_methods_reach_the_driver(
        self, loadbalancer_driver: Subject[LoadBalancerCaps]
    ) -> None:
        subject, caps = loadbalancer_driver, loadbalancer_driver.caps
        second = caps.members[1]
        balancer = subject.driver.create_balancer(
            name=f"conf-{uuid.uuid4().hex[:8]}",
            port=81,
            protocol=caps.protocol,
            algorithm=caps.algorithm,
            members=[],
            **caps.create_options,
        )
        assert subject.settle(balancer.list_members()) == []
        subject.settle(balancer.attach_member(second))
        assert [m.id for m in subject.settle(balancer.list_members())] == [second.id]
        assert subject.settle(balancer.detach_member(second)) is True
        assert subject.settle(balancer.list_members()) == []
        assert subject.settle(balancer.destroy()) is True
        assert balancer.id not in {b.id for b in subject.driver.list_balancers()}
