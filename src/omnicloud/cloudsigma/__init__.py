"""CloudSigma API 2.0 REST client, sync and async.

>>> from omnicloud.cloudsigma import CloudSigma
>>> cs = CloudSigma("me@example.com", "password", region="zrh")     # doctest: +SKIP
>>> servers = cs.list("servers/detail")                             # doctest: +SKIP
"""

from __future__ import annotations

from ._client import AsyncCloudSigma, CloudSigma, make_settings
from ._errors import (
    CloudSigmaAuthError,
    CloudSigmaError,
    CloudSigmaNotFoundError,
    CloudSigmaPermissionError,
    CloudSigmaRateLimitedError,
    EndpointGoneError,
    RetiredApiError,
)
from ._protocol import CloudSigmaSettings
from ._regions import DEFAULT_REGION, REGIONS, RETIRED_REGIONS, Region

__all__ = [
    "DEFAULT_REGION",
    "REGIONS",
    "RETIRED_REGIONS",
    "AsyncCloudSigma",
    "CloudSigma",
    "CloudSigmaAuthError",
    "CloudSigmaError",
    "CloudSigmaNotFoundError",
    "CloudSigmaPermissionError",
    "CloudSigmaRateLimitedError",
    "CloudSigmaSettings",
    "EndpointGoneError",
    "Region",
    "RetiredApiError",
    "make_settings",
]
