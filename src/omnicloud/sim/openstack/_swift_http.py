"""Swift's HTTP pieces: the parsed request, answers (bytes or a stream), and its error pages."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any

from starlette.types import Receive, Send

__all__ = [
    "MAX_FILE_SIZE",
    "Answer",
    "SwiftError",
    "SwiftReq",
    "error_page",
    "http_date",
    "listing_time",
    "send_answer",
    "title",
    "trans_id",
]

MAX_FILE_SIZE = 5 * 1024 * 1024 * 1024 + 2
"""Swift's ``max_file_size`` (5 GiB + 2 bytes)."""
MAX_META_NAME = 128
MAX_META_VALUE = 256
MAX_META_COUNT = 90

_PAGES: dict[int, tuple[str, str]] = {
    400: (
        "Bad Request",
        "The server could not comply with the request since it is either malformed or otherwise "
        "incorrect.",
    ),
    401: (
        "Unauthorized",
        "This server could not verify that you are authorized to access the document you "
        "requested.",
    ),
    403: ("Forbidden", "Access was denied to this resource."),
    404: ("Not Found", "The resource could not be found."),
    405: ("Method Not Allowed", "The method is not allowed for this resource."),
    409: ("Conflict", "There was a conflict when trying to complete your request."),
    411: ("Length Required", "Length Required"),
    412: ("Precondition Failed", "A precondition for this request was not met."),
    413: ("Request Entity Too Large", "The body of your request was too large for this server."),
    416: ("Requested Range Not Satisfiable", "The Range requested is not available."),
    422: ("Unprocessable Entity", "Unable to process the contained instructions"),
    499: ("Client Disconnect", "The client was disconnected during request."),
    503: (
        "Service Unavailable",
        "The server is currently unavailable. Please try again at a later time.",
    ),
}


def error_page(status: int) -> str:
    """Swift's (webob's) page for ``status``."""
    title, text = _PAGES.get(status, ("Error", "An error occurred."))
    return f"<html><h1>{title}</h1><p>{text}</p></html>"


class SwiftError(Exception):
    """An error answer: ``status``, a body (Swift's page unless given) and extra headers."""

    def __init__(
        self,
        status: int,
        body: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        content_type: str = "text/html; charset=UTF-8",
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = error_page(status) if body is None else body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def answer(self) -> Answer:
        """The error as an answer."""
        return Answer(
            self.status,
            {"Content-Type": self.content_type, **self.headers},
            self.body.encode("utf-8"),
        )


@dataclass(slots=True)
class SwiftReq:
    """One request to the object store.

    ``account`` is ``AUTH_<project id>``; ``container``/``obj`` are decoded names (None when the
    path stops before them); ``path`` the decoded path as signed by temp URLs (with and without
    the ``/swift`` prefix: see ``paths``); ``headers`` by lower-case name.
    """

    method: str
    account: str
    container: str | None
    obj: str | None
    query: dict[str, list[str]]
    headers: dict[str, str]
    origin: str
    paths: tuple[str, ...]
    receive: Receive
    now: float = field(default_factory=time.time)

    def q(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def meta(self, kind: str) -> tuple[dict[str, str], list[str]]:
        """(``X-<kind>-Meta-*`` headers set, header names removed), by lower-case header name;
        an empty value or ``X-Remove-<kind>-Meta-*`` removes."""
        prefix, remove = f"x-{kind}-meta-", f"x-remove-{kind}-meta-"
        values: dict[str, str] = {}
        removed: list[str] = []
        for key, value in self.headers.items():
            if key.startswith(prefix) and len(key) > len(prefix):
                if value.strip():
                    values[key] = value.strip()
                else:
                    removed.append(key)
            elif key.startswith(remove) and len(key) > len(remove):
                removed.append(prefix + key[len(remove) :])
        for key, value in values.items():
            name = key[len(prefix) :]
            if len(name) > MAX_META_NAME:
                raise SwiftError(400, f"Metadata name too long; max {MAX_META_NAME}")
            if len(value) > MAX_META_VALUE:
                raise SwiftError(400, f"Metadata value longer than {MAX_META_VALUE}")
        if len(values) > MAX_META_COUNT:
            raise SwiftError(400, f"Too many metadata items; max {MAX_META_COUNT}")
        return values, removed


def title(name: str) -> str:
    """``x-object-meta-color`` as Swift spells it: ``X-Object-Meta-Color``."""
    return "-".join(part.capitalize() for part in name.split("-"))


@dataclass(slots=True)
class Answer:
    """Status, headers and a body: bytes, or chunks streamed with a known ``length``."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    length: int | None = None


def trans_id() -> str:
    """A transaction id as Swift makes them: ``tx<21 hex>-<epoch hex>``."""
    return f"tx{secrets.token_hex(11)[:21]}-{int(time.time()):010x}"


def http_date(moment: float) -> str:
    """``Wed, 21 Oct 2026 07:28:00 GMT`` (Last-Modified: whole seconds, rounded up as Swift)."""
    return formatdate(float(int(moment) + (1 if moment % 1 else 0)), usegmt=True)


def listing_time(moment: float) -> str:
    """A listing's ``last_modified``: ``2026-10-21T07:28:00.123456``."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


async def send_answer(send: Send, answer: Answer, *, head: bool, txid: str) -> None:
    """Send ``answer`` (no body for HEAD, with the length a GET would have)."""
    headers = {**answer.headers, "X-Trans-Id": txid, "X-Openstack-Request-Id": txid}
    body = answer.body
    if isinstance(body, bytes):
        length = len(body)
    else:
        length = answer.length if answer.length is not None else 0
    if answer.status not in (204, 304):
        headers["Content-Length"] = str(length)
    else:
        headers.pop("Content-Length", None)
    raw: list[tuple[bytes, bytes]] = [
        (key.lower().encode("latin-1"), _latin(value)) for key, value in headers.items()
    ]
    start: dict[str, Any] = {"type": "http.response.start", "status": answer.status}
    start["headers"] = raw
    await send(start)
    if head or answer.status in (204, 304):
        _close(body)
        await send({"type": "http.response.body", "body": b""})
        return
    if isinstance(body, bytes):
        await send({"type": "http.response.body", "body": body})
        return
    try:
        for chunk in body:
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        _close(body)
    await send({"type": "http.response.body", "body": b""})


def _close(body: Any) -> None:
    close = getattr(body, "close", None)
    if callable(close):
        close()


def _latin(value: str) -> bytes:
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:  # Swift sends metadata as UTF-8 bytes
        return value.encode("utf-8")
