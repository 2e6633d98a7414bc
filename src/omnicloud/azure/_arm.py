"""The Azure Resource Manager protocol as flows: bearer-token requests, error answers,
``nextLink`` paging and long-running operations.

* Every request carries ``?api-version=``; a 401 gets one new token and one resend.
* Reads (GET) are retried on 429 (after Azure's ``Retry-After``) and on gateway errors; a write
  answered 429 raises :class:`~omnicloud.azure._arm_errors.AzureRateLimitedError` instead: ARM
  throttles per operation, and the caller decides whether to try the write again.
* A long-running operation (201/202 with ``Azure-AsyncOperation`` or ``Location``, or a
  resource whose ``provisioningState`` is not terminal yet) is followed to its end, waiting
  ``Retry-After`` seconds (else the client's interval) between checks; ``Failed`` or ``Canceled``
  raises :class:`~omnicloud.azure._arm_errors.AzureOperationFailedError` with Azure's code and
  message.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from omnicloud._flow import Emit, Sleep
from omnicloud.errors import JobTimeoutError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries
from omnicloud.http._retry import retry_after_header

from ._arm_errors import AzureOperationFailedError, arm_error, arm_words
from ._identity import TokenSource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["DEFAULT_ARM_ENDPOINT", "TERMINAL_STATES", "ArmClient"]

DEFAULT_ARM_ENDPOINT = "https://management.azure.com"
TERMINAL_STATES = frozenset({"succeeded", "failed", "canceled", "cancelled"})
_OK = (200, 201, 202, 204)


def _never_wait(_response: HttpResponse) -> float:
    """A ``Retry-After`` parser that makes the retry flow hand a 429 back (writes)."""
    return math.inf


@dataclass(slots=True)
class ArmClient:
    """Requests to ``endpoint`` with tokens from ``tokens`` (see the module)."""

    tokens: TokenSource
    subscription_id: str
    endpoint: str = DEFAULT_ARM_ENDPOINT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    poll_interval: float = 2.0
    wait_timeout: float = 1800.0

    def __post_init__(self) -> None:
        self.endpoint = self.endpoint.rstrip("/")

    # -- addresses ----------------------------------------------------------------------------
    def url(self, path: str, api_version: str, query: Mapping[str, Any] | None = None) -> str:
        """The absolute URL of ``path`` (below the endpoint) with its api-version and query."""
        pairs = [("api-version", api_version)]
        pairs += [(k, str(v)) for k, v in (query or {}).items() if v is not None]
        base = path if path.startswith(("http://", "https://")) else self.endpoint + path
        joiner = "&" if "?" in base else "?"
        return f"{base}{joiner}{urlencode(pairs, safe='$,:/')}"

    def sub(self, rest: str = "") -> str:
        """``/subscriptions/{id}`` followed by ``rest``."""
        return f"/subscriptions/{self.subscription_id}{rest}"

    # -- requests -----------------------------------------------------------------------------
    def send(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None = None,
        *,
        operation: str,
        expected: tuple[int, ...] = _OK,
    ) -> Flow[HttpResponse]:
        """Send a JSON request to ``url`` (absolute); the answer, or the error it maps to."""
        content = json.dumps(body).encode() if body is not None else None
        token = yield from self.tokens.current()
        response = yield from self._send(method, url, content, operation, token.value)
        if response.status == 401:
            token = yield from self.tokens.renew(token)
            response = yield from self._send(method, url, content, operation, token.value)
        if response.status not in expected:
            raise arm_error(response, operation, self.redactor)
        return response

    def _send(
        self, method: str, url: str, content: bytes | None, operation: str, token: str
    ) -> Flow[HttpResponse]:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        if content is not None:
            headers["Content-Type"] = "application/json"
        request = HttpRequest(method, url, headers=headers, content=content, operation=operation)
        reads = method == "GET"
        response: HttpResponse = yield from send_with_retries(
            request, self.retry, None if reads else _never_wait
        )
        return response

    def json(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None = None,
        *,
        operation: str,
        expected: tuple[int, ...] = _OK,
    ) -> Flow[Any]:
        """:meth:`send`, the answer's JSON document (None when empty)."""
        response = yield from self.send(method, url, body, operation=operation, expected=expected)
        return _document(response)

    def get(self, url: str, *, operation: str) -> Flow[Any]:
        """GET ``url``'s JSON document."""
        return (yield from self.json("GET", url, operation=operation))

    # -- paging -------------------------------------------------------------------------------
    def pages(self, url: str, *, operation: str) -> Flow[None]:
        """Emit the ``value`` entries of ``url`` page by page, following ``nextLink``."""
        seen: set[str] = set()
        following: str | None = url
        while following:
            document = yield from self.get(following, operation=operation)
            items = [i for i in (document or {}).get("value") or [] if isinstance(i, Mapping)]
            if items:
                yield Emit(items)
            link = (document or {}).get("nextLink")
            if not isinstance(link, str) or not link or link in seen:
                return
            seen.add(link)
            following = link

    # -- long-running operations --------------------------------------------------------------
    def call(
        self,
        method: str,
        url: str,
        body: Mapping[str, Any] | None = None,
        *,
        operation: str,
        expected: tuple[int, ...] = _OK,
        timeout: float | None = None,
    ) -> Flow[Any]:
        """Send a write and follow its long-running operation to the end; the final resource
        document (PUT, PATCH), the operation's result (POST) or None (DELETE, or no result)."""
        response = yield from self.send(method, url, body, operation=operation, expected=expected)
        return (yield from self.follow(method, url, response, operation=operation, timeout=timeout))

    def follow(
        self,
        method: str,
        url: str,
        response: HttpResponse,
        *,
        operation: str,
        timeout: float | None = None,
    ) -> Flow[Any]:
        """Follow the long-running operation ``response`` started (see :meth:`call`)."""
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        document = _document(response)
        status_url = response.headers.get("azure-asyncoperation")
        location = response.headers.get("location")
        delay = self._delay(response)
        if status_url:
            while True:
                yield Sleep(self._clamp(delay, deadline, operation, status_url))
                reply = yield from self.send("GET", status_url, operation=f"{operation} (status)")
                status = _document(reply) or {}
                state = str(status.get("status") or "").lower()
                if state in TERMINAL_STATES:
                    _check_outcome(state, status, operation, status_url, self.redactor)
                    break
                delay = self._delay(reply)
            if method in ("PUT", "PATCH"):
                return (yield from self.get(url, operation=f"{operation} (result)"))
            if method == "POST" and location:
                final = yield from self.send("GET", location, operation=f"{operation} (result)")
                return _document(final)
            return None
        if location and response.status == 202:
            while True:
                yield Sleep(self._clamp(delay, deadline, operation, location))
                reply = yield from self.send("GET", location, operation=f"{operation} (status)")
                if reply.status != 202:
                    return _document(reply) if method != "DELETE" else None
                delay = self._delay(reply)
        if method in ("PUT", "PATCH") and isinstance(document, Mapping):
            while not _settled(document):
                yield Sleep(self._clamp(delay, deadline, operation, url))
                reply = yield from self.send("GET", url, operation=f"{operation} (state)")
                document = _document(reply) or {}
                delay = self._delay(reply)
            state = _provisioning(document)
            if state in ("failed", "canceled", "cancelled"):
                _check_outcome(state, document, operation, url, self.redactor)
        return document

    def _delay(self, response: HttpResponse) -> float:
        hinted = retry_after_header(response)
        # no hint, or "0" (azure-core too waits its own interval then): the client's interval
        return hinted if hinted else self.poll_interval

    def _clamp(self, delay: float, deadline: float, operation: str, job: str) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise JobTimeoutError(
                f"{operation} did not finish in time; it may still be running",
                job_id=self.redactor.url(job),
            )
        return max(0.0, min(delay, remaining))


