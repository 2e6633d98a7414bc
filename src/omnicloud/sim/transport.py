"""Driving an ASGI app in-process from httpx: ``SyncASGITransport`` for a sync ``httpx.Client``.

For async code use :class:`httpx.ASGITransport` directly (re-exported here as ``ASGITransport``):
``httpx.AsyncClient(transport=ASGITransport(app), base_url="http://sim")``.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

from .cloudstack._errors import SimulatedReset

__all__ = ["ASGITransport", "SyncASGITransport"]

ASGITransport = httpx.ASGITransport


class SyncASGITransport(httpx.BaseTransport):
    """An ``httpx.BaseTransport`` that runs requests through an ASGI app on a private event loop.

    The loop runs in a daemon thread started on first use and stopped by :meth:`close`; a
    forgotten transport never keeps the interpreter from exiting. A simulated connection reset
    surfaces as ``httpx.ReadError``.
    """

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 12345)) -> None:
        self._inner = httpx.ASGITransport(app=app, client=client)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="omnicloud-asgi", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

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
        future = asyncio.run_coroutine_threadsafe(self._send(replay), self._get_loop())
        try:
            response = future.result()
        except SimulatedReset as error:
            raise httpx.ReadError(str(error), request=request) from error
        response.request = request
        return response

    def close(self) -> None:
        """Stop the background event loop."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
