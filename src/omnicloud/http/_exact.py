"""Request paths sent exactly as given, ``.`` and ``..`` segments included.

httpx normalises every absolute URL it parses as RFC 3986 says for references: ``/b/logs/../x``
becomes ``/b/x`` and ``/b/./x`` becomes ``/b/x``. For an object store those segments are part of
a key, so the request would reach another object than the one named (and signed: the SigV4
canonical request holds the path as written). urllib3's connection pools and aiohttp (with
``yarl.URL(..., encoded=True)``) send a path untouched; httpx offers no switch, so the path of a
request it built is put back here, and a request whose path still differs is refused rather
than sent somewhere else.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from omnicloud.errors import RequestNotSentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import httpx

__all__ = ["has_dot_segment", "keep_dot_segments"]

_DOT_SEGMENT = re.compile(r"(?:^|/)\.{1,2}(?:/|\Z)")
# a path that needs no percent-encoding: sent byte for byte
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*\Z")


def has_dot_segment(path: str) -> bool:
    """True when ``path`` has a ``.`` or ``..`` segment, which URL parsers remove."""
    return _DOT_SEGMENT.search(path) is not None


def keep_dot_segments(built: httpx.Request, url: str) -> None:
    """Give ``built`` (made by httpx from ``url``) the path of ``url`` exactly, when httpx
    removed dot segments from it. Raises :class:`RequestNotSentError` if that cannot be done."""
    path = urlsplit(url).path
    if not has_dot_segment(path):
        return
    current = built.url
    target = current.raw_path
    _, mark, query = target.partition(b"?")
    wanted = path.encode("ascii", "replace") + mark + query
    if target == wanted:
        return
    exact = None
    if _PLAIN_PATH.match(path):
        exact = current.copy_with()
        reference = getattr(exact, "_uri_reference", None)
        if reference is not None and hasattr(reference, "_replace"):
            exact._uri_reference = reference._replace(path=path)  # the parsed, normalised form
    if exact is None or exact.raw_path != wanted:
        raise RequestNotSentError(
            f"{built.method} {path!r}: the HTTP client would remove the '.' or '..' segments "
            "of this path and reach another resource; request not sent"
        )
    built.url = exact
