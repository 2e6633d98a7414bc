"""States: every Docker state maps to a ContainerState (unknown words to UNKNOWN), and the real
daemon's transitions (created, paused, killed, renamed) read back as they should."""

from __future__ import annotations

from typing import Any

import pytest

from omnicloud.container import Container, ContainerState
from omnicloud.container.drivers.docker import DockerContainerDriver
from omnicloud.container.drivers.docker_convert import CONTAINER, STATES, container_state

from .conftest import IMAGE, fresh_name

S = ContainerState


@pytest.mark.parametrize(
    ("doc", "state"),
    [
        *(({"State": word}, state) for word, state in STATES.items()),
        *(({"State": {"Status": word}}, state) for word, state in STATES.items()),
        ({"State": "RUNNING"}, S.RUNNING),
        ({"State": "hibernating"}, S.UNKNOWN),
        ({"State": {"Status": "frozen"}}, S.UNKNOWN),
        ({"State": {"Running": True, "Paused": True}}, S.PAUSED),
        ({"State": {"Running": True}}, S.RUNNING),
        ({"State": {"Restarting": True, "Running": True}}, S.REBOOTING),
        ({"State": {"Dead": True}}, S.ERROR),
        ({"State": {"FinishedAt": "2026-01-01T00:00:00Z"}}, S.STOPPED),
        ({"State": {}}, S.UNKNOWN),
        ({"Status": "Up 3 minutes"}, S.RUNNING),
        ({"Status": "Up 3 minutes (Paused)"}, S.PAUSED),
        ({"Status": "Exited (0) 2 hours ago"}, S.STOPPED),
        ({"Status": "Created"}, S.PENDING),
        ({"Status": "Restarting (1) 5 seconds ago"}, S.REBOOTING),
        ({"Status": "Removal In Progress"}, S.TERMINATED),
        ({"Status": "Dead"}, S.ERROR),
        ({"Status": "something new"}, S.UNKNOWN),
        ({}, S.UNKNOWN),
        ({"State": None, "Status": None}, S.UNKNOWN),
    ],
)
def test_every_state_maps(doc: dict[str, Any], state: ContainerState) -> None:
    assert container_state(doc) is state


def test_every_container_state_of_libcloud_exists() -> None:
    assert {s.name for s in ContainerState} == {
        "RUNNING",
        "STOPPED",
        "PENDING",
        "TERMINATED",
        "UNKNOWN",
        "ERROR",
        "PAUSED",
        "SUSPENDED",
        "REBOOTING",
    }
    assert str(ContainerState.RUNNING) == "running"


def test_a_list_entry_and_an_inspection_map_alike() -> None:
    entry = {
        "Id": "c1",
        "Names": ["/web"],
        "Image": "busybox:1.36",
        "ImageID": "sha256:aa",
        "State": "exited",
        "Created": 1700000000,
        "NetworkSettings": {"Networks": {"n": {"IPAddress": "10.1.0.2"}}},
    }
    inspection = {
        "Id": "c1",
        "Name": "/web",
        "Image": "sha256:aa",
        "Config": {"Image": "busybox:1.36"},
        "State": {"Status": "exited"},
        "Created": "2023-11-14T22:13:20.123456789Z",
        "NetworkSettings": {"IPAddress": "", "Networks": {"n": {"IPAddress": "10.1.0.2"}}},
    }
    a, b = CONTAINER(entry, driver=None), CONTAINER(inspection, driver=None)
    for c in (a, b):
        assert (c.id, c.name, c.state, c.ip_addresses) == ("c1", "web", S.STOPPED, ["10.1.0.2"])
        assert (c.image.id, c.image.name, c.image.version) == ("sha256:aa", "busybox", "1.36")
    assert a.created_at == b.created_at.replace(microsecond=0)


def test_real_transitions(d: DockerContainerDriver, made: list[Container]) -> None:
    image = d.ex_get_image(IMAGE)
    container = d.deploy_container(fresh_name(), image, start=False, network_mode="none")
    made.append(container)
    assert container.state is S.PENDING
    assert d.list_containers(all=False) == [] or container.id not in {
        c.id for c in d.list_containers(all=False)
    }
    running = d.start_container(container)
    assert running.state is S.RUNNING
    assert d.ex_pause_container(running).state is S.PAUSED
    assert {c.id: c.state for c in d.list_containers()}[container.id] is S.PAUSED
    assert d.ex_unpause_container(running).state is S.RUNNING
    new_name = fresh_name()
    assert d.ex_rename_container(running, new_name).name == new_name
    killed = d.ex_kill_container(running)
    assert killed.state is S.STOPPED
    assert killed.extra["State"]["ExitCode"] == 137


def _frozen(value: Any) -> Any:
    """``value`` with every dict a read-only mapping (not a dict): the converters' slow way."""
    from types import MappingProxyType

    if isinstance(value, dict):
        return MappingProxyType({k: _frozen(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_frozen(v) for v in value]
    return value


@pytest.mark.parametrize(
    "doc",
    [
        {
            "Id": "c2",
            "Names": ["/api"],
            "Image": "reg.example:5000/team/api:2",
            "ImageID": "sha256:bb",
            "State": "Paused",
            "Created": 1700000000.5,
            "NetworkSettings": {
                "IPAddress": "172.17.0.3",
                "GlobalIPv6Address": "fd00::3",
                "Networks": {
                    "bridge": {"IPAddress": "172.17.0.3", "GlobalIPv6Address": ""},
                    "other": {"IPAddress": "10.9.0.4", "GlobalIPv6Address": "fd00::3"},
                    "odd": None,
                },
            },
        },
        {
            "Id": "c2",
            "Name": "/api",
            "Image": "sha256:bb",
            "Config": {"Image": "reg.example:5000/team/api:2"},
            "State": {"Status": "paused", "Running": True, "Paused": True},
            "Created": "0001-01-01T00:00:00Z",
            "NetworkSettings": {"Networks": None},
        },
    ],
    ids=["list entry", "inspection"],
)
def test_dicts_and_other_mappings_map_alike(doc: dict[str, Any]) -> None:
    fast, slow = CONTAINER(doc, driver="d"), CONTAINER(_frozen(doc), driver="d")
    for c in (fast, slow):
        assert (c.id, c.name, c.state, c.driver) == ("c2", "api", S.PAUSED, "d")
        assert (c.image.id, c.image.name, c.image.version, c.image.path) == (
            "sha256:bb",
            "reg.example:5000/team/api",
            "2",
            "reg.example:5000/team/api:2",
        )
    assert fast.ip_addresses == slow.ip_addresses
    if "Names" in doc:
        assert fast.ip_addresses == ["172.17.0.3", "fd00::3", "10.9.0.4"]
        assert fast.created_at is not None and fast.created_at.microsecond == 500000
    else:
        assert fast.ip_addresses == [] and fast.created_at is None
    assert fast.extra is doc  # a parsed document is the container's own: kept, not copied
    assert type(slow.extra) is dict and slow.extra == dict(_frozen(doc))
