"""Runners: perform a flow's effects over httpx, synchronously or asynchronously.

The two runner classes only differ in how they wait (``time.sleep`` vs ``anyio.sleep``), how they
send (``httpx.Client`` vs ``httpx.AsyncClient``), how they gather sub-flows (in turn vs in a task
group) and how they perform :class:`~omnicloud._flow.Batch` (one item at a time vs coalesced across
the flows waiting at the same moment). Everything else (request building, error mapping, tracing) is
shared here once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Hashable, Iterator, Sequence

from omnicloud._flow import Batch, Call, Emit, Gather, Send, Sleep, step
from omnicloud.errors import (
    OmnicloudError,
    RequestNotSentError,
    RequestTimeoutError,
    TransportError,
)
from omnicloud.http._config import HttpConfig
from omnicloud.http._exact import keep_dot_segments
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._redact import Redactor, install_library_log_filter
from omnicloud.http._trace import log_request, log_response, trace_from_env

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any, TypeVar

    import anyio
    import httpx

    from omnicloud._flow import Flow
    from omnicloud.http._aiohttp import AiohttpTransport
    from omnicloud.http._direct import Fetched
    from omnicloud.http._urllib3 import Urllib3Transport

    T = TypeVar("T")

__all__ = ["AsyncHttp", "SyncHttp"]

USER_AGENT = "omnicloud/0.1"


def _outcome(outcomes: Sequence[Any], index: int, size: int) -> Any:
    """The outcome of item ``index`` of a batch of ``size``: returned, or raised if an exception."""
    if len(outcomes) != size:
        raise TypeError(f"a batch of {size} items returned {len(outcomes)} outcomes")
    outcome = outcomes[index]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


class _Waiter:
    """One flow's item in a batch being collected, and (when answered) its outcome."""

    __slots__ = ("event", "index", "item", "orphaned", "outcomes")

    def __init__(self, item: Any, index: int, event: anyio.Event | None) -> None:
        self.item = item
        self.index = index
        self.event = event
        self.outcomes: Sequence[Any] | BaseException = ()
        self.orphaned = False


def _client_options(config: HttpConfig, transport: Any) -> dict[str, Any]:
    import httpx

    trace_from_env()
    install_library_log_filter()
    return {
        "timeout": httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        "verify": _httpx_verify(config, transport),
        "trust_env": config.trust_env,
        "proxy": config.proxy,
        "http2": config.http2,
        "limits": httpx.Limits(
            max_connections=config.max_connections,
            max_keepalive_connections=config.max_keepalive,
        ),
        "headers": {"User-Agent": USER_AGENT, **config.headers},
        "follow_redirects": False,
    }


def _httpx_verify(config: HttpConfig, transport: Any) -> ssl.SSLContext | bool:
    """The TLS context for httpx's own connections; when ``transport`` (ours or the caller's)
    carries every request, httpx opens none and ``True`` spares loading a CA bundle."""
    config.check_tls()
    if transport is None or config.proxy:
        return config.ssl_context()
    if config.trust_env:
        from omnicloud.http._urllib3 import _environment_proxies

        if _environment_proxies():  # httpx mounts proxy transports of its own
            return config.ssl_context()
    return True


def _build(client: httpx.Client | httpx.AsyncClient, request: HttpRequest) -> httpx.Request:
    data = None
    content: Any = request.content
    if request.form is not None:
        from urllib.parse import urlencode

        content = urlencode(list(request.form)).encode("ascii")
        data = {"Content-Type": "application/x-www-form-urlencoded"}
    headers = {**dict(request.headers), **(data or {})}
    built = client.build_request(
        request.method,
        request.url,
        params=list(request.params) or None,
        headers=headers,
        content=content,
    )
    keep_dot_segments(built, request.url)
    return built


def _map_error(exc: Exception, request: HttpRequest, redactor: Redactor) -> OmnicloudError:
    """Turn an httpx exception into ours; the text never carries the URL's query."""
    import httpx

    detail = redactor.text(str(exc) or type(exc).__name__)
    label = request.label
    if isinstance(exc, httpx.ConnectTimeout | httpx.ConnectError | httpx.PoolTimeout):
        return RequestNotSentError(f"{label}: could not connect: {detail}", operation=label)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | httpx.LocalProtocolError):
        return RequestNotSentError(f"{label}: invalid request: {detail}", operation=label)
    if isinstance(exc, httpx.ProxyError):
        return RequestNotSentError(f"{label}: proxy error: {detail}", operation=label)
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"{label}: timed out waiting for the server", operation=label)
    return TransportError(f"{label}: connection failed: {detail}", operation=label)


