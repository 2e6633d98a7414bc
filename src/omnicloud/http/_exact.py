"""Request paths sent exactly as given, ``.`` and ``..`` segments included, through httpx.

omnicloud builds every request target itself (:mod:`omnicloud.http._wire`) and urllib3, aiohttp
and the in-process transports send it as built. httpx, where it still carries requests
(:mod:`omnicloud.http._httpx`), normalises every absolute URL it parses as RFC 3986 says for
references: ``/b/logs/../x`` becomes ``/b/x`` and ``/b/./x`` becomes ``/b/x``. For an object store
those segments are part of a key, so the request would reach another object than the one named
(and signed: the SigV4 canonical request holds the path as written). httpx's public way to send
another request target than its URL's is the ``target`` request extension, which its own
transports (httpcore) send as the request line; so a request whose path has such segments
carries its exact target there. An httpx transport passed in ``HttpConfig.transport`` must honour
that extension to reach such keys.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from omnicloud.errors import RequestNotSentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx

__all__ = ["TARGET", "has_dot_segment", "keep_dot_segments"]

#: httpx's request extension naming the request target to send instead of the URL's path.
TARGET = "target"

_DOT_SEGMENT = re.compile(r"(?:^|/)\.{1,2}(?:/|\Z)")
# a path that needs no percent-encoding: sent byte for byte
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*\Z")


def has_dot_segment(path: str) -> bool:
    """True when ``path`` has a ``.`` or ``..`` segment, which URL parsers remove."""
    return _DOT_SEGMENT.search(path) is not None


def keep_dot_segments(built: httpx.Request, url: str) -> None:
    """Make ``built`` (made by httpx from ``url``) go out with the path of ``url`` exactly, when
    httpx removed dot segments from it. Raises :class:`RequestNotSentError` for a path that
    would need percent-encoding, which cannot be sent as written."""
    path = urlsplit(url).path
    if not has_dot_segment(path):
        return
    if not _PLAIN_PATH.match(path):
        raise RequestNotSentError(
            f"{built.method} {path!r}: the HTTP client would remove the '.' or '..' segments "
            "of this path and reach another resource; request not sent"
        )
    _, mark, query = built.url.raw_path.partition(b"?")
    built.extensions[TARGET] = path.encode("ascii") + mark + query
