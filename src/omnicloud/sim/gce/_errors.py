"""Errors as the Compute API sends them: ``{"error": {"code", "message", "errors": [...]}}``."""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "already_exists",
    "bad_request",
    "invalid",
    "not_found",
    "precondition",
    "unauthenticated",
]

_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    503: "UNAVAILABLE",
}


class ApiError(Exception):
    """An error answer: HTTP status, Google's reason and message, extra headers."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})

    @property
    def document(self) -> dict[str, Any]:
        """The JSON body Google sends."""
        detail: dict[str, Any] = {
            "message": self.message,
            "domain": "global",
            "reason": self.reason,
        }
        detail.update(self.extra)
        error: dict[str, Any] = {"code": self.status, "message": self.message, "errors": [detail]}
        if self.status in _STATUS:
            error["status"] = _STATUS[self.status]
        return {"error": error}

    def operation_error(self) -> dict[str, Any]:
        """The ``error`` of an operation that failed this way."""
        return {"errors": [{"code": self.reason.upper(), "message": self.message}]}


def not_found(path: str) -> ApiError:
    """404: ``The resource 'projects/p/...' was not found``."""
    return ApiError(404, "notFound", f"The resource '{path}' was not found")


def already_exists(path: str) -> ApiError:
    """409: ``The resource 'projects/p/...' already exists``."""
    return ApiError(409, "alreadyExists", f"The resource '{path}' already exists")


def invalid(message: str) -> ApiError:
    """400 ``invalid``."""
    return ApiError(400, "invalid", message)


def bad_request(message: str) -> ApiError:
    """400 ``badRequest``."""
    return ApiError(400, "badRequest", message)


def precondition(message: str) -> ApiError:
    """412 ``conditionNotMet``."""
    return ApiError(412, "conditionNotMet", message, extra={"location": "If-Match"})


def unauthenticated(missing: bool) -> ApiError:
    """401 for a request without credentials (``missing``) or with unusable ones."""
    if missing:
        message = (
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential."
        )
        reason = "required"
    else:
        message = (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential."
        )
        reason = "authError"
    return ApiError(
        401,
        reason,
        message,
        extra={"location": "Authorization", "locationType": "header"},
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
    )