def _document(response: HttpResponse) -> Any:
    if not response.content or "json" not in response.content_type:
        return None
    return response.json()


def _provisioning(document: Mapping[str, Any]) -> str:
    properties = document.get("properties")
    if not isinstance(properties, Mapping):
        return "succeeded"
    return str(properties.get("provisioningState") or "Succeeded").lower()


def _settled(document: Mapping[str, Any]) -> bool:
    return _provisioning(document) in TERMINAL_STATES


def _check_outcome(
    state: str, document: Mapping[str, Any], operation: str, job: str, redactor: Redactor
) -> None:
    if state == "succeeded":
        return
    source: Any = document.get("error")
    if source is None and isinstance(document.get("properties"), Mapping):
        source = document["properties"].get("error")
    code, said = arm_words({"error": source}) if source is not None else ("", "")
    said = redactor.text(said)
    verb = "was canceled" if state.startswith("cancel") else "failed"
    text = f"{operation} {verb}" + (f": {code}" if code else "") + (f": {said}" if said else "")
    raise AzureOperationFailedError(text, code=code or None, said=said, job_id=redactor.url(job))


def resource_ids(values: Sequence[Any]) -> list[str]:
    """The ``id`` of each ``{"id": ...}`` reference in ``values``."""
    return [str(v["id"]) for v in values if isinstance(v, Mapping) and v.get("id")]
