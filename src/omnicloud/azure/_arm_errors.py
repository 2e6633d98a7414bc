"""Azure Resource Manager and Azure AD error answers as omnicloud exceptions.

ARM answers ``{"error": {"code": ..., "message": ...}}``; Azure AD answers ``{"error":
"invalid_client", "error_description": "AADSTS7000215: ..."}``. The message names the operation,
the HTTP status, Azure's code and Azure's own words, with every registered secret removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omnicloud.errors import (
    InvalidCredentialsError,
    JobFailedError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.http import HttpResponse, Redactor

__all__ = [
    "AzureAuthError",
    "AzureConflictError",
    "AzureError",
    "AzureNotFoundError",
    "AzureOperationFailedError",
    "AzurePermissionError",
    "AzureQuotaError",
    "AzureRateLimitedError",
    "arm_error",
    "arm_words",
    "identity_error",
]

_QUOTA_CODES = frozenset(
    {"QuotaExceeded", "OperationNotAllowed", "SkuNotAvailable", "PublicIPCountLimitReached"}
)


class AzureError(ProviderError):
    """Azure answered with an error (``code`` is Azure's error code)."""


class AzureAuthError(AzureError, InvalidCredentialsError):
    """Azure AD refused the credentials, or ARM refused the token (401)."""


class AzurePermissionError(AzureError, PermissionDeniedError):
    """The identity may not do this (403 ``AuthorizationFailed``)."""


class AzureNotFoundError(AzureError, NotFoundError):
    """The resource (or its group) does not exist (404)."""


class AzureConflictError(AzureError):
    """HTTP 409: the resource is busy or in a state that refuses the request."""


class AzureQuotaError(AzureError):
    """A quota or SKU limit refused the request (``QuotaExceeded``, ``OperationNotAllowed``)."""


class AzureRateLimitedError(AzureError, RateLimitedError):
    """HTTP 429 (``retry_after`` in seconds when Azure said)."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        AzureError.__init__(self, message, **kwargs)
        self.retry_after = retry_after


class AzureOperationFailedError(JobFailedError):
    """A long-running operation ended ``Failed`` or ``Canceled``; ``code`` and ``message`` are
    Azure's."""

    def __init__(self, message: str, *, code: str | None, said: str, job_id: str | None) -> None:
        super().__init__(message, job_id=job_id, errortext=said)
        self.code = code
        self.message = said


def arm_words(document: Any) -> tuple[str, str]:
    """(code, message) of an ARM error document (``{"error": {...}}`` or the inner object)."""
    if not isinstance(document, Mapping):
        return "", ""
    inner = document.get("error", document)
    if not isinstance(inner, Mapping):
        return "", ""
    code = str(inner.get("code") or "")
    said = str(inner.get("message") or "")
    details = inner.get("details")
    if isinstance(details, list) and details and isinstance(details[0], Mapping):
        sub_code, sub_said = arm_words(details[0])
        if sub_said and sub_said not in said:
            said = f"{said} ({sub_code}: {sub_said})" if said else sub_said
            code = code or sub_code
    return code, said


def _document(response: HttpResponse) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def arm_error(response: HttpResponse, operation: str, redactor: Redactor) -> AzureError:
    """The exception for an ARM error answer."""
    code, said = arm_words(_document(response))
    if not said and not code:
        said = response.excerpt()
    said = redactor.text(said)
    status = response.status
    cls: type[AzureError] = AzureError
    if status == 404:
        cls = AzureNotFoundError
    elif status == 401:
        cls = AzureAuthError
    elif code in _QUOTA_CODES or "quota" in said.lower():
        cls = AzureQuotaError
    elif status == 403:
        cls = AzurePermissionError
    elif status == 409:
        cls = AzureConflictError
    elif status == 429:
        from omnicloud.http._retry import retry_after_header

        return AzureRateLimitedError(
            _message(operation, status, code, said),
            status=status,
            code=code or None,
            provider="azure",
            retry_after=retry_after_header(response),
        )
    return cls(
        _message(operation, status, code, said), status=status, code=code or None, provider="azure"
    )


def identity_error(response: HttpResponse, operation: str, redactor: Redactor) -> AzureError:
    """The exception for an Azure AD (or IMDS) token error: AAD's ``error_description``."""
    document = _document(response)
    code, said = "", ""
    if isinstance(document, Mapping):
        raw = document.get("error")
        if isinstance(raw, Mapping):
            code, said = arm_words(document)
        else:
            code = str(raw or "")
            said = str(document.get("error_description") or document.get("message") or "")
    if not said and not code:
        said = response.excerpt()
    said = redactor.text(said.splitlines()[0] if said else said)
    status = response.status
    if status in (400, 401) and code in {
        "invalid_client",
        "unauthorized_client",
        "invalid_request",
        "invalid_grant",
        "",
    }:
        cls: type[AzureError] = AzureAuthError
    elif status == 404 and code in {"invalid_tenant", "tenant_not_found", ""}:
        cls = AzureAuthError
    elif status == 429:
        cls = AzureRateLimitedError
    else:
        cls = AzureError
    return cls(
        _message(operation, status, code, said), status=status, code=code or None, provider="azure"
    )


def _message(operation: str, status: int, code: str, said: str) -> str:
    text = f"{operation}: HTTP {status}" + (f" {code}" if code else "")
    return text + (f": {said}" if said else "")
