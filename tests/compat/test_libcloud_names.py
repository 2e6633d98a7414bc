"""Libcloud's module layout, names and provider constants exist in omnicloud and behave alike.

The installed Apache Libcloud (a dev dependency) is the reference for names and values.
"""

from __future__ import annotations

import subprocess
import sys
from enum import Enum
from typing import Any

import pytest

import omnicloud
from omnicloud import DriverNotAvailableError, DriverType
from omnicloud._registry import UnknownProviderError
from omnicloud.errors import ConfigurationError, OmnicloudError


def constants(family: Any) -> dict[str, str]:
    """``NAME: value`` of a Libcloud provider class or enum (values lower-cased, as compared)."""
    return {
        name: str(value.value if isinstance(value, Enum) else value)
        for name, value in vars(family).items()
        if name.isupper() and not name.startswith("_")
    }


FAMILIES = [
    ("compute", "libcloud.compute.types", "omnicloud.compute.types"),
    ("storage", "libcloud.storage.types", "omnicloud.storage.types"),
    ("loadbalancer", "libcloud.loadbalancer.types", "omnicloud.loadbalancer.types"),
    ("dns", "libcloud.dns.types", "omnicloud.dns.types"),
    ("container", "libcloud.container.types", "omnicloud.container.types"),
]


@pytest.mark.parametrize(("family", "theirs", "ours"), FAMILIES)
def test_every_libcloud_provider_constant_exists_with_its_value(
    family: str, theirs: str, ours: str
) -> None:
    import importlib

    libcloud_names = constants(importlib.import_module(theirs).Provider)
    provider = importlib.import_module(ours).Provider
    assert libcloud_names, family
    for name, value in libcloud_names.items():
        assert getattr(provider, name) == value, name
        if family in ("compute", "storage", "loadbalancer"):  # omnicloud.Provider's families
            assert getattr(omnicloud.Provider, name) == value, name


def test_the_other_families_have_libcloud_constants_too() -> None:
    import libcloud

    for kind in ("BACKUP", "CONTAINER", "DNS"):
        ours = getattr(DriverType, kind)
        for name, value in constants(getattr(libcloud.DriverType, kind)).items():
            assert getattr(ours, name) == value, (kind, name)


def test_driver_type_members_are_the_provider_enums() -> None:
    from omnicloud.compute.types import Provider as ComputeProvider
    from omnicloud.loadbalancer.types import Provider as LBProvider
    from omnicloud.storage.types import Provider as StorageProvider

    assert DriverType.COMPUTE is ComputeProvider
    assert DriverType.STORAGE is StorageProvider
    assert DriverType.LOADBALANCER is LBProvider
    assert DriverType.COMPUTE.OPENSTACK == "openstack"
    assert str(DriverType.COMPUTE.AZURE_ARM) == "azure_arm"
    for name in ("EC2", "GCE", "LIBVIRT", "DIGITAL_OCEAN", "CLOUDSTACK", "EXOSCALE"):
        assert hasattr(ComputeProvider, name)
    assert DriverType.CONTAINER.DOCKER == "docker"  # Libcloud keeps Docker under containers


def test_get_driver_takes_driver_types_in_every_spelling() -> None:
    import omnicloud.aio
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
    from omnicloud.loadbalancer.drivers.cloudstack import CloudStackLBDriver
    from omnicloud.storage.drivers.local import AsyncLocalStorageDriver, LocalStorageDriver

    assert omnicloud.get_driver(DriverType.COMPUTE, DriverType.COMPUTE.CLOUDSTACK) is (
        CloudStackNodeDriver
    )
    assert omnicloud.get_driver("compute", "cloudstack") is CloudStackNodeDriver
    assert omnicloud.get_driver(DriverType.LOADBALANCER, "cloudstack") is CloudStackLBDriver
    assert omnicloud.get_driver(DriverType.STORAGE.LOCAL) is LocalStorageDriver  # family inferred
    assert omnicloud.aio.get_driver(DriverType.STORAGE, "local") is AsyncLocalStorageDriver
    with pytest.raises(UnknownProviderError, match="unknown driver type"):
        omnicloud.get_driver("teleport", "cloudstack")