def _trace_out(redactor: Redactor, request: HttpRequest, built: httpx.Request) -> None:
    body = built.content if not request.content or isinstance(request.content, bytes) else None
    log_request(redactor, request, str(built.url), list(built.headers.multi_items()), body)


def _response(raw: httpx.Response, content: bytes, started: float) -> HttpResponse:
    return HttpResponse(
        status=raw.status_code,
        headers=raw.headers,
        content=content,
        reason=raw.reason_phrase,
        url=str(raw.url),
        elapsed=time.monotonic() - started,
        raw=raw,
    )


def _default_headers(client: httpx.Client | httpx.AsyncClient) -> list[tuple[str, str]]:
    """The headers httpx's ``client`` adds to every request (``Connection`` aside)."""
    return [(k, v) for k, v in client.headers.multi_items() if k.lower() != "connection"]


def _direct_plan(
    defaults: list[tuple[str, str]], request: HttpRequest
) -> tuple[str, Sequence[tuple[str, str]], bytes | None] | None:
    """URL, headers and body to send ``request`` without httpx's client, or None when only
    httpx can build it (a body that is not in memory, a URL that needs normalising)."""
    from omnicloud.http._direct import direct_body, direct_headers, direct_url

    body = direct_body(request)
    url = direct_url(request) if body is not None else None
    if body is None or url is None:
        return None
    content, content_type = body
    return url, direct_headers(defaults, request, content_type), content


def _fetched_response(fetched: Fetched, url: str, started: float) -> HttpResponse:
    return HttpResponse(
        status=fetched.status,
        headers=fetched.headers,
        content=fetched.content,
        reason=fetched.reason,
        url=url,
        elapsed=time.monotonic() - started,
    )


