"""AWS protocol pieces: SigV4 signing, XML helpers, S3 requests and responses, the Query/EC2
and REST-XML protocols with their raw clients, the region table and the AWS CLI's
credentials chain.

Names are imported on first use (PEP 562), so ``import omnicloud.aws`` loads no HTTP machinery.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.aws._client import AsyncEC2Client, AsyncQueryClient, EC2Client, QueryClient
    from omnicloud.aws._errors import (
        AwsAlreadyExistsError,
        AwsAuthError,
        AwsError,
        AwsIdempotencyError,
        AwsNotFoundError,
        AwsPermissionError,
        AwsRateLimitedError,
    )
    from omnicloud.aws._regions import REGIONS, endpoint_url
    from omnicloud.aws._route53 import AsyncRoute53Client, Route53Client
    from omnicloud.aws.credentials import (
        AwsSession,
        CredentialProcessError,
        Credentials,
        resolve_session,
    )

_LAZY = {
    "AsyncEC2Client": "omnicloud.aws._client",
    "AsyncQueryClient": "omnicloud.aws._client",
    "EC2Client": "omnicloud.aws._client",
    "QueryClient": "omnicloud.aws._client",
    "AwsAlreadyExistsError": "omnicloud.aws._errors",
    "AwsAuthError": "omnicloud.aws._errors",
    "AwsError": "omnicloud.aws._errors",
    "AwsIdempotencyError": "omnicloud.aws._errors",
    "AwsNotFoundError": "omnicloud.aws._errors",
    "AwsPermissionError": "omnicloud.aws._errors",
    "AwsRateLimitedError": "omnicloud.aws._errors",
    "REGIONS": "omnicloud.aws._regions",
    "endpoint_url": "omnicloud.aws._regions",
    "AsyncRoute53Client": "omnicloud.aws._route53",
    "Route53Client": "omnicloud.aws._route53",
    "AwsSession": "omnicloud.aws.credentials",
    "CredentialProcessError": "omnicloud.aws.credentials",
    "Credentials": "omnicloud.aws.credentials",
    "resolve_session": "omnicloud.aws.credentials",
}

__all__ = [
    "REGIONS",
    "AsyncEC2Client",
    "AsyncQueryClient",
    "AsyncRoute53Client",
    "AwsAlreadyExistsError",
    "AwsAuthError",
    "AwsError",
    "AwsIdempotencyError",
    "AwsNotFoundError",
    "AwsPermissionError",
    "AwsRateLimitedError",
    "AwsSession",
    "CredentialProcessError",
    "Credentials",
    "EC2Client",
    "QueryClient",
    "Route53Client",
    "endpoint_url",
    "resolve_session",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