def test_family_modules_read_the_one_registry() -> None:
    from omnicloud.compute import providers as compute
    from omnicloud.loadbalancer import providers as lb
    from omnicloud.storage import providers as storage
    from omnicloud.storage.drivers.local import LocalStorageDriver
    from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver

    assert compute.get_driver(compute.Provider.EXOSCALE) is omnicloud.get_driver("exoscale")
    assert lb.get_driver(lb.Provider.CLOUDSTACK) is omnicloud.get_driver(
        "loadbalancer", "cloudstack"
    )
    assert storage.get_driver(storage.Provider.LOCAL) is LocalStorageDriver
    assert storage.get_driver("MINIO") is S3StorageDriver
    assert storage.get_async_driver(storage.Provider.S3) is AsyncS3StorageDriver
    import omnicloud.storage as package

    assert package.get_driver is storage.get_driver and package.Provider is storage.Provider


@pytest.mark.parametrize(
    ("constant", "region"),
    [
        ("S3_US_EAST2", "us-east-2"),
        ("S3_EU_WEST", "eu-west-1"),
        ("S3_AP_NORTHEAST1", "ap-northeast-1"),
    ],
)
def test_s3_region_constants_preset_the_region(constant: str, region: str) -> None:
    from omnicloud.storage.drivers.s3 import S3StorageDriver
    from omnicloud.storage.providers import Provider, get_async_driver, get_driver

    cls = get_driver(getattr(Provider, constant))
    assert issubclass(cls, S3StorageDriver) and cls is not S3StorageDriver
    assert cls is get_driver(getattr(Provider, constant))  # made once
    assert region in repr(cls("key", "secret"))
    assert "eu-north-1" in repr(cls("key", "secret", region="eu-north-1"))  # still overridable
    assert "eu-north-1" in repr(cls("key", "secret", True, None, None, "eu-north-1"))
    assert region in repr(get_async_driver(getattr(Provider, constant))("key", "secret"))


def test_libcloud_s3_regions_match() -> None:
    from libcloud.storage.providers import get_driver as libcloud_driver
    from libcloud.storage.types import Provider as LibcloudProvider

    from omnicloud._registry import S3_REGIONS

    for value, region in S3_REGIONS.items():
        name = next(n for n, v in constants(LibcloudProvider).items() if v == value)
        assert libcloud_driver(getattr(LibcloudProvider, name)).region_name == region, name


@pytest.mark.parametrize(
    ("module", "constant", "family"),
    [
        ("omnicloud.compute.providers", "LINODE", "compute"),
        ("omnicloud.compute.providers", "VULTR", "compute"),
        ("omnicloud.storage.providers", "BACKBLAZE_B2", "storage"),
        ("omnicloud.storage.providers", "CLOUDFILES", "storage"),
        ("omnicloud.storage.providers", "ALIYUN_OSS", "storage"),
        ("omnicloud.loadbalancer.providers", "ALIYUN_SLB", "loadbalancer"),
    ],
)
def test_a_constant_without_a_driver_raises_one_clear_error(
    module: str, constant: str, family: str
) -> None:
    import importlib

    providers = importlib.import_module(module)
    with pytest.raises(DriverNotAvailableError) as caught:
        providers.get_driver(getattr(providers.Provider, constant))
    error = caught.value
    assert isinstance(error, UnknownProviderError | ConfigurationError | OmnicloudError)
    assert f"no {family} driver for provider {constant.lower()!r}" in str(error)
    assert "no driver for this Libcloud provider yet" in str(error)
    assert "known: " in str(error)


def test_dns_and_container_constants_raise_the_same_error() -> None:
    with pytest.raises(DriverNotAvailableError, match=r"known: powerdns, route53$"):
        omnicloud.get_driver(DriverType.DNS, DriverType.DNS.CLOUDFLARE)
    with pytest.raises(DriverNotAvailableError, match=r"known: docker$"):
        omnicloud.get_driver(DriverType.CONTAINER, "kubernetes")


@pytest.mark.parametrize(
    ("family", "constant", "known"),
    [
        ("dns", "CLOUDFLARE", "route53"),
        ("dns", "GOOGLE", "route53"),
        ("container", "KUBERNETES", "docker"),
    ],
)
def test_dns_and_container_have_libcloud_layout_modules(
    family: str, constant: str, known: str
) -> None:
    import importlib

    providers = importlib.import_module(f"omnicloud.{family}.providers")
    types = importlib.import_module(f"omnicloud.{family}.types")
    assert providers.Provider is types.Provider is getattr(DriverType, family.upper())
    for get in (providers.get_driver, providers.get_async_driver):
        with pytest.raises(DriverNotAvailableError, match=f"no (async )?{family} driver.*{known}"):
            get(getattr(providers.Provider, constant))


