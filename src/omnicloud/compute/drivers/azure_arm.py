"""Azure Resource Manager compute drivers (virtual machines, managed disks, networking), sync
and async.

``get_driver(Provider.AZURE_ARM)(tenant_id, subscription_id, key, secret, region="eastus",
ex_resource_group="my-group")`` with Libcloud's arguments (``key``: the application's client
id, ``secret``: its client secret). Every operation is written once as a flow in the
``azure_arm_*`` mixins; the classes below only pick the shell.
"""

from __future__ import annotations

from omnicloud.azure._arm_errors import (
    AzureAuthError,
    AzureConflictError,
    AzureError,
    AzureNotFoundError,
    AzureOperationFailedError,
    AzurePermissionError,
    AzureQuotaError,
    AzureRateLimitedError,
)
from omnicloud.compute._shell import AsyncShell, SyncShell

from .azure_arm_catalog import AzureCatalog
from .azure_arm_convert import NODE_STATES, PROVISIONING_STATES, node_state
from .azure_arm_models import (
    AzureIPAddress,
    AzureNetwork,
    AzureNetworkSecurityGroup,
    AzureNic,
    AzureResourceGroup,
    AzureSubnet,
)
from .azure_arm_network import AzureNetworking
from .azure_arm_nodes import AzureNodes
from .azure_arm_storage import AzureStorage

__all__ = [
    "NODE_STATES",
    "PROVISIONING_STATES",
    "AsyncAzureNodeDriver",
    "AzureAuthError",
    "AzureConflictError",
    "AzureError",
    "AzureIPAddress",
    "AzureNetwork",
    "AzureNetworkSecurityGroup",
    "AzureNic",
    "AzureNodeDriver",
    "AzureNodeDriverCore",
    "AzureNotFoundError",
    "AzureOperationFailedError",
    "AzurePermissionError",
    "AzureQuotaError",
    "AzureRateLimitedError",
    "AzureResourceGroup",
    "AzureSubnet",
    "node_state",
]


class AzureNodeDriverCore(AzureNodes, AzureCatalog, AzureStorage, AzureNetworking):
    """All Azure Resource Manager operations as flows (no I/O); pick the sync or async class."""


class AzureNodeDriver(SyncShell, AzureNodeDriverCore):
    """Azure: ``AzureNodeDriver(tenant_id, subscription_id, key, secret, region=...)``."""


class AsyncAzureNodeDriver(AsyncShell, AzureNodeDriverCore):
    """Azure, async: ``async with AsyncAzureNodeDriver(tenant_id, subscription_id, ...) as d:``."""
