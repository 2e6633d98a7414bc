"""Requests sent without httpx's client: the URL, headers and body httpx would have sent.

The runners in :mod:`omnicloud.http._transport` hand a request whose body is in memory straight to
their transport's ``fetch`` (urllib3 in sync code, aiohttp under asyncio; see
:mod:`omnicloud.http._urllib3` and :mod:`omnicloud.http._aiohttp`). What goes on the wire stays
what httpx's ``build_request`` makes of the same :class:`~omnicloud.http._models.HttpRequest`:

- ``params`` replace the URL's query, encoded as ``urllib.parse.urlencode`` does (``+`` for a
  space, everything but ``A-Za-z0-9_.-~`` percent-encoded);
- the client's default headers (``Accept``, ``User-Agent``, the configured extras) come first and
  the request's own replace them by name, case-insensitively;
- a form becomes an ``application/x-www-form-urlencoded`` body.

A URL that httpx would have to normalise (a character outside RFC 3986's set, no path) is left to
httpx: :func:`direct_url` returns None for it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from omnicloud.http._models import HttpRequest

__all__ = [
    "ACCEPT_ENCODING",
    "Fetched",
    "decoded",
    "direct_body",
    "direct_headers",
    "direct_url",
    "split_url",
]

#: What the direct path can decode (see :func:`decoded`).
ACCEPT_ENCODING = "gzip, deflate"

# scheme://authority/path?query with nothing that needs percent-encoding or IDNA
_SENDABLE = re.compile(
    r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?/[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*\Z"
)


def direct_url(request: HttpRequest) -> str | None:
    """The URL to send exactly as it is, or None when only httpx should build it."""
    url = request.url
    if request.params:
        from urllib.parse import urlencode

        url = url.partition("?")[0] + "?" + urlencode(list(request.params))
    if _SENDABLE.match(url) is None:
        return None
    return url


def direct_body(request: HttpRequest) -> tuple[bytes | None, str | None] | None:
    """The body and the content type it implies, or None when the body is not in memory."""
    if request.form is not None:
        from urllib.parse import urlencode

        return urlencode(list(request.form)).encode("ascii"), "application/x-www-form-urlencoded"
    content = request.content
    if content is None or isinstance(content, bytes):
        return content, None
    return None


def direct_headers(
    defaults: Iterable[tuple[str, str]], request: HttpRequest, content_type: str | None
) -> Sequence[tuple[str, str]]:
    """The client's ``defaults`` overlaid with the request's headers (and a form's type)."""
    merged: dict[str, tuple[str, str]] = {name.lower(): (name, value) for name, value in defaults}
    merged["accept-encoding"] = ("Accept-Encoding", ACCEPT_ENCODING)
    for name, value in request.headers.items():
        merged[name.lower()] = (name, value)
    if content_type is not None:
        merged["content-type"] = ("Content-Type", content_type)
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class Fetched:
    """A whole answer read by a transport's ``fetch``; ``content`` is decoded."""

    status: int
    reason: str
    headers: Any  # a case-insensitive multidict: a Mapping[str, str]
    content: bytes


def decoded(content: bytes, encoding: str) -> bytes:
    """``content`` without the ``Content-Encoding`` codings httpx would undo (gzip, deflate).

    Codings are undone last first; an unknown one leaves the bytes as they are, as httpx does.
    A body that does not decode is a broken answer (httpx's ``DecodingError``)."""
    for coding in reversed([part.strip().lower() for part in encoding.split(",")]):
        try:
            if coding in ("gzip", "x-gzip"):
                content = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(content)
            elif coding == "deflate":
                try:
                    content = zlib.decompress(content)
                except zlib.error:  # a raw deflate stream without the zlib wrapper
                    content = zlib.decompress(content, -zlib.MAX_WBITS)
        except zlib.error as exc:
            import httpx

            raise httpx.DecodingError(f"the {coding} body does not decode: {exc}") from exc
    return content


def split_url(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and request target of a URL :func:`direct_url` accepted."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host, _, port = authority.partition(":")
    return scheme, host, int(port) if port else (443 if scheme == "https" else 80), slash + path
