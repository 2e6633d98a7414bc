"""Async entry points: ``async with omnicloud.aio.get_driver(Provider.X)(key, secret) as d:``."""

from __future__ import annotations

from enum import Enum
from typing import overload

from omnicloud._providers import ProviderName
from omnicloud._registry import DriverType, Provider, resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = ["DriverType", "Provider", "get_driver"]


# Typed as omnicloud.get_driver, with the async classes.
@overload
def get_driver(provider: dt.CloudStack, /) -> type[dt.AsyncCloudStackNodeDriver]: ...
@overload
def get_driver(provider: dt.Exoscale, /) -> type[dt.AsyncExoscaleNodeDriver]: ...
@overload
def get_driver(provider: dt.Ikoula, /) -> type[dt.AsyncIkoulaNodeDriver]: ...
@overload
def get_driver(provider: dt.CloudSigma, /) -> type[dt.AsyncCloudSigmaNodeDriver]: ...
@overload
def get_driver(provider: dt.EC2, /) -> type[dt.AsyncEC2NodeDriver]: ...
@overload
def get_driver(provider: dt.Libvirt, /) -> type[dt.AsyncLibvirtNodeDriver]: ...
@overload
def get_driver(provider: dt.OpenStack, /) -> type[dt.AsyncOpenStackNodeDriver]: ...
@overload
def get_driver(provider: dt.CloudStackLBOnly, /) -> type[dt.AsyncCloudStackLBDriver]: ...
@overload
def get_driver(provider: dt.ALB, /) -> type[dt.AsyncApplicationLBDriver]: ...
@overload
def get_driver(provider: dt.ELB, /) -> type[dt.AsyncELBDriver]: ...
@overload
def get_driver(provider: dt.Route53, /) -> type[dt.AsyncRoute53DNSDriver]: ...
@overload
def get_driver(provider: dt.PowerDNS, /) -> type[dt.AsyncPowerDNSDriver]: ...
@overload
def get_driver(provider: dt.Docker, /) -> type[dt.AsyncDockerContainerDriver]: ...
@overload
def get_driver(provider: dt.Local, /) -> type[dt.AsyncLocalStorageDriver]: ...
@overload
def get_driver(provider: dt.AzureBlobs, /) -> type[dt.AsyncAzureBlobsStorageDriver]: ...
@overload
def get_driver(provider: dt.GoogleStorage, /) -> type[dt.AsyncGoogleStorageDriver]: ...
@overload
def get_driver(provider: dt.OpenStackSwift, /) -> type[dt.AsyncOpenStackSwiftStorageDriver]: ...
@overload
def get_driver(provider: dt.S3, /) -> type[dt.AsyncS3StorageDriver]: ...
@overload
def get_driver(provider: str | Enum, /) -> type[Any]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.CloudStack, /
) -> type[dt.AsyncCloudStackNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.Exoscale, /
) -> type[dt.AsyncExoscaleNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.Ikoula, /
) -> type[dt.AsyncIkoulaNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.CloudSigma, /
) -> type[dt.AsyncCloudSigmaNodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.EC2, /) -> type[dt.AsyncEC2NodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.Libvirt, /
) -> type[dt.AsyncLibvirtNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.OpenStack, /
) -> type[dt.AsyncOpenStackNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.LoadBalancer, provider: dt.CloudStackLB, /
) -> type[dt.AsyncCloudStackLBDriver]: ...
@overload
def get_driver(
    driver_type: dt.LoadBalancer, provider: dt.ALB, /
) -> type[dt.AsyncApplicationLBDriver]: ...
@overload
def get_driver(driver_type: dt.LoadBalancer, provider: dt.ELB, /) -> type[dt.AsyncELBDriver]: ...
@overload
def get_driver(driver_type: dt.DNS, provider: dt.Route53, /) -> type[dt.AsyncRoute53DNSDriver]: ...
@overload
def get_driver(driver_type: dt.DNS, provider: dt.PowerDNS, /) -> type[dt.AsyncPowerDNSDriver]: ...
@overload
def get_driver(
    driver_type: dt.Container, provider: dt.Docker, /
) -> type[dt.AsyncDockerContainerDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.Local, /
) -> type[dt.AsyncLocalStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.AzureBlobs, /
) -> type[dt.AsyncAzureBlobsStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.GoogleStorage, /
) -> type[dt.AsyncGoogleStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.OpenStackSwift, /
) -> type[dt.AsyncOpenStackSwiftStorageDriver]: ...
@overload
def get_driver(driver_type: dt.Storage, provider: dt.S3, /) -> type[dt.AsyncS3StorageDriver]: ...
@overload
def get_driver(
    driver_type: str | Enum | type[ProviderName], provider: str | Enum, /
) -> type[Any]: ...
def get_driver(*args: Any) -> type[Any]:
    """The async driver class for ``([driver_type,] provider)``; its methods are coroutines."""
    return resolve(*args, asynchronous=True)
