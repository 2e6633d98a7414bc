"""The PowerDNS Authoritative Server HTTP API (``/api/v1``) as flows, and its errors.

Every request carries the API key in ``X-API-Key``; answers are JSON, or an empty 204. Error
answers are ``{"error": "..."}`` (422, 500) or a bare reason (``Not Found``, ``Conflict``,
``Unauthorized``). Nothing here does I/O: the PowerDNS DNS driver runs these flows sync or
async. Messages never carry the key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
    ValidationError,
)
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "API_ROOT",
    "PowerDNSAuthError",
    "PowerDNSConflictError",
    "PowerDNSError",
    "PowerDNSNotFoundError",
    "PowerDNSPermissionError",
    "PowerDNSRateLimitedError",
    "PowerDNSSettings",
    "base_url",
    "call",
    "error_from",
]

#: The path prefix of PowerDNS 4.x's API (Libcloud's ``api_version="v1"``).
API_ROOT = "/api/v1"


class PowerDNSError(ProviderError):
    """An error answer from the PowerDNS API; ``error`` is PowerDNS's own text."""

    def __init__(self, message: str, *, status: int | None = None, error: str = "") -> None:
        super().__init__(message, status=status, code=status, provider="powerdns")
        self.error = error


class PowerDNSAuthError(PowerDNSError, InvalidCredentialsError):
    """HTTP 401: the API key was rejected."""


class PowerDNSPermissionError(PowerDNSError, PermissionDeniedError):
    """HTTP 403: the server refuses this client (``webserver-allow-from``, a read-only API)."""


class PowerDNSNotFoundError(PowerDNSError, NotFoundError):
    """HTTP 404: no such server or zone."""


class PowerDNSConflictError(PowerDNSError):
    """HTTP 409: the object exists already (a zone of that name)."""


class PowerDNSRateLimitedError(PowerDNSError, RateLimitedError):
    """HTTP 429 (from a proxy in front of PowerDNS)."""


def base_url(endpoint: str | None, host: str | None, port: int | None, secure: bool) -> str:
    """The server's root URL from ``endpoint=`` or Libcloud's ``host``/``port``/``secure``.

    An endpoint may name the API root too (``http://ns:8081/api/v1``); it is cut off.
    """
    if endpoint is None:
        if not host:
            raise ValidationError(
                "PowerDNS needs the API server: host= (and port=, usually 8081) or endpoint="
            )
        if "://" in host or "/" in host:
            raise ValidationError("host= is a host name; give a URL as endpoint=")
        netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
        endpoint = f"{'https' if secure else 'http'}://{netloc}" + (f":{port}" if port else "")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"the PowerDNS endpoint must be an http(s) URL, not {endpoint!r}")
    path = parts.path.rstrip("/")
    for suffix in (API_ROOT, "/api"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(slots=True)
class PowerDNSSettings:
    """What a call needs besides the transport: the server URL, the server id and the key
    (never shown)."""

    url: str
    server: str = "localhost"
    key: str = field(default="", repr=False)
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def path(self, *segments: str) -> str:
        """The absolute URL of ``/api/v1/servers/{server}/`` + ``segments`` (each quoted)."""
        tail = "".join("/" + quote(s, safe="=.@-_") for s in segments)
        return f"{self.url}{API_ROOT}/servers/{quote(self.server, safe='')}{tail}"


def _text(response: HttpResponse) -> str:
    """PowerDNS's error text: the ``error`` member of a JSON answer, or the bare body."""
    try:
        document = json.loads(response.content) if response.content else None
    except ValueError:
        document = None
    if isinstance(document, dict) and document.get("error"):
        text = str(document["error"])
        extra = document.get("errors")
        if isinstance(extra, list) and extra:
            text += " (" + "; ".join(str(e) for e in extra) + ")"
        return text
    return response.excerpt() or response.reason


def error_from(response: HttpResponse, operation: str) -> PowerDNSError:
    """The exception for an error ``response`` to ``operation`` (``"GET zone example.org."``)."""
    status = response.status
    text = _text(response)
    if status == 401:
        return PowerDNSAuthError(
            f"powerdns {operation}: HTTP 401: the API key was rejected (check key=, sent as "
            "X-API-Key, against the server's api-key)",
            status=status,
            error=text,
        )
    message = f"powerdns {operation}: HTTP {status}: {text}"
    if status == 403:
        return PowerDNSPermissionError(message, status=status, error=text)
    if status == 404:
        return PowerDNSNotFoundError(message, status=status, error=text)
    if status == 409:
        return PowerDNSConflictError(message, status=status, error=text)
    if status == 429:
        return PowerDNSRateLimitedError(message, status=status, error=text)
    return PowerDNSError(message, status=status, error=text)


def _parse(response: HttpResponse, operation: str) -> Any:
    if response.status >= 300:
        raise error_from(response, operation)
    if response.status == 204 or not response.content.strip():
        return None
    if response.content_type and "json" not in response.content_type:
        raise MalformedResponseError(
            f"powerdns {operation}: HTTP {response.status} is {response.content_type}, not "
            "JSON; is the endpoint a PowerDNS API server (webserver-port, usually 8081)?",
            status=response.status,
            excerpt=response.excerpt(),
        )
    return response.json()


def call(
    settings: PowerDNSSettings,
    method: str,
    segments: Sequence[str],
    operation: str,
    *,
    body: Any = None,
    params: Mapping[str, str] | None = None,
    idempotent: bool | None = None,
) -> Flow[Any]:
    """One API call on ``/servers/{server}/`` + ``segments``: the JSON answer (None for 204),
    or a :class:`PowerDNSError`. Safe calls are retried by the shared retry flow."""
    from omnicloud.http._retry import send_parsed

    headers = {"Accept": "application/json", "X-API-Key": settings.key}
    content = None
    if body is not None:
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers["Content-Type"] = "application/json"
    request = HttpRequest(
        method=method,
        url=settings.path(*segments),
        params=list((params or {}).items()),
        headers=headers,
        content=content,
        operation=f"powerdns {operation}",
        idempotent=idempotent,
    )
    result = yield from send_parsed(
        request, settings.retry, lambda response: _parse(response, operation)
    )
    return result
