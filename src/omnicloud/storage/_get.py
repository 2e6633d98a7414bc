"""Opening an object's body for reading: the retry loop every object store's GET shares.

A GET is a read, so it is opened again after a lost connection, a gateway error or a 429,
within the retry policy's budget (never once the caller has bytes: a download's ``resume`` is
for that). What differs between stores comes in as arguments: how each attempt's request is
built (signed, authorized), which header asked for a range, and what a refusal means before
the generic answer (a token to renew, a bucket in another region, an object that changed).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

from omnicloud._flow import Sleep
from omnicloud.errors import TransportError
from omnicloud.http._retry import GATEWAY_STATUSES, log_retry, next_delay
from omnicloud.http._streaming import Close, Open, Read
from omnicloud.storage._ranges import RangeIgnoredError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http import HttpRequest, HttpResponse
    from omnicloud.http._config import RetryPolicy
    from omnicloud.http._streaming import StreamFlow

__all__ = ["AGAIN", "AGAIN_UNCOUNTED", "Verdict", "open_for_reading"]

#: What a store's ``refused`` hook answers to have the request sent again at once: as one more
#: attempt (a renewed token), or as the same attempt (a bucket found in another region).
AGAIN: Literal["again"] = "again"
AGAIN_UNCOUNTED: Literal["again-uncounted"] = "again-uncounted"
Verdict = Literal["again", "again-uncounted"] | None


def open_for_reading(
    build: Callable[[], Flow[HttpRequest]],
    retry: RetryPolicy,
    expected: tuple[int, ...],
    *,
    range_header: str,
    headers: dict[str, str],
    label: str,
    refused: Callable[[Any, HttpRequest], StreamFlow[Verdict]],
    fail: Callable[[HttpResponse], Exception],
) -> StreamFlow[Any]:
    """The opened stream of the first answer whose status is ``expected``.

    ``build()`` makes each attempt's request. An answer of 200 to a request carrying
    ``range_header`` (in ``headers``) raises :class:`RangeIgnoredError`. Any other answer is read
    whole and handed to ``refused(stream, request)``, which raises, or says to send again
    (:data:`AGAIN`, :data:`AGAIN_UNCOUNTED`), or None; then gateway errors and 429s are retried
    and anything else raises ``fail(response)``.
    """
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        request = yield from build()
        try:
            stream = yield Open(request)
        except TransportError as exc:
            delay = next_delay(retry, attempt, started, None)
            if delay is None:
                raise
            log_retry(request, attempt, str(exc), delay)
            yield Sleep(delay)
            continue
        if stream.status in expected:
            return stream
        if stream.status == 200 and range_header in headers:
            yield Close(stream)  # the whole object: not read, and not wanted here
            raise RangeIgnoredError(f"{label}: the server ignored {range_header}")
        body = bytearray()
        try:
            while chunk := (yield Read(stream, 65536)):
                body += chunk
        finally:
            yield Close(stream)
        stream.response.content = bytes(body)
        verdict = yield from refused(stream, request)
        if verdict is not None:
            if verdict == AGAIN_UNCOUNTED:
                attempt -= 1
            continue
        if stream.status in GATEWAY_STATUSES or stream.status == 429:
            delay = next_delay(retry, attempt, started, None)
            if delay is not None:
                log_retry(request, attempt, f"HTTP {stream.status}", delay)
                yield Sleep(delay)
                continue
        raise fail(stream.response)
