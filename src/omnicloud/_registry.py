"""The one driver registry of every API family, importing driver modules lazily.

``get_driver(Provider.CLOUDSTACK)`` imports the driver module on first use; nothing here imports a
driver, HTTP or SSH code. Provider names are Libcloud's (see :mod:`omnicloud._providers`); a name
with no driver yet raises :class:`DriverNotAvailableError`, whatever the family. Third-party
drivers register with :func:`set_driver`.
"""

from __future__ import annotations

import importlib
import threading
from enum import Enum

from omnicloud._providers import (
    BackupProvider,
    ComputeProvider,
    ContainerProvider,
    DNSProvider,
    LoadBalancerProvider,
    Provider,
    ProviderName,
    StorageProvider,
)
from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "DriverNotAvailableError",
    "DriverType",
    "FamilyDrivers",
    "Provider",
    "UnknownProviderError",
    "get_driver",
    "resolve",
    "set_driver",
    "unset_driver",
]


class UnknownProviderError(ConfigurationError, LookupError):
    """No driver is registered under that provider name (or the driver type is unknown)."""


class DriverNotAvailableError(UnknownProviderError):
    """No driver for that provider in that family (yet); the message names those that exist."""


class DriverType:
    """The API families. As in Libcloud, each is that family's provider names.

    ``get_driver(DriverType.COMPUTE, DriverType.COMPUTE.OPENSTACK)``.
    """

    BACKUP = BackupProvider
    COMPUTE = ComputeProvider
    CONTAINER = ContainerProvider
    DNS = DNSProvider
    LOADBALANCER = LoadBalancerProvider
    STORAGE = StorageProvider


_FAMILIES: dict[str, type[ProviderName]] = {
    "backup": BackupProvider,
    "compute": ComputeProvider,
    "container": ContainerProvider,
    "dns": DNSProvider,
    "loadbalancer": LoadBalancerProvider,
    "storage": StorageProvider,
}
_KIND_OF: dict[type[ProviderName], str] = {family: kind for kind, family in _FAMILIES.items()}

_CS = "omnicloud.compute.drivers.cloudstack"
_LB = "omnicloud.loadbalancer.drivers.cloudstack"
_SIGMA = "omnicloud.compute.drivers.cloudsigma"
_LOCAL = "omnicloud.storage.drivers.local"
_S3 = "omnicloud.storage.drivers.s3"

# Libcloud's S3 region constants: the S3 driver with its ``region`` preset.
S3_REGIONS: dict[str, str] = {
    "s3_ap_northeast": "ap-northeast-1",
    "s3_ap_northeast_1": "ap-northeast-1",
    "s3_ap_northeast_2": "ap-northeast-2",
    "s3_ap_south": "ap-south-1",
    "s3_ap_southeast": "ap-southeast-1",
    "s3_ap_southeast2": "ap-southeast-2",
    "s3_ca_central": "ca-central-1",
    "s3_cn_north": "cn-north-1",
    "s3_cn_northwest": "cn-northwest-1",
    "s3_eu_central": "eu-central-1",
    "s3_eu_north_1": "eu-north-1",
    "s3_eu_west": "eu-west-1",
    "s3_eu_west_2": "eu-west-2",
    "s3_sa_east": "sa-east-1",
    "s3_us_east_2": "us-east-2",
    "s3_us_gov_west": "us-gov-west-1",
    "s3_us_west": "us-west-1",
    "s3_us_west_oregon": "us-west-2",
}
_S3_NAMES = ("s3", "minio", "ceph", "swift_s3", *S3_REGIONS)

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
        for name in _S3_NAMES
        for asynchronous in (False, True)
    },
}
# (driver type, provider) -> keyword defaults the driver class is made with
_PRESETS: dict[tuple[str, str], dict[str, Any]] = {
    ("storage", name): {"region": region} for name, region in S3_REGIONS.items()
}
_PRESET_CLASSES: dict[tuple[str, str, bool], type[Any]] = {}
_LOCK = threading.Lock()


def _name(value: object) -> str:
    raw = value.value if isinstance(value, Enum) else value
    if not isinstance(raw, str) or not raw:
        raise UnknownProviderError(f"not a provider name: {value!r}")
    return raw.lower()


def _kind(value: object) -> str:
    """``"compute"`` for ``DriverType.COMPUTE``, ``"compute"`` or ``ComputeProvider``."""
    if isinstance(value, type) and value in _KIND_OF:
        return _KIND_OF[value]
    kind = _name(value) if isinstance(value, str | Enum) else ""
    if kind not in _FAMILIES:
        raise UnknownProviderError(
            f"unknown driver type {value!r}; use one of {', '.join(sorted(_FAMILIES))}"
        )
    return kind


