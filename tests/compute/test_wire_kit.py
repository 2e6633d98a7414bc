"""The one mapping style: schemas for shared models, context-aware converters, derived heads."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

import pytest

from omnicloud._wire import bind, context, from_wire, heads, parts, schema, wire
from omnicloud.compute._models import Node
from omnicloud.compute._types import NodeState
from omnicloud.compute.drivers.cloudstack import CloudStackNode


def _label(doc: Any, prefix: Any) -> str:
    return f"{prefix}:{doc.get('name')}"


def test_schema_maps_a_shared_model_without_subclassing_it() -> None:
    nodes = schema(
        Node,
        id=wire("uuid", str, required=True),
        name=wire("*", _label, using=("prefix",), reads=("name",)),
        state=wire("status", {"running": NodeState.RUNNING}, default=NodeState.UNKNOWN),
        driver=context(),
    )
    node = nodes({"uuid": 7, "name": "web", "status": "running"}, driver="d", prefix="p")
    assert type(node) is Node
    assert (node.id, node.name, node.state, node.driver) == ("7", "p:web", NodeState.RUNNING, "d")
    assert node.public_ips == [] and node.extra == {}
    assert bind(nodes, prefix="q")({"uuid": None}).name == "q:None"
    assert from_wire(nodes, {"uuid": "u"}).id == "u"
    with pytest.raises(KeyError):
        nodes({"name": "no uuid"})


def test_schema_refuses_unknown_and_undeclared_required_fields() -> None:
    with pytest.raises(TypeError, match="no field"):
        schema(Node, id=wire("uuid"), name=wire("n"), state=wire("s"), colour=wire("c"))
    with pytest.raises(TypeError, match="required"):
        schema(Node, id=wire("uuid"))


def test_parts_hand_context_to_their_converter() -> None:
    def split(doc: Any, sep: Any) -> tuple[str, str]:
        left, _, right = str(doc.get("pair")).partition(sep)
        return left, right

    first, second = parts("*", split, 2, using=("sep",), reads=("pair",))

    @dataclass(slots=True)
    class Pair:
        a: str = wire(first)
        b: str = wire(second)

    assert from_wire(Pair, {"pair": "x|y"}, sep="|") == Pair("x", "y")
    assert set(typing.get_type_hints(heads(Pair))) == {"pair"}


def test_heads_are_the_keys_the_node_mapper_reads() -> None:
    hints = typing.get_type_hints(heads(CloudStackNode))
    assert set(hints) == {"id", "name", "displayname", "state", "created", "nic", "publicip"}
    (item,) = typing.get_args(hints["nic"])[0].__args__
    assert set(typing.get_type_hints(item)) == {"ipaddress"}


def test_heads_need_reads_for_whole_document_converters() -> None:
    @dataclass(slots=True)
    class Opaque:
        name: str = wire("*", _label)

    with pytest.raises(TypeError, match="declare reads="):
        heads(Opaque)


def test_load_balancer_rules_and_members_map_through_schemas() -> None:
    from omnicloud.loadbalancer._base import Algorithm, LoadBalancer, Member, State
    from omnicloud.loadbalancer.drivers.cloudstack import BALANCER, MEMBER

    doc = {
        "id": "r1",
        "name": "web",
        "state": "Active",
        "publicip": "1.2.3.4",
        "publicport": "80",
        "privateport": "8080",
        "algorithm": "source",
        "publicipid": "ip1",
    }
    balancer = BALANCER(doc, driver="d")
    assert type(balancer) is LoadBalancer
    assert (balancer.id, balancer.state, balancer.ip, balancer.port) == (
        "r1",
        State.RUNNING,
        "1.2.3.4",
        80,
    )
    assert balancer.extra == {
        "algorithm": Algorithm.PERSISTENT_IP,
        "private_port": 8080,
        "public_ip_id": "ip1",
        "network_id": None,
        "raw": doc,
    }
    assert BALANCER({}, driver="d").state is State.UNKNOWN
    vm = {"id": "vm", "name": "n", "nic": [{"ipaddress": "8.8.8.8"}, {"ipaddress": "10.0.0.1"}]}
    member = MEMBER.bind(balancer=balancer)(vm)
    assert type(member) is Member and member.balancer is balancer
    assert (member.id, member.ip, member.port) == ("vm", "10.0.0.1", 8080)
    assert member.extra == {"name": "n", "state": None}
    assert MEMBER({"id": "x", "nic": [{"ipaddress": "8.8.8.8"}]}, balancer=balancer).ip == "8.8.8.8"
