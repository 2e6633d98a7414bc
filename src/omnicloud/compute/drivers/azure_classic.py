"""Libcloud's ``Provider.AZURE``: the classic (Azure Service Management) API, which Microsoft
retired; constructing the driver explains what to use instead."""

from __future__ import annotations

from typing import Any

from omnicloud.errors import ConfigurationError

__all__ = [
    "AsyncAzureClassicNodeDriver",
    "AsyncAzureNodeDriver",
    "AzureClassicNodeDriver",
    "AzureNodeDriver",
]

_RETIRED = (
    "Microsoft retired the classic Azure Service Management (ASM) API and its management "
    "certificates (cloud services and classic VMs ended in 2024), so Provider.AZURE cannot "
    "work. Use Provider.AZURE_ARM (Azure Resource Manager) with a service principal: "
    "get_driver(Provider.AZURE_ARM)(tenant_id, subscription_id, key=<application client id>, "
    "secret=<client secret>, region='eastus', ex_resource_group='<group>'); or "
    "ex_client_certificate=<PEM path> instead of secret, or ex_managed_identity=True on an "
    "Azure machine."
)


class AzureNodeDriver:
    """The retired classic API: constructing it raises :class:`ConfigurationError`."""

    name = "Azure Virtual machines (classic, retired)"
    type = "azure"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise ConfigurationError(_RETIRED)


class AsyncAzureNodeDriver(AzureNodeDriver):
    """The retired classic API (async spelling): constructing it raises too."""


#: Names that cannot be mistaken for the Resource Manager driver's (the driver table's).
AzureClassicNodeDriver = AzureNodeDriver
AsyncAzureClassicNodeDriver = AsyncAzureNodeDriver
