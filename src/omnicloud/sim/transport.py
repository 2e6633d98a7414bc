"""Driving an ASGI app in-process from httpx: ``SyncASGITransport`` for a sync ``httpx.Client``.

For async code use :class:`httpx.ASGITransport` directly (re-exported here as ``ASGITransport``):
``httpx.AsyncClient(transport=ASGITransport(app), base_url="http://sim")``.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from .cloudstack._errors import SimulatedReset

__all__ = ["ASGITransport", "SyncASGITransport"]

ASGITransport = httpx.ASGITransport


class SyncASGITransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` that runs requests through an ASGI app on a private event loop.

    The loop lives in a background thread (an anyio blocking portal) started on first use and
    stopped by :meth:`close`. A simulated connection reset surfaces as ``httpx.ReadError``.
    """

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 12345)) -> None:
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._lock = threading.Lock()
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None
        self._portal: BlockingPortal | None = None

    def _get_portal(self) -> BlockingPortal:
        with self._lock:
            if self._portal is None:
                self._portal_cm = start_blocking_portal()
                self._portal = self._portal_cm.__enter__()
            return self._portal

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        body = await response.aread()
        await response.aclose()
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app and return its complete response."""
        body = request.read()
        replay = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        try:
            response = self._get_portal().call(self._send, replay)
        except SimulatedReset as error:
            raise httpx.ReadError(str(error), request=request) from error
        response.request = request
        return response

    def close(self) -> None:
        """Stop the background event loop."""
        with self._lock:
            cm, self._portal_cm, self._portal = self._portal_cm, None, None
        if cm is not None:
            cm.__exit__(None, None, None)
