"""Error answers in each service's own shape.

- Nova and Cinder: ``{"itemNotFound": {"code": 404, "message": ...}}`` (the key by status);
- Neutron: ``{"NeutronError": {"type": ..., "message": ..., "detail": ""}}``;
- Keystone (and keystonemiddleware in front of every service): ``{"error": {"code", "title",
  "message"}}``;
- Glance: a plain-text page, ``"404 Not Found\\n\\n<message>\\n\\n   "``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "glance",
    "keystone",
    "neutron",
    "nova",
    "unauthorized",
]

_FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class ApiError(Exception):
    """An error answer: HTTP ``status``, a JSON ``document`` (or ``text``) and extra headers."""

    def __init__(
        self,
        status: int,
        document: Any = None,
        *,
        text: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.document = document
        self.text = text
        self.headers = dict(headers or {})


def nova(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """A Nova (or Cinder) fault: ``{"<faultName>": {"code": status, "message": message}}``."""
    name = _FAULT_NAMES.get(status, "computeFault")
    return ApiError(status, {name: {"code": status, "message": message}}, headers=headers)


def neutron(
    status: int, error_type: str, message: str, headers: dict[str, str] | None = None
) -> ApiError:
    """A Neutron error: ``{"NeutronError": {"type", "message", "detail"}}``."""
    document = {"NeutronError": {"type": error_type, "message": message, "detail": ""}}
    return ApiError(status, document, headers=headers)


def keystone(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """A Keystone error: ``{"error": {"code", "title", "message"}}``."""
    document = {
        "error": {"code": status, "title": _TITLES.get(status, "Error"), "message": message}
    }
    return ApiError(status, document, headers=headers)


def unauthorized(identity_url: str) -> ApiError:
    """keystonemiddleware's 401 for a missing, unknown or expired token."""
    return keystone(
        401,
        "The request you have made requires authentication.",
        {"WWW-Authenticate": f'Keystone uri="{identity_url}"'},
    )


def glance(status: int, message: str, headers: dict[str, str] | None = None) -> ApiError:
    """A Glance error page (webob's plain-text rendering)."""
    title = _TITLES.get(status, "Error")
    return ApiError(status, text=f"{status} {title}\n\n{message}\n\n   ", headers=headers)