def _split(args: tuple[Any, ...]) -> tuple[str, str]:
    if len(args) == 1:
        (provider,) = args
        return _KIND_OF.get(type(provider), "compute"), _name(provider)
    if len(args) == 2:
        return _kind(args[0]), _name(args[1])
    raise TypeError("get_driver(provider) or get_driver(driver_type, provider)")


def _missing(kind: str, provider: str, asynchronous: bool) -> DriverNotAvailableError:
    import difflib

    known = sorted({p for (k, p, a) in _DRIVERS if k == kind and a == asynchronous})
    flavour = "async " if asynchronous else ""
    libcloud_names = {member.value.lower() for member in _FAMILIES[kind]}
    why = (
        "omnicloud has no driver for this Libcloud provider yet"
        if provider in libcloud_names
        else "unknown provider name"
    )
    message = (
        f"no {flavour}{kind} driver for provider {provider!r} ({why}); "
        f"known: {', '.join(known) or 'none'}"
    )
    close = [] if provider in libcloud_names else difflib.get_close_matches(provider, known, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    return DriverNotAvailableError(message)


def resolve(*args: Any, asynchronous: bool = False) -> type[Any]:
    """Import and return the driver class for ``([driver_type,] provider)``."""
    kind, provider = _split(args)
    target = _DRIVERS.get((kind, provider, asynchronous))
    if target is None:
        raise _missing(kind, provider, asynchronous)
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        driver: type[Any] = getattr(module, class_name)
    except AttributeError:
        raise UnknownProviderError(f"{module_name} has no driver class {class_name}") from None
    defaults = _PRESETS.get((kind, provider))
    return driver if defaults is None else _preset(driver, kind, provider, asynchronous, defaults)


def _preset(
    base: type[Any], kind: str, provider: str, asynchronous: bool, defaults: dict[str, Any]
) -> type[Any]:
    """``base`` with keyword defaults (an S3 region constant's region), made once."""
    import inspect

    with _LOCK:
        made = _PRESET_CLASSES.get((kind, provider, asynchronous))
        if made is not None:
            return made
        signature = inspect.signature(base.__init__)

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            given = signature.bind_partial(self, *args, **kwargs).arguments
            base.__init__(
                self, *args, **{**kwargs, **{k: v for k, v in defaults.items() if k not in given}}
            )

        prefix = "".join(part.capitalize() for part in provider.split("_"))
        name = base.__name__.replace("S3", prefix, 1) if "S3" in base.__name__ else base.__name__
        made = type(
            name,
            (base,),
            {
                "__init__": init,
                "__module__": base.__module__,
                "__doc__": f"{base.__name__} for Libcloud's {provider.upper()} ({defaults}).",
            },
        )
        _PRESET_CLASSES[(kind, provider, asynchronous)] = made
        return made


def get_driver(*args: Any) -> type[Any]:
    """The sync driver class: ``get_driver(Provider.X)`` or ``get_driver(DriverType.X, X)``."""
    return resolve(*args)


def set_driver(
    provider: str | Enum,
    module: str,
    klass: str,
    *,
    driver_type: str | type[ProviderName] | Enum = DriverType.COMPUTE,
    async_class: str | None = None,
) -> type[Any]:
    """Register a third-party driver ``module.klass`` under ``provider`` and return its class.

    The module is imported right away so a typo fails here, not at first use; an already
    registered provider is refused.
    """
    kind, name = _kind(driver_type), _name(provider)
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


def unset_driver(
    provider: str | Enum, *, driver_type: str | type[ProviderName] | Enum = DriverType.COMPUTE
) -> None:
    """Forget a registration made with :func:`set_driver` (tests, plugins being unloaded)."""
    kind, name = _kind(driver_type), _name(provider)
    with _LOCK:
        _DRIVERS.pop((kind, name, False), None)
        _DRIVERS.pop((kind, name, True), None)


class FamilyDrivers:
    """``get_driver``/``get_async_driver``/``set_driver`` bound to one API family, for the
    Libcloud-layout ``omnicloud.<family>.providers`` modules."""

    def __init__(self, family: str) -> None:
        self.family = family

    def get_driver(self, provider: str | Enum) -> type[Any]:
        """The synchronous driver class for ``provider``."""
        return resolve(self.family, provider)

    def get_async_driver(self, provider: str | Enum) -> type[Any]:
        """The asynchronous driver class for ``provider`` (its methods are coroutines)."""
        return resolve(self.family, provider, asynchronous=True)

    def set_driver(
        self, provider: str | Enum, module: str, klass: str, *, async_class: str | None = None
    ) -> type[Any]:
        """Register a third-party driver ``module.klass`` under ``provider`` in this family."""
        return set_driver(provider, module, klass, driver_type=self.family, async_class=async_class)


def known_providers(driver_type: str | type[ProviderName] | Enum) -> list[str]:
    """The provider names with a driver in ``driver_type``'s family, sorted."""
    kind = _kind(driver_type)
    return sorted({p for (k, p, _a) in _DRIVERS if k == kind})
