"""The libvirt driver beyond the conformance suite, on libvirt's in-process test hypervisor:
Libcloud's calls with only the import changed, overlays and clean-up, states, hostile names,
disks, the async driver off the event loop, profiles and the CLI, secrets out of sight."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

import omnicloud
import omnicloud.aio
from omnicloud.cli import main
from omnicloud.compute import NodeState, StorageVolumeState
from omnicloud.compute.drivers.libvirt import (
    NODE_STATES,
    AsyncLibvirtNodeDriver,
    LibvirtError,
    LibvirtNodeDriver,
    node_state,
)
from omnicloud.compute.drivers.libvirt_host import LibvirtHost
from omnicloud.errors import ConfigurationError, NotFoundError, NotSupportedError, ValidationError

URI = "test:///default"


@pytest.fixture(scope="module")
def hypervisor() -> Iterator[LibvirtNodeDriver]:
    """One open connection for the module: the test hypervisor keeps state while one is open."""
    with LibvirtNodeDriver(URI) as driver:
        yield driver


@pytest.fixture
def driver(hypervisor: LibvirtNodeDriver) -> Iterator[LibvirtNodeDriver]:
    with LibvirtNodeDriver(URI) as made:
        yield made


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def image(driver: LibvirtNodeDriver) -> Any:
    volume = driver.create_volume(1, unique("img"))
    return driver.get_image(volume.id)


def test_libcloud_example_with_only_the_import_changed(hypervisor: LibvirtNodeDriver) -> None:
    from omnicloud.compute.providers import get_driver
    from omnicloud.compute.types import Provider

    cls = get_driver(Provider.LIBVIRT)
    driver = cls(uri=URI)
    try:
        nodes = driver.list_nodes()
        test = next(n for n in nodes if n.name == "test")
        assert test.state is NodeState.RUNNING and test.private_ips
        assert driver.ex_suspend_node(test) is True
        assert driver.ex_get_node_by_name("test").state is NodeState.PAUSED
        assert driver.ex_resume_node(test) is True
        assert driver.reboot_node(test) is True
        assert driver.ex_shutdown_node(test) is True
        assert driver.ex_get_node_by_uuid(test.id).state is NodeState.STOPPED
        assert driver.ex_start_node(test) is True
        assert driver.ex_get_node(test.id).state is NodeState.RUNNING
        assert driver.ex_get_hypervisor_hostname()
        assert "bios" in driver.ex_get_hypervisor_sysinfo()
    finally:
        driver.close()


def test_registry_names() -> None:
    assert omnicloud.get_driver(omnicloud.Provider.LIBVIRT) is LibvirtNodeDriver
    assert omnicloud.get_driver("compute", "libvirt") is LibvirtNodeDriver
    assert omnicloud.aio.get_driver(omnicloud.Provider.LIBVIRT) is AsyncLibvirtNodeDriver


def test_states_are_total() -> None:
    assert set(NODE_STATES) == set(range(8))
    assert node_state(3) is NodeState.PAUSED and node_state(5) is NodeState.STOPPED
    assert node_state(4) is NodeState.STOPPING and node_state(6) is NodeState.ERROR
    for odd in (8, -1, None, "x"):
        assert node_state(odd) is NodeState.UNKNOWN


def test_create_boots_an_overlay_and_destroy_removes_only_what_it_made(
    driver: LibvirtNodeDriver,
) -> None:
    base = image(driver)
    size = next(s for s in driver.list_sizes() if s.id == "small")
    node = driver.create_node(unique("web"), size, base)
    assert node.state is NodeState.RUNNING and node.id == node.extra["uuid"]
    assert node.size is not None and node.size.ram == 1024
    (overlay,) = node.extra["created_disks"]
    assert overlay != base.id and overlay in [d["path"] for d in node.extra["disks"]]
    volumes = {v.id: v for v in driver.list_volumes()}
    assert volumes[overlay].state is StorageVolumeState.INUSE
    assert volumes[overlay].extra["attached_to"] == node.name
    assert volumes[base.id].state is StorageVolumeState.AVAILABLE  # never written to
    assert driver.destroy_node(node) is True
    left = {v.id for v in driver.list_volumes()}
    assert overlay not in left and base.id in left
    assert node.id not in {n.id for n in driver.list_nodes()}


def test_a_failed_create_leaves_nothing(
    driver: LibvirtNodeDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = image(driver)
    name = unique("broken")
    before = {v.id for v in driver.list_volumes()}

    def refuse(self: LibvirtHost, xml: str, start: bool) -> Any:
        raise LibvirtError("libvirt: the hypervisor refused the domain")

    monkeypatch.setattr(LibvirtHost, "define", refuse)
    with pytest.raises(LibvirtError, match="refused"):
        driver.create_node(name, driver.list_sizes()[0], base)
    # the overlay made for it is deleted again
    assert {v.id for v in driver.list_volumes()} == before
    assert name not in {n.name for n in driver.list_nodes()}


@pytest.mark.parametrize("name", ["../etc", "a/b", "<x>", ".hidden", "", "x" * 64, "a..b"])
def test_hostile_names_are_refused_before_libvirt_sees_them(
    driver: LibvirtNodeDriver, name: str
) -> None:
    base = image(driver)
    before = ({n.name for n in driver.list_nodes()}, {v.id for v in driver.list_volumes()})
    with pytest.raises(ValidationError):
        driver.create_node(name, driver.list_sizes()[0], base)
    with pytest.raises(ValidationError):
        driver.create_volume(1, name)
    assert before == ({n.name for n in driver.list_nodes()}, {v.id for v in driver.list_volumes()})


def test_disks_of_a_stopped_node_and_a_running_one(driver: LibvirtNodeDriver) -> None:
    node = driver.create_node(unique("disk"), driver.list_sizes()[0], image(driver))
    data = driver.create_volume(1, unique("data"))
    try:
        # the test hypervisor has no live disk changes: a clear error, nothing changed
        with pytest.raises(NotSupportedError, match="stop the node first"):
            driver.attach_volume(node, data)
        driver.stop_node(node)
        assert driver.attach_volume(node, data) is True
        disks = driver.ex_get_node(node.id).extra["disks"]
        assert {"path": data.id, "target": "vdb", "device": "disk"} in disks
        with pytest.raises(LibvirtError, match="in use"):
            driver.destroy_volume(data)
        with pytest.raises(ValidationError, match="already attached"):
            driver.attach_volume(node, data)
        assert driver.detach_volume(data) is True
        assert driver.detach_volume(data) is False
        assert driver.destroy_volume(data) is True
    finally:
        driver.destroy_node(node)


def test_sizes_fit_the_host(driver: LibvirtNodeDriver) -> None:
    host_mib = driver.host.host().memory_mib
    sizes = driver.list_sizes()
    assert sizes and all(s.ram <= host_mib and s.extra["cpu"] >= 1 for s in sizes)
    assert [s.ram for s in sizes] == sorted(s.ram for s in sizes)


def test_missing_things_are_not_found(driver: LibvirtNodeDriver) -> None:
    with pytest.raises(NotFoundError):
        driver.ex_get_node(str(uuid.uuid4()))
    with pytest.raises(NotFoundError):
        driver.ex_get_node_by_name("no-such-node")
    with pytest.raises(NotFoundError):
        driver.get_image("/default-pool/no-such-image")


def test_async_driver_keeps_the_event_loop_free(
    hypervisor: LibvirtNodeDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_threads: set[int] = set()
    called_in: list[int] = []
    window: list[float] = []
    real = LibvirtHost.domains

    def slow_domains(self: LibvirtHost) -> Any:
        called_in.append(threading.get_ident())
        window.append(time.monotonic())
        time.sleep(0.3)  # a slow hypervisor
        window.append(time.monotonic())
        return real(self)

    monkeypatch.setattr(LibvirtHost, "domains", slow_domains)
    ticks: list[float] = []

    async def main() -> int:
        loop_threads.add(threading.get_ident())
        async with AsyncLibvirtNodeDriver(URI) as driver:
            async with anyio.create_task_group() as group:

                async def tick() -> None:
                    for _ in range(10):
                        ticks.append(time.monotonic())
                        await anyio.sleep(0.02)

                group.start_soon(tick)
                nodes = await driver.list_nodes()
        return len(nodes)

    assert anyio.run(main) >= 1
    assert called_in and not set(called_in) & loop_threads  # libvirt ran in a worker thread
    # the loop went on ticking while libvirt was busy (a blocked loop ticks not once then)
    assert sum(window[0] < tick < window[1] for tick in ticks) >= 2, (window, ticks)


def test_a_profile_of_kind_libvirt(
    hypervisor: LibvirtNodeDriver,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  lab:\n    kind: libvirt\n    credentials:\n"
        f"      uri: {URI}\n      password: hunter2-secret\n      user: me\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    driver = omnicloud.connect("lab")
    try:
        assert isinstance(driver, LibvirtNodeDriver)
        assert "hunter2-secret" not in repr(driver) and "hunter2-secret" not in repr(driver.host)
    finally:
        driver.close()
    # the CLI lists the nodes of the profile (the test hypervisor needs no password: it is
    # handed to libvirt only when the URI asks for one)
    config.write_text(f"cloud:\n  lab:\n    kind: libvirt\n    credentials:\n      uri: {URI}\n")
    assert main(["--cloud", "lab", "nodes", "list"]) == 0
    out, err = capsys.readouterr()
    assert "test" in out.split() and "running" in out, err


def test_without_libvirt_python_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "libvirt", None)  # as if it were not installed
    driver = LibvirtNodeDriver(URI)
    with pytest.raises(ConfigurationError, match=r"pip install 'omnicloud\[libvirt\]'"):
        driver.list_nodes()


def test_a_bad_uri_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match="libvirt URI"):
        LibvirtNodeDriver("not a uri")
