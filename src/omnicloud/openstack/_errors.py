"""OpenStack error answers as exceptions (Keystone's JSON error documents, Swift's plain text).

Keystone answers ``{"error": {"code": 401, "title": "Unauthorized", "message": "..."}}``; Swift
answers a short HTML or text body. Either way the status picks the class; the message names the
operation, the status and the provider's words, never a token or a password (those are not in
error bodies, and the redactor removes any registered secret from the excerpt anyway).
"""

from __future__ import annotations

from omnicloud.errors import (
    InvalidCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.http import HttpResponse, Redactor

__all__ = [
    "OpenStackAuthError",
    "OpenStackError",
    "OpenStackNotFoundError",
    "OpenStackPermissionError",
    "OpenStackRateLimitedError",
    "error_from_response",
    "provider_message",
]


class OpenStackError(ProviderError):
    """An error answer from an OpenStack service (Keystone, Swift...)."""


class OpenStackAuthError(OpenStackError, InvalidCredentialsError):
    """HTTP 401: the credentials or the token were rejected."""


class OpenStackPermissionError(OpenStackError, PermissionDeniedError):
    """HTTP 403: authenticated, but not allowed to do this."""


class OpenStackNotFoundError(OpenStackError, NotFoundError):
    """HTTP 404: no such resource."""


class OpenStackRateLimitedError(OpenStackError, RateLimitedError):
    """HTTP 429 (or Swift's 498): slow down."""


_BY_STATUS: dict[int, type[OpenStackError]] = {
    401: OpenStackAuthError,
    403: OpenStackPermissionError,
    404: OpenStackNotFoundError,
    429: OpenStackRateLimitedError,
    498: OpenStackRateLimitedError,
}


def provider_message(response: HttpResponse, redactor: Redactor | None = None) -> str:
    """The provider's own words about an error answer: Keystone's ``error.message``, else the
    start of the body on one line (secrets the redactor knows are removed)."""
    text = ""
    if response.content_type == "application/json" and response.content:
        try:
            doc = response.json()
        except Exception:  # a malformed error document: fall back to its text
            doc = None
        error = doc.get("error") if isinstance(doc, dict) else None
        if isinstance(error, dict):
            text = str(error.get("message") or error.get("title") or "")
    if not text:
        text = response.excerpt()
    return redactor.text(text) if redactor is not None else text


def error_from_response(
    response: HttpResponse, operation: str, redactor: Redactor | None = None
) -> OpenStackError:
    """The exception for an error answer to ``operation``."""
    cls = _BY_STATUS.get(response.status, OpenStackError)
    said = provider_message(response, redactor)
    message = f"{operation}: HTTP {response.status}" + (f": {said}" if said else "")
    if cls is OpenStackRateLimitedError:
        from omnicloud.http._retry import retry_after_header

        return OpenStackRateLimitedError(
            message, status=response.status, provider="openstack",
            retry_after=retry_after_header(response),
        )  # fmt: skip
    return cls(message, status=response.status, provider="openstack")