def _check_deadline(request: HttpRequest, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise RequestTimeoutError(
            f"{request.label}: the response took longer than the total timeout",
            operation=request.label,
        )


class SyncHttp:
    """Runs flows with a pooled ``httpx.Client`` created on first use."""

    def __init__(self, config: HttpConfig | None = None, redactor: Redactor | None = None) -> None:
        self.config = config or HttpConfig()
        self.redactor = redactor or Redactor()
        self._client: httpx.Client | None = None
        # set with the client: urllib3 when it carries every request, and the headers httpx adds
        self._direct: Urllib3Transport | None = None
        self._defaults: list[tuple[str, str]] = []

    @property
    def client(self) -> httpx.Client:
        """The underlying httpx client (created lazily)."""
        if self._client is None:
            import httpx

            from omnicloud.http._urllib3 import Urllib3Transport, sync_transport

            transport = sync_transport(self.config)
            self._client = httpx.Client(
                transport=transport, **_client_options(self.config, transport)
            )
            if isinstance(transport, Urllib3Transport):
                self._direct = transport
                self._defaults = _default_headers(self._client)
        return self._client

    def close(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request (no retries) and read the whole body within the total timeout."""
        import httpx

        client = self.client
        direct = self._direct
        if direct is not None and not request.stream:
            plan = _direct_plan(self._defaults, request)
            if plan is not None:
                url, headers, content = plan
                log_request(self.redactor, request, url, list(headers), content)
                started = time.monotonic()
                deadline = started + self.config.timeout
                try:
                    fetched = direct.fetch(
                        request.method,
                        url,
                        headers,
                        content,
                        client.timeout,
                        lambda: _check_deadline(request, deadline),
                    )
                except httpx.HTTPError as exc:
                    raise _map_error(exc, request, self.redactor) from None
                response = _fetched_response(fetched, url, started)
                log_response(self.redactor, response)
                return response
        built = _build(client, request)
        _trace_out(self.redactor, request, built)
        started = time.monotonic()
        deadline = started + self.config.timeout
        try:
            raw = client.send(built, stream=True)
            try:
                chunks = []
                for chunk in raw.iter_bytes():
                    chunks.append(chunk)
                    _check_deadline(request, deadline)
            finally:
                raw.close()
        except httpx.HTTPError as exc:
            raise _map_error(exc, request, self.redactor) from None
        response = _response(raw, b"".join(chunks), started)
        log_response(self.redactor, response)
        return response

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result."""
        holder: list[Any] = []
        for _ in self._drive(flow, collect=False, result=holder):
            pass  # pragma: no cover - a non-iterating flow never emits
        return holder[0]  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any]) -> Iterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return self._drive(flow, collect=True, result=[])

    def _drive(self, flow: Flow[Any], *, collect: bool, result: list[Any]) -> Iterator[Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration as stop:
                result.append(stop.value)
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    if not collect:
                        raise TypeError("this operation lists items; iterate it instead")
                    yield from effect.items
                else:
                    value = self._perform(effect)
            except Exception as exc:
                error = exc
            del effect  # an emitted page is freed when its flow lets go of it, not a page later

    def _perform(self, effect: Send | Sleep | Gather | Batch | Call) -> Any:
        if isinstance(effect, Send):
            return self.send(effect.request)
        if isinstance(effect, Sleep):
            time.sleep(max(0.0, effect.seconds))
            return None
        if isinstance(effect, Call):
            return effect.fn(*effect.args)
        if isinstance(effect, Batch):
            return _outcome(self.run(effect.run([effect.item])), 0, 1)
        return [self.run(sub) for sub in effect.flows]


class AsyncHttp:
    """Runs flows with a pooled ``httpx.AsyncClient`` created on first use."""

    def __init__(self, config: HttpConfig | None = None, redactor: Redactor | None = None) -> None:
        self.config = config or HttpConfig()
        self.redactor = redactor or Redactor()
        self._client: httpx.AsyncClient | None = None
        self._gate: anyio.Semaphore | None = None
        self._batches: dict[Hashable, list[_Waiter]] = {}
        # set with the client: aiohttp when it carries every request, and the headers httpx adds
        self._direct: AiohttpTransport | None = None
        self._defaults: list[tuple[str, str]] = []

    @property
    def client(self) -> httpx.AsyncClient:
        """The underlying httpx async client (created lazily)."""
        if self._client is None:
            import httpx

            from omnicloud.http._aiohttp import AiohttpTransport, async_transport

            transport = async_transport(self.config)
            self._client = httpx.AsyncClient(
                transport=transport, **_client_options(self.config, transport)
            )
            if isinstance(transport, AiohttpTransport):
                self._direct = transport
                self._defaults = _default_headers(self._client)
        return self._client

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._gate = None

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Send one request (no retries) and read the whole body within the total timeout.

        At most ``max_connections`` requests are handed to httpx at once; the others wait here.
        httpcore's pool re-scans its whole request queue against every connection on each
        change, so 200 requests queued there cost more CPU than the requests themselves.
        """
        import anyio
        import httpx

        client = self.client
        gate = self._gate
        if gate is None:
            gate = self._gate = anyio.Semaphore(max(1, self.config.max_connections))
        started = time.monotonic()
        try:
            with anyio.fail_after(self.config.timeout):
                # a free slot is taken without yielding to the loop, so the first requests of
                # a burst go out while the rest are still being prepared
                try:
                    gate.acquire_nowait()
                except anyio.WouldBlock:
                    await gate.acquire()
                try:
                    direct = self._direct
                    if direct is not None and not request.stream:
                        response = await self._send_direct(direct, client, request, started)
                        if response is not None:
                            log_response(self.redactor, response)
                            return response
                    built = _build(client, request)
                    _trace_out(self.redactor, request, built)
                    raw = await client.send(built, stream=True)
                    try:
                        content = b"".join([chunk async for chunk in raw.aiter_bytes()])
                    finally:
                        await raw.aclose()
                finally:
                    gate.release()
        except TimeoutError:
            raise RequestTimeoutError(
                f"{request.label}: the response took longer than the total timeout",
                operation=request.label,
            ) from None
        except httpx.HTTPError as exc:
            raise _map_error(exc, request, self.redactor) from None
        response = _response(raw, content, started)
        log_response(self.redactor, response)
        return response

    async def _send_direct(
        self,
        transport: AiohttpTransport,
        client: httpx.AsyncClient,
        request: HttpRequest,
        started: float,
    ) -> HttpResponse | None:
        """Send ``request`` over aiohttp without httpx's client; None when only httpx can build
        it (a body that is not in memory, a URL that needs normalising)."""
        plan = _direct_plan(self._defaults, request)
        if plan is None:
            return None
        url, headers, content = plan
        log_request(self.redactor, request, url, list(headers), content)
        fetched = await transport.fetch(request.method, url, headers, content, client.timeout)
        return _fetched_response(fetched, url, started)

    async def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to completion and return its result."""
        holder: list[Any] = []
        async for _ in self._drive(flow, collect=False, result=holder):
            pass  # pragma: no cover - a non-iterating flow never emits
        return holder[0]  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """Drive ``flow`` lazily, yielding what it emits."""
        return self._drive(flow, collect=True, result=[])

    async def _drive(
        self, flow: Flow[Any], *, collect: bool, result: list[Any]
    ) -> AsyncIterator[Any]:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                effect = step(flow, value, error)
            except StopIteration as stop:
                result.append(stop.value)
                return
            value, error = None, None
            try:
                if isinstance(effect, Emit):
                    if not collect:
                        raise TypeError("this operation lists items; iterate it instead")
                    for item in effect.items:
                        yield item
                    item = None
                else:
                    value = await self._perform(effect)
            except Exception as exc:
                error = exc
            del effect  # an emitted page is freed when its flow lets go of it, not a page later

    async def _perform(self, effect: Send | Sleep | Gather | Batch | Call) -> Any:
        import anyio

        if isinstance(effect, Send):
            return await self.send(effect.request)
        if isinstance(effect, Sleep):
            await anyio.sleep(max(0.0, effect.seconds))
            return None
        if isinstance(effect, Call):
            import anyio.to_thread

            return await anyio.to_thread.run_sync(_call, effect)
        if isinstance(effect, Batch):
            return await self._batch(effect)
        return await self._gather(effect)

    async def _batch(self, effect: Batch) -> Any:
        """Join the batch being collected for ``effect.key``, or lead a new one.

        The leader waits ``effect.window`` (at least one event-loop tick), closes the batch and
        runs ``effect.run`` for every item collected, then hands each follower its outcome. If
        the leader is cancelled first, its followers start over (one of them leads).
        """
        import anyio

        while True:
            collecting = self._batches.get(effect.key)
            if collecting is not None:
                waiter = _Waiter(effect.item, len(collecting), anyio.Event())
                collecting.append(waiter)
                assert waiter.event is not None
                await waiter.event.wait()
                if waiter.orphaned:
                    continue
                if isinstance(waiter.outcomes, BaseException):
                    raise waiter.outcomes
                return _outcome(waiter.outcomes, waiter.index, len(collecting))
            members = [_Waiter(effect.item, 0, None)]
            self._batches[effect.key] = members
            outcomes: Sequence[Any] | BaseException = ()
            try:
                try:
                    await anyio.sleep(max(0.0, effect.window))
                finally:
                    if self._batches.get(effect.key) is members:
                        del self._batches[effect.key]
                outcomes = await self.run(effect.run([member.item for member in members]))
            except Exception as exc:
                outcomes = exc
                raise
            except BaseException:
                for member in members[1:]:
                    member.orphaned = True
                raise
            finally:
                for member in members[1:]:
                    member.outcomes = outcomes
                    assert member.event is not None
                    member.event.set()
            return _outcome(outcomes, 0, len(members))

    async def _gather(self, effect: Gather) -> list[Any]:
        import anyio

        results: list[Any] = [None] * len(effect.flows)
        failures: list[BaseException] = []
        limiter = anyio.CapacityLimiter(max(1, effect.limit))

        async def run_one(index: int, sub: Flow[Any]) -> None:
            async with limiter:
                try:
                    results[index] = await self.run(sub)
                except Exception as exc:
                    failures.append(exc)
                    group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            for index, sub in enumerate(effect.flows):
                group.start_soon(run_one, index, sub)
        if failures:
            raise failures[0]
        return results


def _call(effect: Call) -> Any:
    return effect.fn(*effect.args)
