"""The HTTP layer every provider client uses: runners, retries, tracing, and one transport per
mode behind one interface (:class:`SyncTransport`, :class:`AsyncTransport`).

No HTTP library is imported until the first request is sent.
"""

from __future__ import annotations

from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import REDACTED, Redactor, is_secret_name
from omnicloud.http._retry import send_with_retries
from omnicloud.http._trace import enable_trace
from omnicloud.http._transport import AsyncHttp, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._base import AsyncStream, AsyncTransport, SyncStream, SyncTransport
    from omnicloud.http._wire import Outgoing

#: Names loaded on first use (PEP 562): the transport interface and the prepared request are
#: needed when a request is sent or a transport written, not when a driver is imported.
_LAZY = {
    "AsyncStream": "omnicloud.http._base",
    "AsyncTransport": "omnicloud.http._base",
    "SyncStream": "omnicloud.http._base",
    "SyncTransport": "omnicloud.http._base",
    "Outgoing": "omnicloud.http._wire",
}

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


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'omnicloud.http' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
