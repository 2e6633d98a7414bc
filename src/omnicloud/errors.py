"""The omnicloud error hierarchy.

::

    OmnicloudError
    ├── CloudStackException         cs's name: the base of the errors about an answer or a job
    │   └── CloudStackApiException  cs's name: an error the API reported, ``error`` is a dict
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
    ├── JobError                    a long-running job did not succeed
    │   ├── JobFailedError
    │   ├── JobCancelledError
    │   └── JobTimeoutError         (also a built-in ``TimeoutError``)
    └── JobPollError                waiting for an accepted job failed; carries ``job_id``.
                                    Raised as a subclass of the original error's class too,
                                    see :func:`job_poll_error`.

``MalformedResponseError``, ``ProviderError`` and ``JobError`` are ``CloudStackException``s;
``CloudStackApiError`` and ``JobFailedError`` are ``CloudStackApiException``s (cs's names, so a cs
script's ``except`` clauses port unchanged).

Messages never contain secrets: callers pass already-redacted text.
"""

from __future__ import annotations

from typing import cast

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "CloudStackApiError",
    "CloudStackApiException",
    "CloudStackAuthError",
    "CloudStackException",
    "CloudStackPermissionError",
    "CloudStackRateLimitedError",
    "ConfigurationError",
    "InvalidCredentialsError",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobPollError",
    "JobTimeoutError",
    "MalformedResponseError",
    "NotFoundError",
    "NotSupportedError",
    "OmnicloudError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitedError",
    "RequestNotSentError",
    "RequestTimeoutError",
    "TransportError",
    "ValidationError",
    "job_poll_error",
]


class OmnicloudError(Exception):
    """Base class of every error omnicloud raises on purpose."""


class CloudStackException(OmnicloudError):  # noqa: N818 - cs's name
    """``cs``'s base error name: ``except CloudStackException`` ports from ``cs`` unchanged.

    Every error about an API answer or a job is one (:class:`ProviderError`,
    :class:`MalformedResponseError`, :class:`JobError`).
    """

    @property
    def response(self) -> Any:
        """What ``cs`` keeps of the HTTP answer: a read-only view for API errors, else None."""
        return None


class CloudStackApiException(CloudStackException):
    """``cs``'s name for an error the API reported; ``error`` is its error document (a dict)."""

    error: dict[str, Any]


class ConfigurationError(OmnicloudError):
    """Configuration is missing or invalid."""


class ValidationError(OmnicloudError, ValueError):
    """Input was rejected before any request was sent."""


class NotSupportedError(OmnicloudError, NotImplementedError):
    """This driver does not implement the operation (every API family raises it)."""


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


class MalformedResponseError(CloudStackException):
    """The server answered with something that is not the expected document."""

    def __init__(self, message: str, *, status: int | None = None, excerpt: str = "") -> None:
        text = message if not excerpt else f"{message}: {excerpt!r}"
        super().__init__(text)
        self.status = status
        self.excerpt = excerpt


class ProviderError(CloudStackException):
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


class CloudStackApiError(ProviderError, CloudStackApiException):
    """An error answer from a CloudStack API (``cs``'s ``CloudStackApiException``)."""

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
        self.error = dict(error or {})

    @property
    def response(self) -> Any:
        """A read-only view of the error answer (``status_code``, ``text``, ``json()``), as cs."""
        from omnicloud.cloudstack._compat import ErrorResponse

        return ErrorResponse.of(self)


class CloudStackAuthError(CloudStackApiError, InvalidCredentialsError):
    """CloudStack answered 401: bad key or signature, or an unknown command name."""


class CloudStackPermissionError(CloudStackApiError, PermissionDeniedError):
    """CloudStack answered 531: the account may not do this."""


class CloudStackRateLimitedError(CloudStackApiError, RateLimitedError):
    """CloudStack answered 429 with its wait time in the error text."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        CloudStackApiError.__init__(self, message, **kwargs)
        self.retry_after = retry_after


class JobError(CloudStackException):
    """A long-running job did not succeed.

    ``resource_id`` is the id of the resource the job works on, when the submit answer gave one.
    """

    resource_id: str | None = None

    def __init__(self, message: str, *, job_id: str | None = None, result: Any = None) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.result = result


class JobFailedError(JobError, CloudStackApiException):
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
        # cs's CloudStackApiException.error for a failed job: the job's ``jobresult``.
        inner = result.get("jobresult") if isinstance(result, dict) else None
        self.error = dict(inner) if isinstance(inner, dict) else {}
        if not self.error and (errorcode is not None or errortext):
            self.error = {"errorcode": errorcode, "errortext": errortext}


class JobCancelledError(JobFailedError):
    """The job was cancelled before it finished."""


class JobTimeoutError(JobError, TimeoutError):
    """The job did not finish before the deadline; it may still be running."""


class JobPollError(OmnicloudError):
    """The server accepted a job, then waiting for it failed: the job may still finish.

    Never raised bare: :func:`job_poll_error` raises it mixed into the original error's class,
    so ``except TransportError`` still catches a poll that lost its connection. ``job_id`` (in
    the message too) resumes the wait: ``client.wait_for_job(job_id)`` or
    ``driver.ex_wait_for_job(job_id)``; ``resource_id`` is the resource the job creates or
    changes (CloudStack returns it next to the job id for deploys), when known; ``command`` is
    the API command that started the job.
    """

    job_id: str
    resource_id: str | None = None
    command: str | None = None


_POLL_CLASSES: dict[type[OmnicloudError], type[JobPollError]] = {}


def _poll_class(base: type[OmnicloudError]) -> type[JobPollError]:
    cls = _POLL_CLASSES.get(base)
    if cls is None:
        namespace = {"__module__": __name__, "__doc__": f"A {base.__name__} while waiting."}
        cls = cast(
            "type[JobPollError]", type(f"JobPoll{base.__name__}", (JobPollError, base), namespace)
        )
        _POLL_CLASSES[base] = cls
    return cls


def job_poll_error(
    error: OmnicloudError,
    job_id: str,
    *,
    resource_id: str | None = None,
    command: str | None = None,
) -> JobPollError:
    """``error`` (raised while waiting for job ``job_id``) as a :class:`JobPollError` that is
    also an instance of ``error``'s own class, with its attributes and the job in its message."""
    if isinstance(error, JobPollError):
        return error
    cls = _poll_class(type(error))
    wrapped = cls.__new__(cls)
    wrapped.__dict__.update(error.__dict__)
    what = f"job {job_id}" + (f" ({command})" if command else "")
    made = f" for resource {resource_id}" if resource_id else ""
    message = (
        f"{error} [{what} was accepted{made} and may still finish; "
        f"wait for it again with its job id {job_id}]"
    )
    wrapped.args = (message,)
    if isinstance(wrapped, ProviderError):
        wrapped.message = message
    wrapped.job_id = job_id
    wrapped.resource_id = resource_id
    wrapped.command = command
    return wrapped
