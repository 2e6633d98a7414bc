"""CloudSigma API 2.0 compute drivers, sync and async.

``get_driver(Provider.CLOUDSIGMA)("me@example.com", "password", region="zrh")``. Every operation
is written once as a flow in the ``cloudsigma_*`` mixins; the classes below only pick the shell.
"""

from __future__ import annotations

from omnicloud.cloudsigma import CloudSigmaError, EndpointGoneError, RetiredApiError
from omnicloud.compute._shell import AsyncShell, SyncShell

from .cloudsigma_account import CloudSigmaAccount
from .cloudsigma_convert import NODE_STATES, node_state
from .cloudsigma_models import (
    CloudSigmaBalance,
    CloudSigmaCapabilities,
    CloudSigmaDrive,
    CloudSigmaFirewallPolicy,
    CloudSigmaFirewallPolicyRule,
    CloudSigmaNodeSize,
    CloudSigmaPricing,
    CloudSigmaSubscription,
    CloudSigmaTag,
    CloudSigmaUsage,
)
from .cloudsigma_nodes import CloudSigmaNodes
from .cloudsigma_storage import CloudSigmaStorage

__all__ = [
    "NODE_STATES",
    "AsyncCloudSigmaNodeDriver",
    "CloudSigmaBalance",
    "CloudSigmaCapabilities",
    "CloudSigmaDrive",
    "CloudSigmaError",
    "CloudSigmaFirewallPolicy",
    "CloudSigmaFirewallPolicyRule",
    "CloudSigmaNodeDriver",
    "CloudSigmaNodeDriverCore",
    "CloudSigmaNodeSize",
    "CloudSigmaPricing",
    "CloudSigmaSubscription",
    "CloudSigmaTag",
    "CloudSigmaUsage",
    "CloudSigma_2_0_NodeDriver",
    "EndpointGoneError",
    "RetiredApiError",
    "node_state",
]


class CloudSigmaNodeDriverCore(CloudSigmaNodes, CloudSigmaStorage, CloudSigmaAccount):
    """All CloudSigma operations as flows (no I/O); pick the sync or async class to run them."""


class CloudSigmaNodeDriver(SyncShell, CloudSigmaNodeDriverCore):
    """CloudSigma API 2.0: ``CloudSigmaNodeDriver(email, password, region="zrh")``."""


class AsyncCloudSigmaNodeDriver(AsyncShell, CloudSigmaNodeDriverCore):
    """CloudSigma, async: ``async with AsyncCloudSigmaNodeDriver(email, password) as d:``."""


CloudSigma_2_0_NodeDriver = CloudSigmaNodeDriver
