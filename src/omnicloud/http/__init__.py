"""The HTTP layer every provider client uses: one transport, sync and async, on httpx.

httpx itself is imported only when the first request is sent.
"""

from __future__ import annotations

from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import REDACTED, Redactor, is_secret_name
from omnicloud.http._retry import send_with_retries
from omnicloud.http._trace import enable_trace
from omnicloud.http._transport import AsyncHttp, SyncHttp

__all__ = [
    "REDACTED",
    "AsyncHttp",
    "HttpConfig",
    "HttpRequest",
    "HttpResponse",
    "Redactor",
    "RetryPolicy",
    "SyncHttp",
    "enable_trace",
    "is_secret_name",
    "send_with_retries",
]
