"""State maps are total; documents become models without a KeyError."""

from __future__ import annotations

from typing import Any

import pytest

from omnicloud.compute import NodeState
from omnicloud.compute.drivers.azure_arm import NODE_STATES, node_state
from omnicloud.compute.drivers.azure_arm_convert import (
    addresses_of,
    to_location,
    to_node,
    to_size,
    to_snapshot,
    to_volume,
)


def _vm(*codes: str, provisioning: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"instanceView": {"statuses": [{"code": c} for c in codes]}}
    if provisioning:
        props["provisioningState"] = provisioning
    return {"properties": props}


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (("ProvisioningState/succeeded", "PowerState/running"), NodeState.RUNNING),
        (("ProvisioningState/succeeded", "PowerState/starting"), NodeState.STARTING),
        (("ProvisioningState/succeeded", "PowerState/stopping"), NodeState.STOPPING),
        (("ProvisioningState/succeeded", "PowerState/stopped"), NodeState.STOPPED),
        (("ProvisioningState/succeeded", "PowerState/deallocating"), NodeState.STOPPING),
        (("ProvisioningState/succeeded", "PowerState/deallocated"), NodeState.STOPPED),
        (("ProvisioningState/updating", "PowerState/running"), NodeState.RUNNING),
        (("ProvisioningState/creating", "PowerState/starting"), NodeState.PENDING),
        (("ProvisioningState/deleting", "PowerState/stopping"), NodeState.TERMINATED),
        (("ProvisioningState/failed/AllocationFailed",), NodeState.ERROR),
        (("ProvisioningState/succeeded", "PowerState/hibernated-someday"), NodeState.UNKNOWN),
        ((), NodeState.UNKNOWN),
        (("OSState/generalized",), NodeState.UNKNOWN),
    ],
)
def test_node_states(codes: tuple[str, ...], expected: NodeState) -> None:
    assert node_state(_vm(*codes)) is expected


def test_failed_provisioning_code_with_detail_and_plain_property() -> None:
    # "ProvisioningState/failed/AllocationFailed": the word after the first slash decides
    assert node_state(_vm(provisioning="Creating")) is NodeState.PENDING
    assert node_state(_vm(provisioning="Updating")) is NodeState.UPDATING
    assert set(NODE_STATES.values()) <= set(NodeState)


def test_sparse_documents_do_not_fail() -> None:
    node = to_node({}, None, {})
    assert node.id == "" and node.state is NodeState.UNKNOWN and node.public_ips == []
    assert to_size({}, None, None).ram == 0
    assert to_location({}, None).country == ""
    assert to_volume({"properties": {"diskState": "weird"}}, None).state == "unknown"
    assert to_snapshot({}, None).state == "unknown"
    assert addresses_of([{"properties": {"ipConfigurations": [{}]}}], {}) == {"": ([], [])}
