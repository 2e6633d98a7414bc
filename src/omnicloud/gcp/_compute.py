"""The Compute Engine REST API (v1) on the wire: URLs, authorised JSON sends, error answers and
failed operations as exceptions.

Paths are written relative to the project (``zones/us-central1-a/instances``), to the API
(``projects/debian-cloud/global/images``), absolute (``/compute/v1/...``) or as a resource's
``selfLink`` (its path is kept and sent to this client's endpoint, so a simulator's links work).
A 401 gets one new token; error documents (``{"error": {"code", "message", "errors"}}``) become
:class:`GCEError` subclasses carrying Google's message, with secrets redacted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.gcp.auth import TokenSource
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import Redactor
from omnicloud.http._retry import send_with_retries

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "API_ROOT",
    "DEFAULT_ENDPOINT",
    "PROVIDER",
    "GCEAuthError",
    "GCEConflictError",
    "GCEError",
    "GCENotFoundError",
    "GCEOperationError",
    "GCEOperationQuotaError",
    "GCEPermissionError",
    "GCEQuotaError",
    "GCERateLimitedError",
    "GceClient",
    "error_of",
    "last_segment",
    "operation_error",
]

DEFAULT_ENDPOINT = "https://compute.googleapis.com"
API_ROOT = "/compute/v1/"
PROVIDER = "gce"
_QUOTA_REASONS = frozenset({"quotaExceeded", "QUOTA_EXCEEDED", "rateLimitExceeded"})


class GCEError(ProviderError):
    """An error answer of the Compute Engine API (``code``: Google's first reason)."""


class GCENotFoundError(GCEError, NotFoundError):
    """HTTP 404: no such resource."""


class GCEAuthError(GCEError, InvalidCredentialsError):
    """HTTP 401: the access token was refused (after one renewal)."""


class GCEPermissionError(GCEError, PermissionDeniedError):
    """HTTP 403: the account may not do this."""


class GCERateLimitedError(GCEError, RateLimitedError):
    """HTTP 429: too many requests."""


class GCEConflictError(GCEError):
    """HTTP 409: the name is taken, or the resource is not ready for this."""


class GCEQuotaError(GCEError):
    """A quota is exhausted (HTTP 403 ``quotaExceeded``, or an operation's QUOTA_EXCEEDED)."""


class GCEOperationError(GCEError):
    """A zonal, regional or global operation finished with an error.

    ``code`` is the first error's code (``QUOTA_EXCEEDED``, ``RESOURCE_NOT_FOUND``...),
    ``errors`` all of them, ``status`` the operation's ``httpErrorStatusCode``.
    """

    def __init__(
        self,
        message: str,
        *,
        operation_name: str = "",
        errors: Sequence[Mapping[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.operation_name = operation_name
        self.errors = [dict(e) for e in errors]


class GCEOperationQuotaError(GCEOperationError, GCEQuotaError):
    """An operation failed because a quota is exhausted."""


def last_segment(value: Any) -> str:
    """The last path segment of a resource URL (``.../zones/us-central1-a`` → the zone)."""
    text = str(value or "")
    return text.rstrip("/").rsplit("/", 1)[-1]


def _said(response: HttpResponse) -> tuple[str, str]:
    """(message, first reason) of an error answer."""
    try:
        doc = response.json() if response.content else None
    except MalformedResponseError:
        return response.excerpt(), ""
    error = doc.get("error") if isinstance(doc, Mapping) else None
    if isinstance(error, Mapping):
        reasons = error.get("errors")
        reason = ""
        if isinstance(reasons, list) and reasons and isinstance(reasons[0], Mapping):
            reason = str(reasons[0].get("reason") or "")
        return str(error.get("message") or ""), reason
    if isinstance(error, str):
        return str(doc.get("error_description") or error), ""  # type: ignore[union-attr]
    return "", ""


def error_of(response: HttpResponse, operation: str, redactor: Redactor) -> GCEError:
    """The exception for an error answer of the Compute Engine API."""
    status = response.status
    message, reason = _said(response)
    text = redactor.text(f"{operation}: HTTP {status}" + (f": {message}" if message else ""))
    cls: type[GCEError] = GCEError
    if status == 404:
        cls = GCENotFoundError
    elif status == 401:
        cls = GCEAuthError
    elif reason in _QUOTA_REASONS or (status == 403 and "quota" in message.lower()):
        cls = GCEQuotaError
    elif status == 403:
        cls = GCEPermissionError
    elif status == 409:
        cls = GCEConflictError
    elif status == 429:
        from omnicloud.http._retry import retry_after_header

        return GCERateLimitedError(
            text, status=status, code=reason or None, provider=PROVIDER,
            retry_after=retry_after_header(response),
        )  # fmt: skip
    return cls(text, status=status, code=reason or None, provider=PROVIDER)


def operation_error(doc: Mapping[str, Any], what: str, redactor: Redactor) -> GCEOperationError:
    """The exception for a DONE operation document carrying ``error.errors``."""
    error = doc.get("error") if isinstance(doc.get("error"), Mapping) else {}
    errors = [e for e in (error or {}).get("errors") or [] if isinstance(e, Mapping)]
    first = errors[0] if errors else {}
    code = str(first.get("code") or "") or None
    said = "; ".join(str(e.get("message") or e.get("code") or "") for e in errors)
    said = said or str(doc.get("httpErrorMessage") or "operation failed")
    status = doc.get("httpErrorStatusCode")
    text = redactor.text(f"{what}: {said}")
    quota = any("QUOTA" in str(e.get("code") or "") for e in errors)
    cls = GCEOperationQuotaError if quota else GCEOperationError
    return cls(
        text,
        operation_name=str(doc.get("name") or ""),
        errors=errors,
        status=int(status) if isinstance(status, int) else None,
        code=code,
        provider=PROVIDER,
    )


class GceClient:
    """Sends JSON requests to ``endpoint`` for ``project`` with a bearer token from ``auth``."""

    def __init__(
        self,
        endpoint: str,
        project: str,
        auth: TokenSource,
        retry: RetryPolicy,
        redactor: Redactor,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.project = project
        self.auth = auth
        self.retry = retry
        self.redactor = redactor
        self.base = f"{API_ROOT}projects/{quote(project, safe='')}/"

    def __repr__(self) -> str:
        return f"GceClient({self.endpoint!r}, project={self.project!r}, auth={self.auth!r})"

    def path(self, path: str) -> str:
        """The absolute API path of ``path`` (project-relative, API-relative, absolute or a
        resource URL)."""
        if "://" in path:
            path = urlsplit(path).path
        if path.startswith("/"):
            return path
        if path.startswith("projects/"):
            return API_ROOT + path
        return self.base + path

    def url(self, path: str, query: Sequence[tuple[str, str]] | None = None) -> str:
        """``endpoint`` + the absolute path of ``path`` + ``query``."""
        suffix = f"?{urlencode(list(query))}" if query else ""
        return self.endpoint + self.path(path) + suffix

    def send(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        operation: str = "",
        expected: tuple[int, ...] = (200,),
    ) -> Flow[HttpResponse]:
        """Send under the retry policy (a refused token is renewed once); the answer, or the
        :class:`GCEError` it maps to."""
        headers = {"Accept": "application/json"}
        content = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        target = self.url(path, query)
        label = operation or f"gce {method} {self.path(path)}"
        renewed = False
        while True:
            sent = dict(headers)
            token = yield from self.auth.token()
            if token:
                sent["Authorization"] = f"Bearer {token}"
            request = HttpRequest(method, target, headers=sent, content=content, operation=label)
            response: HttpResponse = yield from send_with_retries(request, self.retry)
            if response.status == 401 and not renewed and self.auth.can_renew(token):
                renewed = True
                self.auth.forget(token)
                continue
            if response.status not in expected:
                raise error_of(response, label, self.redactor)
            return response

    def json(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        query: Sequence[tuple[str, str]] | None = None,
        operation: str = "",
    ) -> Flow[dict[str, Any]]:
        """:meth:`send`, the answer's JSON object (``{}`` when empty)."""
        response = yield from self.send(method, path, body, query=query, operation=operation)
        if not response.content:
            return {}
        doc = response.json()
        if not isinstance(doc, dict):
            raise MalformedResponseError(
                f"{operation or path}: expected a JSON object", status=response.status
            )
        return doc
