"""Google Compute Engine drivers, sync and async.

``get_driver(Provider.GCE)(user_id, key_file, datacenter="us-central1-a", project="my-project")``
with Libcloud's arguments: ``user_id`` is the service account's e-mail, ``key`` its JSON key
file (see :class:`~omnicloud.compute.drivers.gce_base.GCEBase`). Every operation is written
once as a flow in the ``gce_*`` mixins; the classes below only pick the shell.
"""

from __future__ import annotations

from omnicloud.compute._shell import AsyncShell, SyncShell
from omnicloud.gcp._compute import (
    GCEAuthError,
    GCEConflictError,
    GCEError,
    GCENotFoundError,
    GCEOperationError,
    GCEOperationQuotaError,
    GCEPermissionError,
    GCEQuotaError,
    GCERateLimitedError,
)

from .gce_convert import NODE_STATES, node_state
from .gce_extras import GCEKeyPairs
from .gce_models import GCEAddress, GCEFirewall, GCENetwork, GCERegion
from .gce_network import GCENetworking
from .gce_nodes import PUBLIC_IMAGE_PROJECTS
from .gce_storage import GCEStorage

__all__ = [
    "NODE_STATES",
    "PUBLIC_IMAGE_PROJECTS",
    "AsyncGCENodeDriver",
    "GCEAddress",
    "GCEAuthError",
    "GCEConflictError",
    "GCEError",
    "GCEFirewall",
    "GCENetwork",
    "GCENodeDriver",
    "GCENodeDriverCore",
    "GCENotFoundError",
    "GCEOperationError",
    "GCEOperationQuotaError",
    "GCEPermissionError",
    "GCEQuotaError",
    "GCERateLimitedError",
    "GCERegion",
    "node_state",
]


class GCENodeDriverCore(GCEStorage, GCENetworking, GCEKeyPairs):
    """All Compute Engine operations as flows (no I/O); pick the sync or async class."""


class GCENodeDriver(SyncShell, GCENodeDriverCore):
    """Compute Engine: ``GCENodeDriver(user_id, key_file, datacenter=..., project=...)``."""


class AsyncGCENodeDriver(AsyncShell, GCENodeDriverCore):
    """Compute Engine, async: ``async with AsyncGCENodeDriver(user_id, key_file, ...) as d:``."""
