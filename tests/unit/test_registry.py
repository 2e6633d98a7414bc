"""The one driver table, read by get_driver, aio, the family modules, connect() and the CLI."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

import omnicloud
import omnicloud.aio
from omnicloud import DriverNotAvailableError, DriverType, Provider
from omnicloud._connect import connect, families, has_driver, profile_kinds
from omnicloud._registry import UnknownProviderError, register, unset_driver
from omnicloud._table import ENTRIES, FAMILIES, Credential, DriverEntry
from omnicloud.config import Profile
from omnicloud.errors import ConfigurationError


def _imported(path: str) -> type:
    module, _, name = path.partition(":")
    cls: type = getattr(importlib.import_module(module), name)
    return cls


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.family}-{e.provider}")
def test_every_entry_is_what_every_lookup_gives(entry: DriverEntry) -> None:
    assert entry.family in FAMILIES
    sync, asynchronous = _imported(entry.sync), _imported(entry.asynchronous or "")
    family = importlib.import_module(f"omnicloud.{entry.family}.providers")
    found = [
        omnicloud.get_driver(entry.family, entry.provider),
        family.get_driver(entry.provider),
    ]
    found_async = [
        omnicloud.aio.get_driver(entry.family, entry.provider),
        family.get_async_driver(entry.provider),
    ]
    for cls in found:
        assert cls is sync if not entry.preset else issubclass(cls, sync) and cls is not sync
    for cls in found_async:
        assert cls is asynchronous if not entry.preset else issubclass(cls, asynchronous)


def test_the_families_are_the_driver_types() -> None:
    from omnicloud._registry import _FAMILIES

    assert tuple(_FAMILIES) == FAMILIES
    assert FAMILIES == ("compute", "storage", "loadbalancer", "dns", "container", "backup")
    for family in FAMILIES:
        assert _FAMILIES[family] is getattr(DriverType, family.upper())


def test_profile_kinds_come_from_the_table() -> None:
    from omnicloud.cli.config_cmd import _known_kinds

    expected = sorted({kind for e in ENTRIES for kind in (*e.kinds, *e.simulators)})
    assert profile_kinds() == expected == _known_kinds()
    assert {"cloudstack", "exoscale", "cloudsigma", "s3", "aws", "local"} <= set(expected)
    assert families("cloudstack") == ["compute", "loadbalancer"]
    assert families("cloudstack-sim") == ["compute", "storage", "loadbalancer"]
    assert families("aws") == ["compute", "storage", "loadbalancer", "dns"]
    assert families("azure") == ["compute", "storage"] == families("gcp")
    assert families("openstack") == ["compute", "storage"]
    assert families("libvirt") == ["compute"] and families("docker") == ["container"]
    assert families("nimbus") == []
    assert has_driver("loadbalancer", "cloudstack") and not has_driver("loadbalancer", "exoscale")
    assert has_driver(DriverType.STORAGE, "minio")


def test_a_lone_union_constant_finds_its_family() -> None:
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
    from omnicloud.storage.drivers.local import AsyncLocalStorageDriver, LocalStorageDriver
    from omnicloud.storage.drivers.s3 import S3StorageDriver

    assert omnicloud.get_driver(Provider.LOCAL) is LocalStorageDriver
    assert omnicloud.get_driver("minio") is S3StorageDriver
    assert omnicloud.get_driver(Provider.S3) is S3StorageDriver
    assert issubclass(omnicloud.get_driver(Provider.S3_EU_WEST), S3StorageDriver)
    assert omnicloud.aio.get_driver(Provider.LOCAL) is AsyncLocalStorageDriver
    assert omnicloud.get_driver(Provider.CLOUDSTACK) is CloudStackNodeDriver  # compute first
    with pytest.raises(DriverNotAvailableError, match="no compute driver for provider 'nimbus'"):
        omnicloud.get_driver(Provider.NIMBUS)


def _cloudstack(**extra: object) -> Profile:
    credentials = {"endpoint": "http://127.0.0.1:9/client/api", "key": "k", "secret": "s-cret"}
    return Profile("lab", "cloudstack", {**credentials, **extra})


def test_connect_gives_the_cloudstack_load_balancer() -> None:
    from omnicloud.loadbalancer.drivers.cloudstack import (
        AsyncCloudStackLBDriver,
        CloudStackLBDriver,
    )

    driver = connect(driver_type="loadbalancer", profile=_cloudstack(timeout=7))
    try:
        assert type(driver) is CloudStackLBDriver and "s-cret" not in repr(driver)
    finally:
        driver.close()
    lb = connect(driver_type=DriverType.LOADBALANCER, profile=_cloudstack(), asynchronous=True)
    assert type(lb) is AsyncCloudStackLBDriver
    with pytest.raises(ConfigurationError, match="needs a secret key"):
        connect(driver_type="loadbalancer", profile=Profile("half", "cloudstack", {"key": "k"}))


def test_the_local_cloud_has_a_load_balancer(data_dir: Path) -> None:
    with omnicloud.connect("local") as compute:
        nodes = compute.list_nodes()
    with omnicloud.connect("local", "loadbalancer") as lb:
        assert "tcp" in lb.list_protocols()
        assert isinstance(lb.list_balancers(), list)

    async def go() -> list[str]:
        async with omnicloud.connect("local", "loadbalancer", asynchronous=True) as driver:
            return list(await driver.list_protocols())

    assert "tcp" in anyio.run(go)
    assert isinstance(nodes, list)


@pytest.mark.parametrize(
    ("name", "kind", "family", "has"),
    [
        ("aws", "aws", "container", "has drivers for: compute, storage, loadbalancer, dns"),
        ("lab", "cloudstack", "storage", "has drivers for: compute, loadbalancer"),
        ("s3", "s3", "loadbalancer", "has drivers for: storage"),
        ("az", "azure", "dns", "has drivers for: compute, storage"),
        ("lab", "cloudstack", "dns", "has drivers for: compute, loadbalancer"),
        ("lab", "cloudstack", "container", "has drivers for: compute, loadbalancer"),
        ("lab", "cloudstack", "backup", "has drivers for: compute, loadbalancer"),
    ],
)
def test_a_family_the_profile_lacks_names_those_it_has(
    name: str, kind: str, family: str, has: str
) -> None:
    with pytest.raises(DriverNotAvailableError) as caught:
        connect(driver_type=family, profile=Profile(name, kind, {"key": "k", "secret": "s"}))
    message = str(caught.value)
    assert isinstance(caught.value, ConfigurationError)
    assert (
        f"cloud {name!r} is of kind {kind!r}, for which omnicloud has no {family} driver yet"
        in message
    )
    assert f"kind {kind!r} {has}" in message
    assert f"kinds with {family} drivers: " in message


def test_dns_and_container_kinds(data_dir: Path) -> None:
    with pytest.raises(DriverNotAvailableError, match="kinds with dns drivers: aws, powerdns\\)"):
        omnicloud.connect("local", "dns")
    with pytest.raises(DriverNotAvailableError, match="kinds with container drivers: docker\\)"):
        omnicloud.connect("local", "container")
    profile = Profile("dk", "docker", {"endpoint": "unix:///run/omnicloud-test.sock"})
    driver = connect(driver_type="container", profile=profile)
    try:
        assert type(driver).__name__ == "DockerContainerDriver"
        assert driver.endpoint == "unix:///run/omnicloud-test.sock"
    finally:
        driver.close()
    with pytest.raises(UnknownProviderError, match="unknown driver type 'teleport'"):
        omnicloud.connect("local", "teleport")


def test_connect_reads_only_the_simulator_it_needs(tmp_path: Path) -> None:
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n"
        "  lab: {kind: cloudstack, credentials: "
        "{endpoint: 'http://127.0.0.1:9/client/api', key: k, secret: s}}\n"
        "  box: {kind: s3, credentials: {key: k, secret: s, endpoint: 'http://127.0.0.1:9'}}\n"
        "  sigma: {kind: cloudsigma, credentials: {username: a@b.c, password: p}}\n"
    )
    config.chmod(0o600)
    code = (
        "import sys, omnicloud\n"
        "for family, name in [('compute', 'lab'), ('loadbalancer', 'lab'), ('storage', 'box'),"
        " ('compute', 'sigma')]:\n"
        "    for flag in (False, True):\n"
        "        omnicloud.connect(name, family, asynchronous=flag)\n"
        "assert 'omnicloud._connect' in sys.modules\n"
        "print(sorted(m for m in sys.modules if m.startswith(('omnicloud.sim', 'omnicloud._sim'))))"
    )
    env = {**os.environ, "OMNICLOUD_CONFIG": str(config), "OMNICLOUD_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture
def mycloud() -> Iterator[DriverEntry]:
    cs = "omnicloud.compute.drivers.cloudstack"
    entry = DriverEntry(
        "compute",
        "mycloud",
        f"{cs}:IkoulaNodeDriver",
        f"{cs}:AsyncIkoulaNodeDriver",
        kinds=("mycloud",),
        credentials=(
            Credential(("token",), "a token"),
            Credential(("password",), "a password"),
            Credential(("where",), "an endpoint", "url", required=False),
        ),
        options={"wait": "timeout"},
    )
    register(entry)
    yield entry
    unset_driver("mycloud")


def test_a_new_provider_is_one_entry(mycloud: DriverEntry) -> None:
    from omnicloud.cli.config_cmd import _check_kind
    from omnicloud.compute.drivers.cloudstack import AsyncIkoulaNodeDriver, IkoulaNodeDriver

    assert omnicloud.get_driver("mycloud") is IkoulaNodeDriver
    assert omnicloud.aio.get_driver("mycloud") is AsyncIkoulaNodeDriver
    assert "mycloud" in profile_kinds("compute") and _check_kind("MyCloud") == "mycloud"
    profile = Profile(
        "mine", "mycloud", {"token": "t", "password": "pw", "where": "http://127.0.0.1:9/api"}
    )
    driver = connect(profile=profile)
    try:
        assert type(driver) is IkoulaNodeDriver
    finally:
        driver.close()
    with pytest.raises(
        ConfigurationError, match=r"needs a password in its credentials \(password\)"
    ):
        connect(profile=Profile("mine", "mycloud", {"token": "t"}))
    with pytest.raises(UnknownProviderError, match="already registered"):
        register(mycloud)


def test_a_broken_entry_is_not_kept() -> None:
    broken = DriverEntry("storage", "nowhere", "no.such.module:Driver")
    with pytest.raises(ModuleNotFoundError):
        register(broken)
    with pytest.raises(DriverNotAvailableError):
        omnicloud.get_driver("storage", "nowhere")
    with pytest.raises(UnknownProviderError, match="lower case"):
        register(DriverEntry("Storage", "X", "no.such.module:Driver"))
