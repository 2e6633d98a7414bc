"""CloudSigma API 2.0 calls as flows: build the request, send with safe retries, unwrap, paginate.

Nothing here does I/O; :mod:`omnicloud.cloudsigma._client` and the compute driver run these flows
sync or async.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from omnicloud._flow import Emit, Gather, Sleep
from omnicloud._poll import PollSettings, PollStatus, poll
from omnicloud.errors import JobFailedError, MalformedResponseError, ValidationError
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._retry import backoff_delay, retry_after_header, send_parsed

from ._errors import (
    CloudSigmaAuthError,
    CloudSigmaError,
    CloudSigmaNotFoundError,
    CloudSigmaPermissionError,
    CloudSigmaRateLimitedError,
)
from ._regions import discovered_endpoint, endpoint_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "CloudSigmaSettings",
    "action",
    "call",
    "error_from",
    "list_items",
    "list_page",
    "resolve_endpoint",
    "wait_for_status",
]

if TYPE_CHECKING:
    from typing import TypeAlias

    Params: TypeAlias = Mapping[str, Any] | Sequence[tuple[str, Any]]


@dataclass(slots=True)
class CloudSigmaSettings:
    """Everything a CloudSigma call needs besides the transport (the password is never shown)."""

    endpoint: str
    username: str
    password: str = field(repr=False)
    page_size: int = 100
    concurrency: int = 4
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    poll: PollSettings = field(
        default_factory=lambda: PollSettings(interval=2.0, first_interval=0.2, timeout=600.0)
    )
    headers: dict[str, str] = field(default_factory=dict)
    # A location code not in the static table: looked up in ``discovery``'s /locations/ (the
    # API base URL of a known location) before the first call; ``endpoint`` is provisional.
    pending_region: str | None = None
    discovery: str | None = None
    _auth: str = field(init=False, repr=False, default="")

    def __post_init__(self) -> None:
        self.endpoint = endpoint_url(endpoint=self.endpoint)
        if self.pending_region and not self.discovery:
            raise ValidationError("a region to discover needs a discovery endpoint")
        if self.discovery:
            self.discovery = endpoint_url(endpoint=self.discovery)
        if not self.username or not self.password:
            raise ValidationError("CloudSigma needs the account email (username) and password")
        if self.page_size < 1:
            raise ValidationError("page_size must be at least 1")
        import base64

        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        self._auth = f"Basic {token}"

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value (a secret)."""
        return self._auth

    def url(self, path: str) -> str:
        """The absolute URL of API ``path`` (``servers/detail/``), with its trailing slash."""
        path = path.strip("/")
        return f"{self.endpoint}{path}/" if path else self.endpoint


def _pairs(params: Params | None) -> list[tuple[str, str]]:
    items = params.items() if isinstance(params, Mapping) else (params or ())
    out: list[tuple[str, str]] = []
    for name, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(str(v) for v in value)
        out.append((name, str(value)))
    return out


def build_request(
    settings: CloudSigmaSettings,
    method: str,
    path: str,
    *,
    params: Params | None = None,
    body: Any = None,
    idempotent: bool | None = None,
) -> HttpRequest:
    """One JSON request to ``path`` with Basic authentication."""
    headers = {
        "Accept": "application/json",
        "Authorization": settings.authorization,
        **settings.headers,
    }
    content = None
    if body is not None:
        content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers["Content-Type"] = "application/json"
    return HttpRequest(
        method=method,
        url=settings.url(path),
        params=_pairs(params),
        headers=headers,
        content=content,
        operation=f"CloudSigma {method} /{path.strip('/')}/",
        idempotent=idempotent,
    )


def error_from(response: HttpResponse, operation: str) -> CloudSigmaError:
    """The exception for an error ``response`` (CloudSigma's error list, or anything else)."""
    errors: list[dict[str, Any]] = []
    try:
        document = json.loads(response.content) if response.content else None
    except ValueError:
        document = None
    if isinstance(document, list):
        errors = [item for item in document if isinstance(item, dict)]
    elif isinstance(document, dict) and "error_type" in document:
        errors = [document]
    first = errors[0] if errors else {}
    error_type = first.get("error_type")
    point = first.get("error_point")
    text = str(first.get("error_message") or response.excerpt() or response.reason or "")
    message = f"{operation}: HTTP {response.status}"
    message += f" {error_type}: {text}" if error_type else f": {text}"
    if point:
        message += f" (field {point!r})"
    kwargs: dict[str, Any] = {
        "status": response.status,
        "error_type": error_type,
        "error_point": point,
        "error_message": text,
        "request_id": response.headers.get("x-request-id"),
        "errors": errors,
    }
    if response.status == 401:
        return CloudSigmaAuthError(message, **kwargs)
    if response.status == 403:
        return CloudSigmaPermissionError(message, **kwargs)
    if response.status == 404:
        return CloudSigmaNotFoundError(message, **kwargs)
    if response.status == 429:
        return CloudSigmaRateLimitedError(
            message, retry_after=retry_after_header(response), **kwargs
        )
    return CloudSigmaError(message, **kwargs)


