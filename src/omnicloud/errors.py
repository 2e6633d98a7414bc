"""The omnicloud error hierarchy.

::

    OmnicloudError
    ├── ConfigurationError          missing or invalid configuration
    ├── ValidationError             bad input, caught before any request is sent
    ├── TransportError              the request could not be completed at the HTTP level
    │   ├── RequestNotSentError     nothing reached the server (connect failure, DNS, TLS)
    │   ├── RequestTimeoutError     no complete answer within the timeout
    │   └── OutcomeUnknownError     a non-idempotent call may or may not have taken effect
    ├── MalformedResponseError      the server's answer could not be understood
    ├── ProviderError               the provider answered with an error
    │   ├── InvalidCredentialsError
    │   ├── PermissionDeniedError
    │   ├── NotFoundError
    │   ├── RateLimitedError        carries ``retry_after`` in seconds
    │   └── CloudStackApiError      carries errorcode, cserrorcode, errortext
    │       ├── CloudStackAuthError        (also an InvalidCredentialsError)
    │       ├── CloudStackPermissionError  (also a PermissionDeniedError)
    │       └── CloudStackRateLimitedError (also a RateLimitedError)
    └── JobError                    a long-running job did not succeed
        ├── JobFailedError
        ├── JobCancelledError
        └── JobTimeoutError         (also a built-in ``TimeoutError``)

Messages never contain secrets: callers pass already-redacted text.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackApiError",
    "CloudStackAuthError",
    "CloudStackPermissionError",
    "CloudStackRateLimitedError",
    "ConfigurationError",
    "InvalidCredentialsError",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobTimeoutError",
    "MalformedResponseError",
    "NotFoundError",
    "OmnicloudError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitedError",
    "RequestNotSentError",
    "RequestTimeoutError",
    "TransportError",
    "ValidationError",
]


class OmnicloudError(Exception):
    """Base class of every error omnicloud raises on purpose."""


class ConfigurationError(OmnicloudError):
    """Configuration is missing or invalid."""


class ValidationError(OmnicloudError, ValueError):
    """Input was rejected before any request was sent."""


class TransportError(OmnicloudError):
    """The HTTP exchange failed below the provider's API."""

    def __init__(self, message: str, *, operation: str | None = None) -> None:
        super().__init__(message)
        self.operation = operation


class RequestNotSentError(TransportError):
    """The request never reached the server (connection refused, DNS, TLS handshake)."""


class RequestTimeoutError(TransportError, TimeoutError):
    """The server did not answer in time."""


class OutcomeUnknownError(TransportError):
    """A non-idempotent call may have reached the server but its result is unknown.

    It is never retried automatically: check the resource's state before trying again.
    """


class MalformedResponseError(OmnicloudError):
    """The server answered with something that is not the expected document."""

    def __init__(self, message: str, *, status: int | None = None, excerpt: str = "") -> None:
        text = message if not excerpt else f"{message}: {excerpt!r}"
        super().__init__(text)
        self.status = status
        self.excerpt = excerpt


class ProviderError(OmnicloudError):
    """The provider answered with an error."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | int | None = None,
        provider: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.provider = provider


class InvalidCredentialsError(ProviderError):
    """The credentials were rejected."""


class PermissionDeniedError(ProviderError):
    """The credentials are valid but not allowed to do this."""


class NotFoundError(ProviderError):
    """The resource does not exist."""


class RateLimitedError(ProviderError):
    """The provider asked us to slow down; ``retry_after`` is in seconds when known."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class CloudStackApiError(ProviderError):
    """An error answer from a CloudStack API."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errorcode: int | None = None,
        cserrorcode: int | None = None,
        errortext: str = "",
        command: str | None = None,
        error: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=errorcode, provider="cloudstack")
        self.errorcode = errorcode
        self.cserrorcode = cserrorcode
        self.errortext = errortext
        self.command = command
        self.error: dict[str, Any] = dict(error or {})


class CloudStackAuthError(CloudStackApiError, InvalidCredentialsError):
    """CloudStack answered 401: bad key or signature, or an unknown command name."""


class CloudStackPermissionError(CloudStackApiError, PermissionDeniedError):
    """CloudStack answered 531: the account may not do this."""


class CloudStackRateLimitedError(CloudStackApiError, RateLimitedError):
    """CloudStack answered 429 with its wait time in the error text."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        CloudStackApiError.__init__(self, message, **kwargs)
        self.retry_after = retry_after


class JobError(OmnicloudError):
    """A long-running job did not succeed."""

    def __init__(self, message: str, *, job_id: str | None = None, result: Any = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.result = result


class JobFailedError(JobError):
    """The job finished with a failure."""

    def __init__(
        self,
        message: str,
        *,
        job_id: str | None = None,
        result: Any = None,
        errorcode: int | None = None,
        errortext: str = "",
    ) -> None:
        super().__init__(message, job_id=job_id, result=result)
        self.errorcode = errorcode
        self.errortext = errortext


class JobCancelledError(JobFailedError):
    """The job was cancelled before it finished."""


class JobTimeoutError(JobError, TimeoutError):
    """The job did not finish before the deadline; it may still be running."""
