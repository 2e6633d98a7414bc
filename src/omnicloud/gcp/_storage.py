"""The Cloud Storage JSON API on the wire: URLs, authorised sends with retries, error answers.

Names go into URL paths percent-encoded whole (``quote(name, safe="")``): ``/`` is sent as
``%2F``, so an object name is always one path segment and ``.``/``..`` pieces of it can never
be resolved into another object's path by a client, proxy or server. Bucket and object names
are checked before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    OmnicloudError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.gcp.auth import TokenSource
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import Redactor
from omnicloud.http._retry import send_parsed, send_with_retries
from omnicloud.http._streaming import Pieces
from omnicloud.storage._names import check_utf8
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    InvalidObjectNameError,
    InvalidRangeError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "DEFAULT_ENDPOINT",
    "GcsClient",
    "bucket_name",
    "error_from_response",
    "object_name",
]

DEFAULT_ENDPOINT = "https://storage.googleapis.com"
PROVIDER = "google_storage"
MAX_OBJECT_BYTES = 1024


def bucket_name(name: str) -> str:
    """``name`` encoded for a path, or :class:`InvalidContainerNameError`."""
    if not isinstance(name, str) or not name:
        raise InvalidContainerNameError("bucket names must be non-empty strings")
    check_utf8(name, "container")
    if "/" in name or name in (".", ".."):
        raise InvalidContainerNameError(f"bucket name {name!r} is not allowed")
    if len(name) > 222:
        raise InvalidContainerNameError("bucket names are at most 222 characters")
    return quote(name, safe="")


def object_name(name: str) -> str:
    """``name`` encoded as one path segment, or :class:`InvalidObjectNameError` for a name
    Cloud Storage cannot hold (empty, ``.``, ``..``, CR/LF, more than 1024 bytes of UTF-8)."""
    if not isinstance(name, str) or not name:
        raise InvalidObjectNameError("object names must be non-empty strings")
    encoded = check_utf8(name)
    if len(encoded) > MAX_OBJECT_BYTES:
        raise InvalidObjectNameError(
            f"object names are at most {MAX_OBJECT_BYTES} bytes of UTF-8, not {len(encoded)}"
        )
    if name in (".", "..") or "\r" in name or "\n" in name:
        raise InvalidObjectNameError(f"Cloud Storage does not allow the object name {name!r}")
    return quote(name, safe="")


def _said(response: HttpResponse) -> tuple[str, str]:
    """The error document's message and first reason (both empty when there is none)."""
    try:
        doc = response.json() if response.content else None
    except MalformedResponseError:
        return response.excerpt(), ""
    error = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(error, dict):
        reasons = error.get("errors")
        reason = ""
        if isinstance(reasons, list) and reasons and isinstance(reasons[0], dict):
            reason = str(reasons[0].get("reason") or "")
        return str(error.get("message") or ""), reason
    if isinstance(error, str):
        return error, ""
    return "", ""


def error_from_response(
    response: HttpResponse,
    operation: str,
    missing: str = "object",
    redactor: Redactor | None = None,
) -> OmnicloudError:
    """The exception for an error answer. ``missing`` says what a 404 is (``"container"`` or
    ``"object"``); ``"create"`` makes a 409 an existing bucket, ``"delete"`` makes a 409 (GCS)
    or 412 (fake-gcs-server) a bucket that is not empty."""
    status = response.status
    message, reason = _said(response)
    text = f"{operation}: HTTP {status}" + (f": {message}" if message else "")
    if redactor is not None:
        text = redactor.text(text)
    cls: type[ProviderError] = StorageError
    lowered = message.lower()
    if status == 404:
        if missing == "object" and "bucket" in lowered and "not exist" in lowered:
            cls = ContainerDoesNotExistError
        else:
            cls = ObjectDoesNotExistError if missing == "object" else ContainerDoesNotExistError
    elif status == 401:
        cls = InvalidCredentialsError
    elif status == 403:
        cls = PermissionDeniedError
    elif status == 409 and missing == "create":
        cls = ContainerAlreadyExistsError
    elif status in (409, 412) and missing == "delete":
        cls = ContainerIsNotEmptyError
    elif status == 416:
        cls = InvalidRangeError
    elif status == 400 and ("hash" in lowered or "crc32c" in lowered) and "match" in lowered:
        cls = ObjectHashMismatchError
    elif status == 429:
        cls = RateLimitedError
    return cls(text, status=status, code=reason or None, provider=PROVIDER)


class GcsClient:
    """Sends JSON API requests to ``endpoint`` with a bearer token from ``auth``."""

    def __init__(
        self,
        endpoint: str,
        auth: TokenSource,
        retry: RetryPolicy,
        redactor: Redactor,
        project: str | None,
        user_project: str | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.retry = retry
        self.redactor = redactor
        self.project = project
        self.user_project = user_project

    def __repr__(self) -> str:
        return f"GcsClient({self.endpoint!r}, project={self.project!r}, auth={self.auth!r})"

    def url(self, path: str, query: list[tuple[str, str]] | None = None) -> str:
        """``endpoint + path`` with ``query`` encoded."""
        pairs = list(query or [])
        if self.user_project:
            pairs.append(("userProject", self.user_project))
        if not pairs:
            return self.endpoint + path
        return (
            self.endpoint
            + path
            + "?"
            + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        )

    def authorize(self, headers: dict[str, str]) -> Flow[str | None]:
        """Add ``Authorization`` to ``headers``; the token used (None: anonymous)."""
        token = yield from self.auth.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return token

    def send(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Pieces | None = None,
        json_body: Any = None,
        operation: str = "",
        idempotent: bool | None = None,
        parse: Callable[[HttpResponse], Any] | None = None,
        url: str | None = None,
        authorized: bool = True,
    ) -> Flow[Any]:
        """Send under the retry policy (a refused token is renewed once); the answer, or
        ``(answer, parse(answer))``."""
        if json_body is not None:
            import json

            content = json.dumps(json_body, separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json; charset=UTF-8", **(headers or {})}
        target = url or self.url(path, query)
        renewed = False
        while True:
            sent = dict(headers or {})
            if isinstance(content, Pieces):
                sent["Content-Length"] = str(content.length)
            token = (yield from self.authorize(sent)) if authorized else None
            request = HttpRequest(
                method, target, headers=sent, content=content, operation=operation,
                idempotent=idempotent,
            )  # fmt: skip
            if parse is None:
                response: HttpResponse = yield from send_with_retries(request, self.retry)
                result: Any = response
            else:
                result = yield from send_parsed(request, self.retry, _keep(parse))
                response = result[0]
            if response.status == 401 and not renewed and self.auth.can_renew(token):
                renewed = True
                self.auth.forget(token)
                continue
            return result


def _keep(
    parse: Callable[[HttpResponse], Any],
) -> Callable[[HttpResponse], tuple[HttpResponse, Any]]:
    def both(response: HttpResponse) -> tuple[HttpResponse, Any]:
        return response, parse(response)

    return both


def json_when_ok(response: HttpResponse) -> Any:
    """The JSON document of a 2xx answer (a malformed one raises, so reads are retried)."""
    if not 200 <= response.status < 300:
        return None
    if not response.content:
        return {}
    doc = response.json()
    if not isinstance(doc, dict):
        raise MalformedResponseError(
            f"HTTP {response.status}: expected a JSON object", status=response.status
        )
    return doc
