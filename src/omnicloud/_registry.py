"""The one driver registry of every API family, importing driver modules lazily.

It indexes the entries of :mod:`omnicloud._table` by (family, provider);
``get_driver(Provider.CLOUDSTACK)`` imports the driver module on first use, and nothing here
imports a driver, HTTP or SSH code. Provider names are Libcloud's (see :mod:`omnicloud._providers`);
a name with no driver yet raises :class:`DriverNotAvailableError`, whatever the family. Third-party
drivers register with :func:`set_driver` (or :func:`register`, with the profile kinds they serve).
"""

from __future__ import annotations

import importlib
import threading
from enum import Enum
from typing import overload

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
from omnicloud._table import ENTRIES, FAMILIES, S3_REGIONS, DriverEntry
from omnicloud.errors import ConfigurationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud import _driver_types as dt

__all__ = [
    "S3_REGIONS",
    "DriverEntry",
    "DriverNotAvailableError",
    "DriverType",
    "FamilyDrivers",
    "Provider",
    "UnknownProviderError",
    "driver_class",
    "entries",
    "family_name",
    "get_driver",
    "known_providers",
    "register",
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
    "compute": ComputeProvider,
    "storage": StorageProvider,
    "loadbalancer": LoadBalancerProvider,
    "dns": DNSProvider,
    "container": ContainerProvider,
    "backup": BackupProvider,
}
_KIND_OF: dict[type[ProviderName], str] = {family: kind for kind, family in _FAMILIES.items()}

# (family, provider) -> entry: the table's, then those added with set_driver
_INDEX: dict[tuple[str, str], DriverEntry] = {(e.family, e.provider): e for e in ENTRIES}
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


def family_name(value: object) -> str:
    """The family ``value`` names: ``"compute"`` for ``"compute"`` or ``DriverType.COMPUTE``."""
    return _kind(value)


def _family_of(provider: Any, name: str) -> str:
    """The family a lone provider names: its enum's, else compute, else the one with a driver."""
    family = _KIND_OF.get(type(provider))
    if family is not None:
        return family
    if ("compute", name) in _INDEX:
        return "compute"
    having = [kind for kind in FAMILIES if (kind, name) in _INDEX]
    return having[0] if len(having) == 1 else "compute"


def _split(args: tuple[Any, ...]) -> tuple[str, str]:
    if len(args) == 1:
        (provider,) = args
        name = _name(provider)
        return _family_of(provider, name), name
    if len(args) == 2:
        return _kind(args[0]), _name(args[1])
    raise TypeError("get_driver(provider) or get_driver(driver_type, provider)")


def _missing(kind: str, provider: str, asynchronous: bool) -> DriverNotAvailableError:
    import difflib

    known = sorted(
        p for (k, p), e in _INDEX.items() if k == kind and (e.asynchronous or not asynchronous)
    )
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
    return driver_class(kind, provider, asynchronous)


def entries(family: str | None = None) -> list[DriverEntry]:
    """The registered drivers (of ``family``): the table's and those added by :func:`set_driver`."""
    with _LOCK:
        found = list(_INDEX.values())
    return [e for e in found if family is None or e.family == family]


def driver_class(kind: str, provider: str, asynchronous: bool = False) -> type[Any]:
    """Import and return the ``kind`` family's ``provider`` driver class (lower-case names)."""
    entry = _INDEX.get((kind, provider))
    target = None if entry is None else entry.asynchronous if asynchronous else entry.sync
    if entry is None or target is None:
        raise _missing(kind, provider, asynchronous)
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        driver: type[Any] = getattr(module, class_name)
    except AttributeError:
        raise UnknownProviderError(f"{module_name} has no driver class {class_name}") from None
    if not entry.preset:
        return driver
    return _preset(driver, kind, provider, asynchronous, dict(entry.preset))


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


