"""Requests sent without httpx's client: the URL, headers and body httpx would have sent.

:class:`~omnicloud.http._transport.AsyncHttp` hands a request whose body is in memory straight to
aiohttp (see :mod:`omnicloud.http._aiohttp`). What goes on the wire stays what httpx's
``build_request`` makes of the same :class:`~omnicloud.http._models.HttpRequest`:

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
from collections.abc import Iterable, Sequence

from omnicloud.http._models import HttpRequest

__all__ = ["ACCEPT_ENCODING", "direct_body", "direct_headers", "direct_url"]

#: What the direct path can decode (see ``omnicloud.http._aiohttp._decoded``).
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
