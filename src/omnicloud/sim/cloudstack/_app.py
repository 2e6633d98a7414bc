"""The Starlette app serving ``/client/api`` (GET query or POST form) and ``/sim/health``."""

from __future__ import annotations

import functools
from urllib.parse import unquote

import anyio
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from ..core.app import MAX_BODY, ClientGone, create_sim_app, drop_connection, read_body
from ..core.app import send_bytes as _send
from ._auth import pick
from ._config import SimConfig
from ._render import JSON_TYPE, XML_TYPE, to_json, to_xml
from ._sim import Simulator, first_wins
from ._state import CloudStackState

__all__ = ["MAX_BODY", "create_app"]


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


async def _too_large(send: Send, query: dict[str, str]) -> None:
    """413 in CloudStack's error document, JSON or XML as the query string's ``response`` asks."""
    text = f"request body is larger than {MAX_BODY} bytes"
    document = {"errorresponse": {"uuidList": [], "errorcode": 413, "errortext": text}}
    extra = {"X-Description": text}
    if (pick(query, "response") or "").lower() == "json":
        await _send(send, 413, to_json(document), JSON_TYPE, extra)
    else:
        await _send(send, 413, to_xml(document), XML_TYPE, extra)


_HTML_ERRORS = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"))


def _proxy_error(draw: float) -> tuple[int, str]:
    """(status, nginx-style HTML page) of the random server error that ``draw`` picks."""
    status, reason = _HTML_ERRORS[int(draw * 1_000_003) % len(_HTML_ERRORS)]
    body = (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return status, body


class ApiEndpoint:
    """Raw ASGI endpoint for ``/client/api``: reads params, applies fault knobs, answers."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

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
            try:
                body = await read_body(headers, receive)
            except ClientGone as gone:  # answered anyway, to nobody
                body = gone.partial
            if body is None:
                await _too_large(send, first_wins(pairs))
                return
            if b"x-www-form-urlencoded" in headers.get(b"content-type", b"") or not headers.get(
                b"content-type"
            ):
                pairs += _decode(body)
        params = first_wins(pairs)
        sim = self.simulator
        if not sim.exempt(params):
            delay = sim.faults.delay()
            if delay > 0:
                await anyio.sleep(delay)
            if sim.faults.should_reset():
                await drop_connection(scope, receive)
                return
            draw = sim.faults.error_draw()
            if draw is not None:
                status, html = _proxy_error(draw)
                await _send(send, status, html.encode(), "text/html; charset=UTF-8", {})
                return
        answer = sim.handle(params, method=method)
        extra = {"X-Description": answer.description} if answer.description else {}
        if answer.json:
            await _send(send, answer.status, to_json(answer.document), JSON_TYPE, extra)
        else:
            await _send(send, answer.status, to_xml(answer.document), XML_TYPE, extra)


def create_app(
    store: CloudStackState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator as an ASGI app (``app.state.simulator``, ``.cloudstack``, ``.config``)."""
    state = store if store is not None else CloudStackState()
    settings = config if config is not None else SimConfig()
    simulator = Simulator(state, settings)
    endpoint = ApiEndpoint(simulator)
    return create_sim_app(
        endpoints={"/client/api": endpoint, "/client/api/": endpoint},
        health=lambda: {"accounts": simulator.state.accounts},
        state={"simulator": simulator, "cloudstack": state, "config": settings},
    )