def test_dns_layout_modules_give_route53_and_libcloud_names() -> None:
    import libcloud.dns.base
    import libcloud.dns.types

    from omnicloud.dns import base, providers, types
    from omnicloud.dns.drivers.route53 import AsyncRoute53DNSDriver, Route53DNSDriver

    assert providers.get_driver(providers.Provider.ROUTE53) is Route53DNSDriver
    assert providers.get_async_driver("route53") is AsyncRoute53DNSDriver
    assert omnicloud.get_driver("route53") is Route53DNSDriver  # a DNS name alone
    assert issubclass(Route53DNSDriver, base.DNSDriver)
    for name in libcloud.dns.types.__all__:
        if name != "OLD_CONSTANT_TO_NEW_MAPPING":
            assert hasattr(types, name), name
    theirs = {n: v for n, v in vars(libcloud.dns.types.RecordType).items() if n.isupper()}
    for name, value in theirs.items():  # Libcloud's AFSDB is "A" (a bug): ours is "AFSDB"
        assert getattr(types.RecordType, name) == (name if name == "AFSDB" else value), name
    assert issubclass(types.ZoneDoesNotExistError, omnicloud.errors.NotFoundError)
    assert issubclass(types.RecordDoesNotExistError, omnicloud.errors.NotFoundError)
    assert not issubclass(types.ZoneAlreadyExistsError, omnicloud.errors.NotFoundError)
    for cls in ("Zone", "Record", "DNSDriver"):
        public = {m for m in dir(getattr(libcloud.dns.base, cls)) if not m.startswith("_")}
        public -= {"connectionCls"}
        assert public <= set(dir(getattr(base, cls))), (cls, public - set(dir(getattr(base, cls))))


def test_a_typo_gets_the_closest_match() -> None:
    with pytest.raises(DriverNotAvailableError, match="did you mean 'cloudstack'"):
        omnicloud.get_driver("cloudstak")
    with pytest.raises(DriverNotAvailableError, match="did you mean 'local'"):
        omnicloud.get_driver(DriverType.STORAGE, "locall")


def test_libcloud_base_and_type_names() -> None:
    from omnicloud.compute import base as compute_base
    from omnicloud.compute import types as compute_types
    from omnicloud.loadbalancer import base as lb_base
    from omnicloud.loadbalancer import types as lb_types
    from omnicloud.storage import base as storage_base
    from omnicloud.storage import types as storage_types

    for name in [
        "Node",
        "NodeSize",
        "NodeImage",
        "NodeLocation",
        "NodeAuthSSHKey",
        "NodeAuthPassword",
        "StorageVolume",
        "VolumeSnapshot",
        "KeyPair",
        "NodeDriver",
        "NodeState",
        "StorageVolumeState",
    ]:
        assert hasattr(compute_base, name), name
    for name in [
        "Provider",
        "NodeState",
        "StorageVolumeState",
        "VolumeSnapshotState",
        "LibcloudError",
    ]:
        assert hasattr(compute_types, name), name
    for name in ["Container", "Object", "StorageDriver"]:
        assert hasattr(storage_base, name), name
    for name in ["LoadBalancer", "Member", "Algorithm", "Driver", "DEFAULT_ALGORITHM"]:
        assert hasattr(lb_base, name), name
    for name in ["Provider", "State", "MemberCondition"]:
        assert hasattr(lb_types, name), name
    assert storage_types.ContainerDoesNotExistError.__name__ == "ContainerDoesNotExistError"
    assert compute_types.LibcloudError is OmnicloudError
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
    from omnicloud.loadbalancer.drivers.cloudstack import CloudStackLBDriver

    assert issubclass(CloudStackNodeDriver, compute_base.NodeDriver)
    assert issubclass(CloudStackLBDriver, lb_base.Driver)
    import libcloud.loadbalancer.base as theirs

    assert {a.name for a in lb_base.Algorithm} == {n for n in vars(theirs.Algorithm) if n.isupper()}


def test_import_omnicloud_stays_cheap() -> None:
    code = (
        "import sys, omnicloud; omnicloud.Provider; omnicloud.DriverType.COMPUTE.OPENSTACK; "
        "heavy = ('httpx', 'aiohttp', 'asyncssh', 'rich', 'click', 'anyio', 'starlette'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " and hasattr(sys.modules[m], '__file__')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
