"""CloudSigma's error answers as exceptions.

CloudSigma answers errors with a JSON list of ``{"error_type", "error_message", "error_point"}``;
the first entry names the exception, all of them are kept in ``errors``.
"""

from __future__ import annotations

from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudSigmaAuthError",
    "CloudSigmaError",
    "CloudSigmaNotFoundError",
    "CloudSigmaPermissionError",
    "CloudSigmaRateLimitedError",
    "EndpointGoneError",
    "RetiredApiError",
]


class CloudSigmaError(ProviderError):
    """An error answer from the CloudSigma API.

    ``error_type`` is one of validation, notexist, backend, permission, database, concurrency,
    billing, payment; ``error_point`` names the offending field (or is None).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        error_point: str | None = None,
        error_message: str = "",
        request_id: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=error_type, provider="cloudsigma")
        self.error_type = error_type
        self.error_point = error_point
        self.error_message = error_message
        self.request_id = request_id
        self.errors: list[dict[str, Any]] = list(errors or [])


class CloudSigmaAuthError(CloudSigmaError, InvalidCredentialsError):
    """HTTP 401: the account email or password was rejected."""


class CloudSigmaPermissionError(CloudSigmaError, PermissionDeniedError):
    """HTTP 403: not allowed, or not allowed in the resource's current state."""


class CloudSigmaNotFoundError(CloudSigmaError, NotFoundError):
    """HTTP 404 (``notexist``): the resource does not exist or was deleted."""


class EndpointGoneError(CloudSigmaNotFoundError):
    """The endpoint itself no longer exists (CloudSigma decommissioned the feature)."""


class CloudSigmaRateLimitedError(CloudSigmaError, RateLimitedError):
    """HTTP 429: too many requests; ``retry_after`` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        CloudSigmaError.__init__(self, message, **kwargs)
        self.retry_after = retry_after


class RetiredApiError(ConfigurationError):
    """The requested CloudSigma API version is no longer served (API 1.0)."""
