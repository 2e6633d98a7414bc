"""httpx transports that wrap the network for storage tests: count, redirect, measure overlap."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import anyio
import httpx


class CountingTransport(httpx.BaseTransport):
    """Passes everything through and records (method, path, query) of each request."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.seen: list[tuple[str, str, str]] = []
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path, request.url.query.decode()))
        response = self.inner.handle_request(request)
        self.statuses.append(response.status_code)
        return response

    def count(self, match: Callable[[str, str, str], bool]) -> int:
        return sum(1 for item in self.seen if match(*item))


class LoopbackTransport(httpx.BaseTransport):
    """Sends every request to 127.0.0.1:``port`` but keeps its Host header, so virtual-hosted
    names (``bucket.s3.example.test``) work without DNS."""

    def __init__(self, port: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.port = port
        self.hosts: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.headers["host"])
        request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return self.inner.handle_request(request)


class OverlapTransport(httpx.BaseTransport):
    """Measures how many matching requests are in flight at once (each is held ``hold`` s)."""

    def __init__(self, match: Callable[[httpx.Request], bool], hold: float = 0.3) -> None:
        self.inner = httpx.HTTPTransport()
        self.match = match
        self.hold = hold
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.total = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.match(request):
            return self.inner.handle_request(request)
        with self.lock:
            self.active += 1
            self.total += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.hold)
            return self.inner.handle_request(request)
        finally:
            with self.lock:
                self.active -= 1


class AsyncOverlapTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`OverlapTransport`."""

    def __init__(self, match: Callable[[httpx.Request], bool], hold: float = 0.3) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.match = match
        self.hold = hold
        self.active = 0
        self.peak = 0
        self.total = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.match(request):
            return await self.inner.handle_async_request(request)
        self.active += 1
        self.total += 1
        self.peak = max(self.peak, self.active)
        try:
            await anyio.sleep(self.hold)
            return await self.inner.handle_async_request(request)
        finally:
            self.active -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


def is_upload_part(request: httpx.Request) -> bool:
    return request.method == "PUT" and b"partNumber=" in request.url.query
