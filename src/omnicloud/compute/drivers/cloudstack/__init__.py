"""CloudStack compute drivers: generic (by url), Exoscale and Ikoula; sync and async.

Every operation is written once as a flow in the ``_compute``/``_network``/``_extras`` mixins;
the classes below only choose the shell (sync or async) and the preset endpoint. The models of the
networking and other ``ex_*`` operations load when first needed (by an operation, or as an
attribute of this package), not with the drivers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from omnicloud.compute._shell import AsyncShell, SyncShell

from ._compute import KeyPairDoesNotExistError
from ._extras import CloudStackExtras
from ._models import *  # noqa: F403
from ._models import __all__ as _model_names
from ._network import CloudStackNetworking
from ._raw import CloudStackRaw, RawConnection, RawResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.cloudstack import CloudStack

    from ._extras_models import *  # noqa: F403
    from ._network_models import *  # noqa: F403

T = TypeVar("T")

#: Models exported here but imported on first access: name -> module (PEP 562 ``__getattr__``).
_DEFERRED_MODELS = {
    **dict.fromkeys(
        (
            "CloudStackAddress",
            "CloudStackEgressFirewallRule",
            "CloudStackFirewallRule",
            "CloudStackIPForwardingRule",
            "CloudStackNetwork",
            "CloudStackNetworkACL",
            "CloudStackNetworkACLList",
            "CloudStackNetworkOffering",
            "CloudStackNic",
            "CloudStackPortForwardingRule",
            "CloudStackRouter",
            "CloudStackVPC",
            "CloudStackVPCOffering",
            "CloudStackVpnConnection",
            "CloudStackVpnCustomerGateway",
            "CloudStackVpnGateway",
        ),
        "_network_models",
    ),
    **dict.fromkeys(
        (
            "CloudStackAffinityGroup",
            "CloudStackAffinityGroupType",
            "CloudStackIso",
            "CloudStackLimits",
            "CloudStackOsType",
            "CloudStackProject",
            "CloudStackSecurityGroup",
            "CloudStackSecurityGroupRule",
        ),
        "_extras_models",
    ),
}

__all__ = [
    "AsyncCloudStackNodeDriver",
    "AsyncExoscaleNodeDriver",
    "AsyncIkoulaNodeDriver",
    "CloudStackNodeDriverCore",
    "CloudStackNodeDriver",
    "ExoscaleNodeDriver",
    "IkoulaNodeDriver",
    "KeyPairDoesNotExistError",
    "RawConnection",
    "RawResponse",
    *_model_names,
    *_DEFERRED_MODELS,
]


def _deferred_model(name: str) -> object:
    """Import the module defining deferred model ``name`` and return the class."""
    module = _DEFERRED_MODELS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    model: object = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = model  # later lookups skip this function
    return model


def __dir__() -> list[str]:
    return sorted({*globals(), *_DEFERRED_MODELS})


if not TYPE_CHECKING:  # for mypy the star imports above define the names (and no others)
    __getattr__ = _deferred_model


class CloudStackNodeDriverCore(CloudStackNetworking, CloudStackExtras, CloudStackRaw):
    """All CloudStack operations as flows (no I/O); pick a sync or async class to run them.

    ``driver.connection.request("listZones", params={...})`` sends any API command (Libcloud's
    raw-request hook; see :class:`RawConnection`).
    """


_EXOSCALE = {
    "name": "Exoscale",
    "website": "https://www.exoscale.com/",
    "type": "exoscale",
    "host": "api.exoscale.com",
    "path": "/compute",
}
_IKOULA = {
    "name": "Ikoula",
    "website": "https://express.ikoula.co.uk/cloudstack",
    "type": "ikoula",
    "host": "cloudstack.ikoula.com",
    "path": "/client/api",
}


def _preset(values: dict[str, str]) -> Callable[[type[T]], type[T]]:
    """Class decorator: a public CloudStack cloud's name and endpoint."""

    def apply(cls: type[T]) -> type[T]:
        for attribute, value in values.items():
            setattr(cls, attribute, value)
        return cls

    return apply


class CloudStackNodeDriver(SyncShell, CloudStackNodeDriverCore):
    """CloudStack: ``CloudStackNodeDriver(key, secret, url="https://cloud/client/api")``."""

    def ex_api_client(self, method: str | None = None) -> CloudStack:
        """A raw :class:`~omnicloud.cloudstack.CloudStack` client for any API command, on this
        driver's endpoint, credentials and HTTP settings (``client.listVirtualMachines()``)."""
        from omnicloud.cloudstack import CloudStack

        settings = self._settings
        return CloudStack(
            settings.endpoint,
            settings.key,
            settings.secret,
            method=method or settings.method,
            poll_interval=settings.poll.interval,
            job_timeout=settings.poll.timeout,
            page_size=settings.page_size,
            http=self._http.config,
        )


class AsyncCloudStackNodeDriver(AsyncShell, CloudStackNodeDriverCore):
    """CloudStack, async: ``async with AsyncCloudStackNodeDriver(...) as d:``.

    Same constructor as :class:`CloudStackNodeDriver`.
    """


@_preset(_EXOSCALE)
class ExoscaleNodeDriver(CloudStackNodeDriver):
    """Exoscale's CloudStack-compatible API (``api.exoscale.com/compute``)."""


@_preset(_EXOSCALE)
class AsyncExoscaleNodeDriver(AsyncCloudStackNodeDriver):
    """Exoscale, async."""


@_preset(_IKOULA)
class IkoulaNodeDriver(CloudStackNodeDriver):
    """Ikoula's public CloudStack (``cloudstack.ikoula.com/client/api``)."""


@_preset(_IKOULA)
class AsyncIkoulaNodeDriver(AsyncCloudStackNodeDriver):
    """Ikoula, async."""
