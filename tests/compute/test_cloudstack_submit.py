"""Public CloudStack driver APIs the CLI uses instead of private helpers or hand-built calls."""

from __future__ import annotations

import pytest

from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
from omnicloud.errors import ValidationError
from tests.compute.conftest import unique


def test_ex_submit_node_returns_the_job_without_waiting(
    sync_driver: CloudStackNodeDriver,
) -> None:
    d = sync_driver
    size, image, location = d.list_sizes()[0], d.list_images()[0], d.list_locations()[0]
    name = unique("submitted")
    answer = d.ex_submit_node(name, size, image, location)
    assert answer["id"] and answer["jobid"]
    node = d.ex_wait_for_job(answer["jobid"])
    assert node.id == answer["id"] and node.name == name
    d.destroy_node(node)


def test_ex_pick_disk_offering_is_what_create_volume_uses(
    sync_driver: CloudStackNodeDriver,
) -> None:
    offerings = sync_driver.ex_list_disk_offerings()
    fixed = next(o for o in offerings if not o.customizable and o.size)
    assert sync_driver.ex_pick_disk_offering(fixed.size) == fixed
    assert sync_driver.ex_pick_disk_offering(1, fixed.name) == fixed
    with pytest.raises(ValidationError, match="no disk offering named"):
        sync_driver.ex_pick_disk_offering(1, "no such offering")
