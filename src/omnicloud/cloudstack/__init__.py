"""A ``cs``-compatible CloudStack API client: every command by attribute access, sync and async.

>>> from omnicloud.cloudstack import CloudStack, read_config
>>> cs = CloudStack(**read_config())                      # doctest: +SKIP
>>> vms = cs.listVirtualMachines(fetch_list=True)         # doctest: +SKIP
"""

from __future__ import annotations

from omnicloud.errors import (
    CloudStackApiError,
    CloudStackApiException,
    CloudStackAuthError,
    CloudStackException,
    CloudStackPermissionError,
    CloudStackRateLimitedError,
    JobCancelledError,
    JobFailedError,
    JobPollError,
    JobTimeoutError,
)

from ._client import AsyncCloudStack, CloudStack
from ._compat import AIOCloudStack
from ._config import list_regions, read_config
from ._signing import sign, string_to_sign, transform_params

__all__ = [
    "AIOCloudStack",
    "AsyncCloudStack",
    "CloudStack",
    "CloudStackApiError",
    "CloudStackApiException",
    "CloudStackAuthError",
    "CloudStackException",
    "CloudStackPermissionError",
    "CloudStackRateLimitedError",
    "JobCancelledError",
    "JobFailedError",
    "JobPollError",
    "JobTimeoutError",
    "list_regions",
    "read_config",
    "sign",
    "string_to_sign",
    "transform_params",
]