# Typed lookups: each provider constant gives its driver class (one overload per table entry,
# tests/unit/test_registry_typing.py checks them); anything else is ``type[Any]``.
@overload
def get_driver(provider: dt.CloudStack, /) -> type[dt.CloudStackNodeDriver]: ...
@overload
def get_driver(provider: dt.Exoscale, /) -> type[dt.ExoscaleNodeDriver]: ...
@overload
def get_driver(provider: dt.Ikoula, /) -> type[dt.IkoulaNodeDriver]: ...
@overload
def get_driver(provider: dt.CloudSigma, /) -> type[dt.CloudSigmaNodeDriver]: ...
@overload
def get_driver(provider: dt.EC2, /) -> type[dt.EC2NodeDriver]: ...
@overload
def get_driver(provider: dt.Libvirt, /) -> type[dt.LibvirtNodeDriver]: ...
@overload
def get_driver(provider: dt.OpenStack, /) -> type[dt.OpenStackNodeDriver]: ...
@overload
def get_driver(provider: dt.GCE, /) -> type[dt.GCENodeDriver]: ...
@overload
def get_driver(provider: dt.AzureARM, /) -> type[dt.AzureNodeDriver]: ...
@overload
def get_driver(provider: dt.AzureClassic, /) -> type[dt.AzureClassicNodeDriver]: ...
@overload
def get_driver(provider: dt.CloudStackLBOnly, /) -> type[dt.CloudStackLBDriver]: ...
@overload
def get_driver(provider: dt.ALB, /) -> type[dt.ApplicationLBDriver]: ...
@overload
def get_driver(provider: dt.ELB, /) -> type[dt.ELBDriver]: ...
@overload
def get_driver(provider: dt.Route53, /) -> type[dt.Route53DNSDriver]: ...
@overload
def get_driver(provider: dt.PowerDNS, /) -> type[dt.PowerDNSDriver]: ...
@overload
def get_driver(provider: dt.Docker, /) -> type[dt.DockerContainerDriver]: ...
@overload
def get_driver(provider: dt.Local, /) -> type[dt.LocalStorageDriver]: ...
@overload
def get_driver(provider: dt.AzureBlobs, /) -> type[dt.AzureBlobsStorageDriver]: ...
@overload
def get_driver(provider: dt.GoogleStorage, /) -> type[dt.GoogleStorageDriver]: ...
@overload
def get_driver(provider: dt.OpenStackSwift, /) -> type[dt.OpenStackSwiftStorageDriver]: ...
@overload
def get_driver(provider: dt.S3, /) -> type[dt.S3StorageDriver]: ...
@overload
def get_driver(provider: str | Enum, /) -> type[Any]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.CloudStack, /
) -> type[dt.CloudStackNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.Exoscale, /
) -> type[dt.ExoscaleNodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.Ikoula, /) -> type[dt.IkoulaNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.CloudSigma, /
) -> type[dt.CloudSigmaNodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.EC2, /) -> type[dt.EC2NodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.Libvirt, /) -> type[dt.LibvirtNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.OpenStack, /
) -> type[dt.OpenStackNodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.GCE, /) -> type[dt.GCENodeDriver]: ...
@overload
def get_driver(driver_type: dt.Compute, provider: dt.AzureARM, /) -> type[dt.AzureNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.Compute, provider: dt.AzureClassic, /
) -> type[dt.AzureClassicNodeDriver]: ...
@overload
def get_driver(
    driver_type: dt.LoadBalancer, provider: dt.CloudStackLB, /
) -> type[dt.CloudStackLBDriver]: ...
@overload
def get_driver(
    driver_type: dt.LoadBalancer, provider: dt.ALB, /
) -> type[dt.ApplicationLBDriver]: ...
@overload
def get_driver(driver_type: dt.LoadBalancer, provider: dt.ELB, /) -> type[dt.ELBDriver]: ...
@overload
def get_driver(driver_type: dt.DNS, provider: dt.Route53, /) -> type[dt.Route53DNSDriver]: ...
@overload
def get_driver(driver_type: dt.DNS, provider: dt.PowerDNS, /) -> type[dt.PowerDNSDriver]: ...
@overload
def get_driver(
    driver_type: dt.Container, provider: dt.Docker, /
) -> type[dt.DockerContainerDriver]: ...
@overload
def get_driver(driver_type: dt.Storage, provider: dt.Local, /) -> type[dt.LocalStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.AzureBlobs, /
) -> type[dt.AzureBlobsStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.GoogleStorage, /
) -> type[dt.GoogleStorageDriver]: ...
@overload
def get_driver(
    driver_type: dt.Storage, provider: dt.OpenStackSwift, /
) -> type[dt.OpenStackSwiftStorageDriver]: ...
@overload
def get_driver(driver_type: dt.Storage, provider: dt.S3, /) -> type[dt.S3StorageDriver]: ...
@overload
def get_driver(
    driver_type: str | Enum | type[ProviderName], provider: str | Enum, /
) -> type[Any]: ...
def get_driver(*args: Any) -> type[Any]:
    """The sync driver class: ``get_driver(Provider.X)`` or ``get_driver(DriverType.X, X)``.

    A lone name takes its family from its enum (``StorageProvider.S3``); a plain name or a
    :class:`Provider` constant is compute's, else that of the one family with a driver for it
    (``get_driver(Provider.LOCAL)`` is the local storage driver).
    """
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
    return register(
        DriverEntry(
            kind, name, f"{module}:{klass}", f"{module}:{async_class}" if async_class else None
        )
    )


def register(entry: DriverEntry) -> type[Any]:
    """Add a table entry at run time (a plugin's driver, with the profile kinds it serves) and
    return its sync class; the module is imported now, and an entry that fails is not kept."""
    key = (_kind(entry.family), _name(entry.provider))
    if key != (entry.family, entry.provider):
        raise UnknownProviderError(f"spell family and provider in lower case: {key}")
    with _LOCK:
        if key in _INDEX:
            raise UnknownProviderError(f"a {key[0]} driver for {key[1]!r} is already registered")
        _INDEX[key] = entry
    try:
        return driver_class(*key)
    except Exception:
        with _LOCK:
            if _INDEX.get(key) is entry:
                del _INDEX[key]
        raise


def unset_driver(
    provider: str | Enum, *, driver_type: str | type[ProviderName] | Enum = DriverType.COMPUTE
) -> None:
    """Forget a registration made with :func:`set_driver` (tests, plugins being unloaded)."""
    kind, name = _kind(driver_type), _name(provider)
    with _LOCK:
        entry = _INDEX.get((kind, name))
        if entry is not None and entry not in ENTRIES:
            del _INDEX[(kind, name)]


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
    return sorted(e.provider for e in entries(kind))
