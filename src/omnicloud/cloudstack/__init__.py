"""A ``cs``-compatible CloudStack API client: every command by attribute access, sync and async.

>>> from omnicloud.cloudstack import CloudStack, read_config
>>> cs = CloudStack(**read_config())                      # doctest: +SKIP
>>> vms = cs.listVirtualMachines(fetch_list=True)         # doctest: +SKIP
"""

from __future__ import annotations

from omnicloud.errors import (
    CloudStackApiError,
    CloudStackAuthError,
    CloudStackPermissionError,
    CloudStackRateLimitedError,
    JobCancelledError,
    JobFailedError,
    JobTimeoutError,
)

from ._client import AsyncCloudStack, CloudStack
from ._config import list_regions, read_config
from ._signing import sign, string_to_sign, transform_params

__all__ = [
    "AsyncCloudStack",
    "CloudStack",
    "CloudStackApiError",
    "CloudStackAuthError",
    "CloudStackPermissionError",
    "CloudStackRateLimitedError",
    "JobCancelledError",
    "JobFailedError",
    "JobTimeoutError",
    "list_regions",
    "read_config",
    "sign",
    "string_to_sign",
    "transform_params",
]
