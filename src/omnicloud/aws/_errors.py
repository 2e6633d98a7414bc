"""AWS error answers (EC2 ``Response/Errors/Error`` and Query ``ErrorResponse/Error``) as
omnicloud errors, by error code; the code, AWS's message and the request id are kept."""

from __future__ import annotations

import re

from omnicloud.aws._xml import local_name, parse_xml
from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.http._models import HttpResponse

__all__ = [
    "THROTTLING_CODES",
    "AwsAlreadyExistsError",
    "AwsAuthError",
    "AwsError",
    "AwsIdempotencyError",
    "AwsNotFoundError",
    "AwsPermissionError",
    "AwsRateLimitedError",
    "error_class",
    "error_from",
]


class AwsError(ProviderError):
    """An error answer from an AWS API: ``code`` (``"InvalidParameterValue"``), ``aws_message``
    (AWS's own text) and ``request_id`` (for AWS support)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        aws_message: str = "",
        request_id: str | None = None,
        provider: str = "aws",
    ) -> None:
        super().__init__(message, status=status, code=code, provider=provider)
        self.aws_message = aws_message
        self.request_id = request_id


class AwsAuthError(AwsError, InvalidCredentialsError):
    """The credentials or the signature were rejected (``AuthFailure``, ``ExpiredToken``...)."""


class AwsPermissionError(AwsError, PermissionDeniedError):
    """Valid credentials, not allowed to do this (``UnauthorizedOperation``, ``AccessDenied``)."""


class AwsNotFoundError(AwsError, NotFoundError):
    """The resource does not exist (``InvalidInstanceID.NotFound``; a malformed id too)."""


class AwsRateLimitedError(AwsError, RateLimitedError):
    """AWS throttled the call (``RequestLimitExceeded``, ``Throttling``) beyond the retries."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        code: str | None = None,
        aws_message: str = "",
        request_id: str | None = None,
        provider: str = "aws",
    ) -> None:
        super().__init__(
            message,
            status=status,
            code=code,
            aws_message=aws_message,
            request_id=request_id,
            provider=provider,
        )
        self.retry_after = retry_after


class AwsIdempotencyError(AwsError):
    """``IdempotentParameterMismatch``: the client token was used before with other values."""


class AwsAlreadyExistsError(AwsError):
    """A resource of that name exists (``InvalidKeyPair.Duplicate``, ``AlreadyExists``...)."""


#: Codes that mean "slow down": retried with backoff whatever the request (nothing was done).
THROTTLING_CODES = frozenset(
    {
        "RequestLimitExceeded",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "BandwidthLimitExceeded",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
    }
)

_AUTH_CODES = frozenset(
    {
        "AuthFailure",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidSecurity",
        "UnrecognizedClientException",
    }
)
_PERMISSION_CODES = frozenset(
    {
        "UnauthorizedOperation",
        "AccessDenied",
        "AccessDeniedException",
        "OptInRequired",
        "Blocked",
        "PendingVerification",
    }
)
_NOT_FOUND = re.compile(r"(\.NotFound|NotFound|NotFoundException|(ID|Id)\.Malformed)$|^NoSuch")
_DUPLICATE = re.compile(r"(\.Duplicate|AlreadyExists|AlreadyExistsException)$")


def error_class(code: str | None, status: int) -> type[AwsError]:
    """The error class for an AWS error ``code`` (the HTTP ``status`` when there is none)."""
    if code:
        if code in THROTTLING_CODES:
            return AwsRateLimitedError
        if code in _AUTH_CODES:
            return AwsAuthError
        if code in _PERMISSION_CODES:
            return AwsPermissionError
        if code == "IdempotentParameterMismatch":
            return AwsIdempotencyError
        if _NOT_FOUND.search(code):
            return AwsNotFoundError
        if _DUPLICATE.search(code):
            return AwsAlreadyExistsError
        return AwsError
    return {401: AwsAuthError, 403: AwsPermissionError, 404: AwsNotFoundError}.get(
        status, AwsRateLimitedError if status == 429 else AwsError
    )


def _first_error(root: object) -> tuple[str | None, str, str | None]:
    """Code, message and request id of an EC2 or Query error document."""
    code: str | None = None
    message = ""
    request_id: str | None = None
    for element in root.iter():  # type: ignore[attr-defined]
        name = local_name(element.tag)
        if name == "Code" and code is None:
            code = (element.text or "").strip() or None
        elif name == "Message" and not message:
            message = (element.text or "").strip()
        elif name in ("RequestID", "RequestId") and request_id is None:
            request_id = (element.text or "").strip() or None
    return code, message, request_id


def error_from(response: HttpResponse, operation: str, provider: str = "aws") -> AwsError:
    """The exception for an AWS error ``response`` to ``operation``."""
    code: str | None = None
    aws_message = ""
    request_id: str | None = response.headers.get("x-amzn-requestid")
    if response.content.strip():
        try:
            root = parse_xml(response.content, status=response.status)
        except MalformedResponseError:
            aws_message = response.excerpt()
        else:
            code, aws_message, found_id = _first_error(root)
            request_id = found_id or request_id
    cls = error_class(code, response.status)
    text = f"{operation}: HTTP {response.status}"
    text += f" {code}" if code else ""
    text += f": {aws_message}" if aws_message else ""
    if cls is AwsIdempotencyError:
        text += " (this client token was used before with different parameters)"
    if request_id:
        text += f" [request id {request_id}]"
    error = cls(
        text,
        status=response.status,
        code=code,
        aws_message=aws_message,
        request_id=request_id,
        provider=provider,
    )
    if isinstance(error, AwsRateLimitedError):
        from omnicloud.http._retry import retry_after_header

        error.retry_after = retry_after_header(response)
    return error
