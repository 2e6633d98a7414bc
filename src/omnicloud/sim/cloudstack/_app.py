"""The Starlette app serving ``/client/api`` (GET query or POST form) and ``/sim/health``."""

from __future__ import annotations

import functools
from urllib.parse import unquote

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .._resets import abort_connection
from ._auth import pick
from ._config import SimConfig
from ._errors import SimulatedReset
from ._render import JSON_TYPE, XML_TYPE, to_json, to_xml
from ._sim import Simulator, first_wins
from ._state import CloudStackState

__all__ = ["create_app"]

MAX_BODY = 8 * 1024 * 1024
API_PATHS = frozenset({"/client/api", "/client/api/"})


@functools.lru_cache(maxsize=1024)  # values like ``expires`` repeat from request to request
def _unquote_short(text: str) -> str:
    return unquote(text.replace("+", " "), errors="replace")


def _unquote(text: str) -> str:
    if "%" in text:
        return _unquote_short(text) if len(text) <= 64 else _unquote_short.__wrapped__(text)
    return text.replace("+", " ") if "+" in text else text


def _decode(raw: bytes) -> list[tuple[str, str]]:
    """``name=value&...`` pairs, as ``parse_qsl(keep_blank_values=True)`` reads them."""
    pairs: list[tuple[str, str]] = []
    for piece in raw.decode("utf-8", errors="replace").split("&"):
        if piece:
            name, _, value = piece.partition("=")
            if "%" in name or "+" in name:
                name = _unquote(name)
            if "%" in value or "+" in value:
                value = _unquote(value)
            pairs.append((name, value))
    return pairs


async def _send(
    send: Send, status: int, body: bytes, content_type: str, extra: dict[str, str]
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    headers += [(k.lower().encode(), v.encode("latin-1", "replace")) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, query: dict[str, str]) -> None:
    """413 in CloudStack's error document, JSON or XML as the query string's ``response`` asks."""
    text = f"request body is larger than {MAX_BODY} bytes"
    document = {"errorresponse": {"uuidList": [], "errorcode": 413, "errortext": text}}
    extra = {"X-Description": text}
    if (pick(query, "response") or "").lower() == "json":
        await _send(send, 413, to_json(document), JSON_TYPE, extra)
    else:
        await _send(send, 413, to_xml(document), XML_TYPE, extra)


class ApiEndpoint:
    """Raw ASGI endpoint for ``/client/api``: reads params, applies fault knobs, answers."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    async def _body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes | None:
        """The request body, or None when it is over ``MAX_BODY`` bytes.

        A declared ``Content-Length`` over the limit is refused unread; a longer streamed body is
        refused as soon as it passes the limit (the server discards the rest).
        """
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > MAX_BODY:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        if method not in ("GET", "POST"):
            await _send(send, 405, b"", "text/plain", {"Allow": "GET, POST"})
            return
        pairs = _decode(scope.get("query_string", b""))
        if method == "POST":
            headers = dict(scope.get("headers", []))
            body = await self._body(headers, receive)
            if body is None:
                await _too_large(send, first_wins(pairs))
                return
            if b"x-www-form-urlencoded" in headers.get(b"content-type", b"") or not headers.get(
                b"content-type"
            ):
                pairs += _decode(body)
        params = first_wins(pairs)
        sim = self.simulator
        config = sim.config
        if not sim.exempt(params):
            if config.slow_seconds > 0:
                await anyio.sleep(config.slow_seconds)
            if sim.faults.should_reset():
                await self._reset(scope, receive)
                return
            failure = sim.faults.random_error()
            if failure is not None:
                status, html = failure
                await _send(send, status, html.encode(), "text/html; charset=UTF-8", {})
                return
        answer = sim.handle(params, method=method)
        extra = {"X-Description": answer.description} if answer.description else {}
        if answer.json:
            await _send(send, answer.status, to_json(answer.document), JSON_TYPE, extra)
        else:
            await _send(send, answer.status, to_xml(answer.document), XML_TYPE, extra)

    async def _reset(self, scope: Scope, receive: Receive) -> None:
        if not abort_connection(scope.get("client")):
            raise SimulatedReset("connection reset by the simulator (reset_rate)")
        while (await receive())["type"] != "http.disconnect":
            pass


class SimulatorApp(Starlette):
    """Starlette with ``/client/api`` answered directly, without routing and middleware layers
    (every API request would otherwise pass four of them for nothing)."""

    def __init__(self, api: ApiEndpoint, routes: list[Route]) -> None:
        super().__init__(routes=routes)
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path") and scope["path"] in API_PATHS:
            scope["app"] = self
            await self.api(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def _health(request: Request) -> Response:
    sim: Simulator = request.app.state.simulator
    return JSONResponse({"status": "ok", "accounts": sim.state.accounts})


def create_app(
    store: CloudStackState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator as an ASGI app (``app.state.simulator``, ``.cloudstack``, ``.config``)."""
    state = store if store is not None else CloudStackState()
    settings = config if config is not None else SimConfig()
    simulator = Simulator(state, settings)
    endpoint = ApiEndpoint(simulator)
    app = SimulatorApp(
        endpoint,
        [
            Route("/client/api", endpoint),
            Route("/client/api/", endpoint),
            Route("/sim/health", _health),
        ],
    )
    app.state.simulator = simulator
    app.state.cloudstack = state
    app.state.config = settings
    return app
