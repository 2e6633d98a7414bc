"""Sending a signed AWS call, for every protocol: credentials fetched when needed (a ``Call``
effect, so a ``credential_process`` runs in a worker thread under the async runner), the HTTP
layer's safe retries, and AWS's throttling codes retried with backoff, re-signed each time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from omnicloud._flow import Call, Sleep
from omnicloud.aws._errors import AwsRateLimitedError
from omnicloud.aws._sigv4 import Credentials
from omnicloud.aws.credentials import CredentialProvider
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy
from omnicloud.http._retry import log_retry, next_delay, send_parsed

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["Signing", "credentials_for", "send_signed"]


class Signing(Protocol):
    """What a service description gives the sender."""

    credentials: CredentialProvider
    redactor: Redactor
    retry: RetryPolicy


def credentials_for(target: Signing) -> Flow[Credentials]:
    """The credentials to sign with, loading them (a blocking ``Call``) only when needed; the
    redactor learns every secret loaded."""
    held = target.credentials.current()
    if held is not None:
        return held
    loaded: Credentials = yield Call(target.credentials.load)
    target.redactor.add(loaded.secret_key, loaded.token)
    return loaded


def send_signed(
    target: Signing,
    build: Callable[[Credentials], HttpRequest],
    parse: Callable[[HttpResponse], Any],
) -> Flow[Any]:
    """Send ``build(credentials)`` and return ``parse(response)``, resending throttled calls.

    A throttled call did nothing, so it is re-signed and sent again whatever it is; an
    idempotent call answered with a retryable status was already resent by the HTTP layer
    as long as the policy allows, so it is not resent twice over.
    """
    policy = target.retry
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        credentials = yield from credentials_for(target)
        request = build(credentials)
        try:
            return (yield from send_parsed(request, policy, parse))
        except AwsRateLimitedError as exc:
            if request.is_idempotent and exc.status in policy.retry_statuses:
                raise
            delay = next_delay(policy, attempt, started, exc.retry_after)
            if delay is None:
                raise
            log_retry(request, attempt, f"AWS {exc.code or 'throttling'}", delay)
            yield Sleep(delay)