def _unwrap(response: HttpResponse, operation: str) -> Any:
    if response.status >= 300:
        raise error_from(response, operation)
    if response.status == 204 or not response.content.strip():
        return None
    if "json" not in response.content_type and response.content_type:
        raise MalformedResponseError(
            f"{operation}: HTTP {response.status} is {response.content_type}, not JSON; "
            "check that the endpoint ends in /api/2.0/",
            status=response.status,
            excerpt=response.excerpt(),
        )
    return response.json()


def _is_concurrency(error: CloudSigmaError) -> bool:
    return error.error_type == "concurrency"


def resolve_endpoint(settings: CloudSigmaSettings) -> Flow[str]:
    """Settle ``settings.endpoint`` for a region found only through ``GET /locations/``.

    Asks the known location ``settings.discovery`` (same credentials, safe retries) and takes
    the endpoint it reports for ``settings.pending_region``; an unlisted code raises
    ValidationError. Nothing is sent when the endpoint is already settled.
    """
    code = settings.pending_region
    if not code or not settings.discovery:
        return settings.endpoint
    known = CloudSigmaSettings(
        endpoint=settings.discovery,
        username=settings.username,
        password=settings.password,
        retry=settings.retry,
        headers=settings.headers,
    )
    request = build_request(known, "GET", "locations", params=[("limit", "0")])
    document = yield from send_parsed(
        request, settings.retry, lambda response: _unwrap(response, request.label)
    )
    objects = document.get("objects") if isinstance(document, dict) else document
    if not isinstance(objects, list):
        raise MalformedResponseError(f"{request.label}: expected a 'meta'/'objects' list")
    where = f"GET {known.endpoint}locations/"
    settings.endpoint = discovered_endpoint(
        code, [o for o in objects if isinstance(o, dict)], where
    )
    settings.pending_region = None
    return settings.endpoint


def call(
    settings: CloudSigmaSettings,
    method: str,
    path: str,
    *,
    params: Params | None = None,
    body: Any = None,
    idempotent: bool | None = None,
) -> Flow[Any]:
    """One API call: the parsed JSON answer (None for 204), or a :class:`CloudSigmaError`.

    Transport failures, 429 and 503 are retried for safe calls by the shared retry flow. A
    ``concurrency`` error (CloudSigma refused because of a conflicting update, and applied
    nothing) is retried for any method with backoff, within the same retry budget.
    """
    if settings.pending_region:
        yield from resolve_endpoint(settings)
    request = build_request(settings, method, path, params=params, body=body, idempotent=idempotent)
    attempt = 0
    while True:
        attempt += 1
        try:
            return (
                yield from send_parsed(
                    request, settings.retry, lambda response: _unwrap(response, request.label)
                )
            )
        except CloudSigmaError as error:
            if not _is_concurrency(error) or attempt >= settings.retry.max_attempts:
                raise
            yield Sleep(backoff_delay(settings.retry, attempt))


def action(
    settings: CloudSigmaSettings,
    path: str,
    do: str,
    *,
    body: Any = None,
    params: Params | None = None,
) -> Flow[Any]:
    """``POST {path}/action/?do={do}`` (with ``{}`` as the body, as CloudSigma expects)."""
    query = [("do", do), *_pairs(params)]
    result = yield from call(
        settings,
        "POST",
        f"{path.strip('/')}/action",
        params=query,
        body={} if body is None else body,
    )
    return result


def _page(document: Any, operation: str) -> tuple[list[Any], int | None]:
    if isinstance(document, list):
        return document, len(document)
    if not isinstance(document, dict) or not isinstance(document.get("objects"), list):
        raise MalformedResponseError(f"{operation}: expected a 'meta'/'objects' list")
    meta = document.get("meta") or {}
    total = meta.get("total_count") if isinstance(meta, dict) else None
    return document["objects"], int(total) if isinstance(total, int | str) else None


