"""Provider names and the lazily importing driver registry.

``get_driver(Provider.CLOUDSTACK)`` imports the driver module on first use; nothing here imports a
driver, HTTP or SSH code. Third-party drivers register with :func:`set_driver`.
"""

from __future__ import annotations

import importlib
import threading
from enum import Enum, StrEnum

from omnicloud.errors import OmnicloudError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DriverType",
    "Provider",
    "UnknownProviderError",
    "get_driver",
    "set_driver",
]


class UnknownProviderError(OmnicloudError, LookupError):
    """No driver is registered under that provider name (or driver type)."""


class DriverType(StrEnum):
    """The API families: ``get_driver(DriverType.COMPUTE, Provider.X)``."""

    COMPUTE = "compute"
    LOADBALANCER = "loadbalancer"
    STORAGE = "storage"
    DNS = "dns"
    CONTAINER = "container"


class Provider(StrEnum):
    """Provider names; the value is the lower-case string (``Provider.EXOSCALE == "exoscale"``)."""

    CLOUDSTACK = "cloudstack"
    EXOSCALE = "exoscale"
    IKOULA = "ikoula"
    CLOUDSIGMA = "cloudsigma"
    LOCAL = "local"
    S3 = "s3"
    MINIO = "minio"
    CEPH = "ceph"
    SWIFT_S3 = "swift_s3"

    def __str__(self) -> str:
        return self.value


_CS = "omnicloud.compute.drivers.cloudstack"
_LB = "omnicloud.loadbalancer.drivers.cloudstack"
_SIGMA = "omnicloud.compute.drivers.cloudsigma"
_LOCAL = "omnicloud.storage.drivers.local"
_S3 = "omnicloud.storage.drivers.s3"

# (driver type, provider, async?) -> "module:Class"
_DRIVERS: dict[tuple[str, str, bool], str] = {
    ("compute", "cloudstack", False): f"{_CS}:CloudStackNodeDriver",
    ("compute", "cloudstack", True): f"{_CS}:AsyncCloudStackNodeDriver",
    ("compute", "exoscale", False): f"{_CS}:ExoscaleNodeDriver",
    ("compute", "exoscale", True): f"{_CS}:AsyncExoscaleNodeDriver",
    ("compute", "ikoula", False): f"{_CS}:IkoulaNodeDriver",
    ("compute", "ikoula", True): f"{_CS}:AsyncIkoulaNodeDriver",
    ("compute", "cloudsigma", False): f"{_SIGMA}:CloudSigmaNodeDriver",
    ("compute", "cloudsigma", True): f"{_SIGMA}:AsyncCloudSigmaNodeDriver",
    ("loadbalancer", "cloudstack", False): f"{_LB}:CloudStackLBDriver",
    ("loadbalancer", "cloudstack", True): f"{_LB}:AsyncCloudStackLBDriver",
    ("storage", "local", False): f"{_LOCAL}:LocalStorageDriver",
    ("storage", "local", True): f"{_LOCAL}:AsyncLocalStorageDriver",
    **{
        ("storage", name, asynchronous): f"{_S3}:{'Async' if asynchronous else ''}S3StorageDriver"
        for name in ("s3", "minio", "ceph", "swift_s3")
        for asynchronous in (False, True)
    },
}
_LOCK = threading.Lock()


def _name(value: str | Enum) -> str:
    raw = value.value if isinstance(value, Enum) else value
    if not isinstance(raw, str) or not raw:
        raise UnknownProviderError(f"not a provider name: {value!r}")
    return raw.lower()


def _split(args: tuple[Any, ...]) -> tuple[str, str]:
    if len(args) == 1:
        return DriverType.COMPUTE.value, _name(args[0])
    if len(args) == 2:
        kind = _name(args[0])
        if kind not in {member.value for member in DriverType}:
            raise UnknownProviderError(
                f"unknown driver type {args[0]!r}; use one of "
                + ", ".join(member.value for member in DriverType)
            )
        return kind, _name(args[1])
    raise TypeError("get_driver(provider) or get_driver(driver_type, provider)")


def resolve(*args: Any, asynchronous: bool = False) -> type[Any]:
    """Import and return the driver class for ``([driver_type,] provider)``."""
    kind, provider = _split(args)
    target = _DRIVERS.get((kind, provider, asynchronous))
    if target is None:
        known = sorted({p for (k, p, _a) in _DRIVERS if k == kind})
        flavour = "async " if asynchronous else ""
        raise UnknownProviderError(
            f"no {flavour}{kind} driver for provider {provider!r}; "
            f"known: {', '.join(known) or 'none'}"
        )
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        driver: type[Any] = getattr(module, class_name)
    except AttributeError:
        raise UnknownProviderError(f"{module_name} has no driver class {class_name}") from None
    return driver


def get_driver(*args: Any) -> type[Any]:
    """The sync driver class: ``get_driver(Provider.X)`` or ``get_driver(DriverType.X, X)``."""
    return resolve(*args)


def set_driver(
    provider: str | Enum,
    module: str,
    klass: str,
    *,
    driver_type: str | Enum = DriverType.COMPUTE,
    async_class: str | None = None,
) -> type[Any]:
    """Register a third-party driver ``module.klass`` under ``provider`` and return its class.

    The module is imported right away so a typo fails here, not at first use; an already
    registered provider is refused.
    """
    kind, name = _name(driver_type), _name(provider)
    with _LOCK:
        if (kind, name, False) in _DRIVERS:
            raise UnknownProviderError(f"a {kind} driver for {name!r} is already registered")
        _DRIVERS[(kind, name, False)] = f"{module}:{klass}"
        if async_class:
            _DRIVERS[(kind, name, True)] = f"{module}:{async_class}"
    try:
        return resolve(kind, name)
    except Exception:
        with _LOCK:
            _DRIVERS.pop((kind, name, False), None)
            _DRIVERS.pop((kind, name, True), None)
        raise


def unset_driver(provider: str | Enum, *, driver_type: str | Enum = DriverType.COMPUTE) -> None:
    """Forget a registration made with :func:`set_driver` (tests, plugins being unloaded)."""
    kind, name = _name(driver_type), _name(provider)
    with _LOCK:
        _DRIVERS.pop((kind, name, False), None)
        _DRIVERS.pop((kind, name, True), None)
