"""The OpenStack Swift storage driver (sync and async) passes the storage conformance suite
against the OpenStack simulator's object store (Keystone v3 token, ``object-store`` from the
catalog), as it does against a real Swift (``test_swift_storage.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread
from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver,
    OpenStackSwiftStorageDriver,
)

from ._twin import MODES, Subject, open_subject
from .storage import StorageCaps, TestStorageConformance

__all__ = ["TestStorageConformance"]


def _small_pages(driver: Any) -> None:
    driver._ops.page_size = 2  # listings of two: the marker gets used


# Swift names are opaque: ``a/../b`` is stored and fetched as exactly that name.
CAPS = StorageCaps(dot_segments="exact", small_pages=_small_pages)


@pytest.fixture(scope="module")
def openstack_sim() -> Iterator[tuple[RunningServer, OpenStackState]]:
    state = OpenStackState()
    with serve_in_thread(create_app(state, config=SimConfig())) as server:
        yield server, state
    state.close()


@pytest.fixture(params=MODES)
def storage_driver(
    request: pytest.FixtureRequest,
    openstack_sim: tuple[RunningServer, OpenStackState],
    portal: Any,
) -> Iterator[Subject[StorageCaps]]:
    server, state = openstack_sim

    def make(asynchronous: bool) -> Any:
        cls = AsyncOpenStackSwiftStorageDriver if asynchronous else OpenStackSwiftStorageDriver
        return cls(
            "admin",
            state.password,
            ex_force_auth_url=f"{server.url}/identity/v3",
            ex_force_auth_version="3.x_password",
            ex_tenant_name="demo",
            ex_domain_name="Default",
            ex_force_service_region="RegionOne",
        )

    with open_subject(request.param, make, CAPS, portal) as subject:
        yield subject