def list_page(
    settings: CloudSigmaSettings, path: str, params: Params | None, offset: int, limit: int
) -> Flow[tuple[list[Any], int | None]]:
    """One page: (objects, total_count)."""
    query = [*_pairs(params), ("limit", str(limit)), ("offset", str(offset))]
    document = yield from call(settings, "GET", path, params=query)
    return _page(document, f"GET /{path.strip('/')}/")


def list_items(
    settings: CloudSigmaSettings,
    path: str,
    params: Params | None = None,
    *,
    page_size: int | None = None,
    concurrency: int = 1,
    pages: Callable[[list[Any]], Flow[list[Any]]] | None = None,
) -> Flow[None]:
    """Emit every object of a ``meta``/``objects`` list, page by page (``limit``/``offset``).

    Stops at ``meta.total_count``, on an empty or short page; a page that repeats the previous one
    is an error. With ``concurrency`` above one the remaining pages are fetched concurrently once
    the total is known (still emitted in order). ``pages`` may enrich each page before it is
    emitted (one flow per page, e.g. to fetch the servers' drives in one request).
    """
    size = page_size or settings.page_size
    clean = [(k, v) for k, v in _pairs(params) if k not in {"limit", "offset"}]
    objects, total = yield from list_page(settings, path, clean, 0, size)
    if objects:
        yield Emit((yield from pages(objects)) if pages else objects)
    seen, previous = len(objects), objects[:1]
    if not objects or (total is not None and seen >= total) or len(objects) < size:
        return
    if concurrency > 1 and total is not None:
        offsets = range(seen, total, size)
        flows = [_enriched(settings, path, clean, off, size, pages) for off in offsets]
        for batch in (yield Gather(flows, limit=concurrency)):
            if batch:
                yield Emit(batch)
        return
    while True:
        objects, total = yield from list_page(settings, path, clean, seen, size)
        if not objects:
            return
        if objects[:1] == previous:
            raise MalformedResponseError(f"GET /{path}/: the server returned offset {seen} twice")
        previous = objects[:1]
        yield Emit((yield from pages(objects)) if pages else objects)
        seen += len(objects)
        if (total is not None and seen >= total) or len(objects) < size:
            return


def _enriched(
    settings: CloudSigmaSettings,
    path: str,
    params: Params,
    offset: int,
    size: int,
    pages: Callable[[list[Any]], Flow[list[Any]]] | None,
) -> Flow[list[Any]]:
    objects, _ = yield from list_page(settings, path, params, offset, size)
    if pages and objects:
        objects = yield from pages(objects)
    return objects


def page_count(total: int, size: int) -> int:
    """How many pages a list of ``total`` objects takes."""
    return max(1, math.ceil(total / size))


def status_check(
    settings: CloudSigmaSettings,
    path: str,
    targets: frozenset[str],
    failures: frozenset[str],
) -> Flow[PollStatus]:
    """One GET of ``path``: done when its ``status`` is a target; a failure state raises."""
    document = yield from call(settings, "GET", path)
    status = str(document.get("status")) if isinstance(document, dict) else ""
    if status in failures:
        raise JobFailedError(f"/{path.strip('/')}/ went to status {status!r}", result=document)
    return PollStatus(done=status in targets, value=document, progress=status)


def wait_for_status(
    settings: CloudSigmaSettings,
    path: str,
    targets: str | Sequence[str],
    *,
    failures: Sequence[str] = ("unavailable",),
    timeout: float | None = None,
    on_progress: Callable[[Any], None] | None = None,
) -> Flow[dict[str, Any]]:
    """Poll ``path`` until its status is one of ``targets``; return the object."""
    wanted = frozenset([targets] if isinstance(targets, str) else targets)
    poll_settings = settings.poll
    if timeout is not None:
        poll_settings = PollSettings(
            interval=poll_settings.interval,
            first_interval=poll_settings.first_interval,
            timeout=timeout,
        )
    result: dict[str, Any] = yield from poll(
        lambda: status_check(settings, path, wanted, frozenset(failures)),
        poll_settings,
        what=f"/{path.strip('/')}/ reaching {' or '.join(sorted(wanted))}",
        on_progress=on_progress,
    )
    return result
