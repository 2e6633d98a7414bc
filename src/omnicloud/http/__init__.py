"""The HTTP layer every provider client uses: runners, retries, tracing, and one transport per
mode behind one interface (:class:`SyncTransport`, :class:`AsyncTransport`).

No HTTP library is imported until the first request is sent.
"""

from __future__ import annotations

from omnicloud.http._base import AsyncStream, AsyncTransport, SyncStream, SyncTransport
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import REDACTED, Redactor, is_secret_name
from omnicloud.http._retry import send_with_retries
from omnicloud.http._trace import enable_trace
from omnicloud.http._transport import AsyncHttp, SyncHttp
from omnicloud.http._wire import Outgoing

__all__ = [
    "REDACTED",
    "AsyncHttp",
    "AsyncStream",
    "AsyncTransport",
    "HttpConfig",
    "HttpRequest",
    "HttpResponse",
    "Outgoing",
    "Redactor",
    "RetryPolicy",
    "SyncHttp",
    "SyncStream",
    "SyncTransport",
    "enable_trace",
    "is_secret_name",
    "send_with_retries",
]
