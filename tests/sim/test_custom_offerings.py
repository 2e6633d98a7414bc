"""Custom (``iscustomized``) service offerings carry no cpunumber/cpuspeed/memory, as on a real
cloud, and both our driver and Libcloud's are checked against that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider

from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
from omnicloud.sim.cloudstack import CloudStackState
from omnicloud.sim.cloudstack._seed import seed_id

from .conftest import Sim

_SIZING = ("cpunumber", "cpuspeed", "memory")


def test_custom_offering_omits_its_sizing(sim: Sim) -> None:
    offerings = {o["name"]: o for o in sim.call("listServiceOfferings")["serviceoffering"]}
    custom = offerings["Custom"]
    assert custom["iscustomized"] is True
    assert not set(_SIZING) & set(custom)
    small = offerings["Small Instance"]
    assert (small["cpunumber"], small["memory"]) == (1, 512) and "cpuspeed" in small


def test_old_state_files_lose_the_zero_sizing(tmp_path: Path) -> None:
    path = tmp_path / "cs.db"
    state = CloudStackState(path)
    doc = state.store.get("serviceoffering", seed_id("serviceoffering:Custom"))
    assert doc is not None
    doc.update(cpunumber=0, cpuspeed=0, memory=0)
    with state.store.transaction():
        state.store.save(doc)
    state.store._db.execute("DELETE FROM meta WHERE key = 'custom-offering-sizing'")
    state.close()
    again = CloudStackState(path)
    upgraded = again.store.get("serviceoffering", seed_id("serviceoffering:Custom"))
    assert upgraded is not None and not set(_SIZING) & set(upgraded)
    again.close()


def test_a_custom_vm_gets_the_sizes_it_asked_for(sim: Sim) -> None:
    vm = sim.deploy(
        serviceofferingid=sim.offering("Custom")["id"],
        **{"details[0].cpuNumber": "2", "details[0].cpuSpeed": "1500", "details[0].memory": "1024"},
    )
    assert (vm["cpunumber"], vm["cpuspeed"], vm["memory"]) == (2, 1500, 1024)


def test_our_driver_lists_a_custom_offering(live: Sim) -> None:
    key, secret = live.keys["bob"]
    driver = CloudStackNodeDriver(key, secret, url=live.endpoint)
    sizes = {s.name: s for s in driver.list_sizes()}
    custom = sizes["Custom"]
    # RAM and cores are chosen at deploy time: ram stays an int (0), the cores are unknown
    assert custom.ram == 0
    assert custom.extra["cpu"] is None and custom.extra["speed"] is None
    assert custom.extra["iscustomized"] is True
    assert sizes["Small Instance"].ram == 512 and sizes["Small Instance"].extra["cpu"] == 1


def test_libcloud_list_sizes_fails_on_a_custom_offering(live: Sim) -> None:
    key, secret = live.keys["bob"]
    driver: Any = get_driver(Provider.CLOUDSTACK)(key, secret, url=live.endpoint, secure=False)
    # Libcloud's CloudStack driver reads offering["cpunumber"] unconditionally, so on a real cloud
    # that has a custom offering list_sizes raises KeyError; the simulator now does the same.
    with pytest.raises(KeyError, match="cpunumber"):
        driver.list_sizes()
