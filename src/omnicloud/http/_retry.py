"""The retry flow: send a request, and send it again only when that is safe."""

from __future__ import annotations

import time
from collections.abc import Callable

from omnicloud._flow import Send, Sleep
from omnicloud.errors import (
    MalformedResponseError,
    OutcomeUnknownError,
    RequestNotSentError,
    TransportError,
)
from omnicloud.http._config import RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    from omnicloud._flow import Flow

    T = TypeVar("T")

__all__ = [
    "GATEWAY_STATUSES",
    "RetryAfterParser",
    "backoff_delay",
    "log_retry",
    "next_delay",
    "send_parsed",
    "send_with_retries",
]

GATEWAY_STATUSES = frozenset({500, 502, 503, 504})

RetryAfterParser = Callable[[HttpResponse], float | None]


def backoff_delay(policy: RetryPolicy, attempt: int) -> float:
    """Full-jitter exponential delay before attempt ``attempt + 1``."""
    import random

    ceiling = min(policy.backoff_cap, policy.backoff * (2 ** (attempt - 1)))
    return random.uniform(0, ceiling)


def retry_after_header(response: HttpResponse) -> float | None:
    """Seconds from a numeric ``Retry-After`` header, if present."""
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _is_provider_document(response: HttpResponse) -> bool:
    return response.content_type in {
        "application/json",
        "text/javascript",
        "application/xml",
        "text/xml",
    }


def send_with_retries(
    request: HttpRequest,
    policy: RetryPolicy,
    retry_after: RetryAfterParser | None = None,
) -> Flow[HttpResponse]:
    """Send ``request`` under ``policy`` and return the final response.

    * not sent at all (connection refused, DNS, TLS handshake): retried for every method;
    * failed after sending (reset, timeout, truncated answer): retried if idempotent, otherwise
      :class:`OutcomeUnknownError` naming the call;
    * 429: retried after the provider's wait (``retry_after`` parser, then ``Retry-After``), for
      every method, because the server refused before doing anything;
    * 500/502/503/504: retried if idempotent; for a non-idempotent call an answer that is not the
      provider's own error document (an HTML page from a proxy) raises OutcomeUnknownError.

    Other responses, and the last one when the budget is spent, are returned to the caller.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            response: HttpResponse = yield Send(request)
        except RequestNotSentError as exc:
            delay = next_delay(policy, attempt, started, None)
            if delay is None:
                raise
            log_retry(request, attempt, str(exc), delay)
            yield Sleep(delay)
            continue
        except TransportError as exc:
            if not request.is_idempotent:
                raise OutcomeUnknownError(
                    f"{request.label}: {exc}; the request may have reached the server, so it was "
                    "not sent again; check the resource's state before retrying",
                    operation=request.label,
                ) from None
            delay = next_delay(policy, attempt, started, None)
            if delay is None:
                raise
            log_retry(request, attempt, str(exc), delay)
            yield Sleep(delay)
            continue

        if response.status == 429:
            hinted = (retry_after(response) if retry_after else None) or retry_after_header(
                response
            )
            if hinted is not None and hinted > policy.max_rate_limit_wait:
                return response
            delay = next_delay(policy, attempt, started, hinted)
            if delay is None:
                return response
            log_retry(request, attempt, "HTTP 429 rate limited", delay)
            yield Sleep(delay)
            continue

        if response.status in GATEWAY_STATUSES and response.status in policy.retry_statuses:
            if not request.is_idempotent:
                if _is_provider_document(response):
                    return response
                raise OutcomeUnknownError(
                    f"{request.label}: HTTP {response.status} {response.reason} from an "
                    "intermediary; the request may have been applied, so it was not sent again; "
                    "check the resource's state before retrying",
                    operation=request.label,
                )
            delay = next_delay(policy, attempt, started, retry_after_header(response))
            if delay is None:
                return response
            log_retry(request, attempt, f"HTTP {response.status}", delay)
            yield Sleep(delay)
            continue
        return response


def send_parsed(
    request: HttpRequest,
    policy: RetryPolicy,
    parse: Callable[[HttpResponse], T],
    retry_after: RetryAfterParser | None = None,
) -> Flow[T]:
    """Send ``request`` like :func:`send_with_retries` and return ``parse(response)``.

    A successful (2xx) answer whose document ``parse`` rejects as malformed (cut short by a proxy,
    an HTML page where JSON belongs) is treated like a truncated answer: an idempotent request is
    sent again within the policy's budget; a non-idempotent one raises
    :class:`OutcomeUnknownError`, because the server did answer success and may have done the work.
    Errors ``parse`` raises for error answers (4xx, 5xx) pass through unchanged.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        response = yield from send_with_retries(request, policy, retry_after)
        try:
            return parse(response)
        except MalformedResponseError as exc:
            if not 200 <= response.status < 300:
                raise
            if not request.is_idempotent:
                raise OutcomeUnknownError(
                    f"{request.label}: HTTP {response.status} but the answer could not be read "
                    f"({exc}); the request was not sent again; check the resource's state "
                    "before retrying",
                    operation=request.label,
                ) from None
            delay = next_delay(policy, attempt, started, None)
            if delay is None:
                raise
            log_retry(request, attempt, "a malformed answer", delay)
            yield Sleep(delay)


def next_delay(
    policy: RetryPolicy, attempt: int, started: float, hinted: float | None
) -> float | None:
    """The wait before the next attempt, or None when attempts or time are used up."""
    if attempt >= policy.max_attempts:
        return None
    delay = hinted if hinted is not None else backoff_delay(policy, attempt)
    if time.monotonic() - started + delay > policy.total_seconds:
        return None
    return delay


def log_retry(request: HttpRequest, attempt: int, reason: str, delay: float) -> None:
    import logging

    logging.getLogger("omnicloud.retry").info(
        "retrying %s after %s (attempt %d, waiting %.2f s)", request.label, reason, attempt, delay
    )
