"""What goes on the wire for an :class:`~omnicloud.http.HttpRequest`, built once for every
transport.

:func:`prepare` turns a request into an :class:`Outgoing`: the URL as sent, its parts, the
headers and the body. Every transport sends exactly that, so the bytes on the wire do not
depend on the library underneath:

- ``params`` replace the URL's query, encoded like ``urllib.parse.urlencode`` (``+`` for a
  space, everything but ``A-Za-z0-9_.-~`` percent-encoded); a query written in the URL keeps its
  escapes and only characters that may not appear there are percent-encoded;
- the path is sent as written: ``.`` and ``..`` segments stay (they are part of an S3 key),
  ``%XX`` escapes stay, and only characters that may not appear in a path (a space, non-ASCII)
  are percent-encoded, as UTF-8;
- a host name outside ASCII is sent in its IDNA form; credentials in the URL
  (``user:password@host``) become a Basic ``Authorization`` header unless the request has one;
- the default headers (``Accept``, ``Accept-Encoding``, ``User-Agent``, the configured extras)
  come first and the request's own replace them by name, case-insensitively; a form body
  becomes ``application/x-www-form-urlencoded``.

:func:`decode_body` undoes the ``Content-Encoding`` codings advertised in ``Accept-Encoding``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit

from omnicloud.errors import RequestNotSentError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._config import HttpConfig
    from omnicloud.http._models import HttpRequest
    from omnicloud.http._redact import Redactor

__all__ = [
    "ACCEPT_ENCODING",
    "USER_AGENT",
    "Body",
    "Outgoing",
    "decode_body",
    "default_headers",
    "prepare",
]

USER_AGENT = "omnicloud/0.1"
#: The codings :func:`decode_body` undoes, advertised on every request.
ACCEPT_ENCODING = "gzip, deflate"

#: A request body: in memory, or pieces sent one after another (sync or async).
Body = bytes | Iterable[bytes] | AsyncIterable[bytes] | None

# characters a path or a query may hold as they are (RFC 3986 pchar, plus "%" for escapes)
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*\Z")
_PLAIN_QUERY = re.compile(r"[A-Za-z0-9\-._~:/?@!$&'()*+,;=%]*\Z")


@dataclass(slots=True)
class Outgoing:
    """One request as it goes out: ``url`` is ``scheme://netloc`` + ``target``, exactly.

    ``host`` is the name or address to connect to (IPv6 without brackets) and ``port`` the port;
    ``label`` names the request in errors, which ``redactor`` keeps free of secrets.
    ``deadline`` (``time.monotonic()``) is when a whole answer must have been read.
    """

    method: str
    url: str
    scheme: str
    host: str
    port: int
    target: str
    headers: list[tuple[str, str]]
    body: Body
    label: str
    redactor: Redactor
    connect_timeout: float
    read_timeout: float
    deadline: float


def default_headers(config: HttpConfig) -> list[tuple[str, str]]:
    """The headers every request of a client with ``config`` starts from."""
    return [
        ("Accept", "*/*"),
        ("Accept-Encoding", ACCEPT_ENCODING),
        ("User-Agent", USER_AGENT),
        *config.headers.items(),
    ]


def prepare(
    request: HttpRequest,
    defaults: Sequence[tuple[str, str]],
    redactor: Redactor,
    config: HttpConfig,
    deadline: float,
) -> Outgoing:
    """``request`` as it goes out (see the module's description)."""
    scheme, netloc, host, port, target, userinfo = _split(request)
    body: Body = request.content
    extra: dict[str, tuple[str, str]] = {}
    if request.form is not None:
        body = urlencode(list(request.form)).encode("ascii")
        extra["content-type"] = ("Content-Type", "application/x-www-form-urlencoded")
    headers = _merged(defaults, request.headers, extra)
    if userinfo is not None and not any(name.lower() == "authorization" for name, _ in headers):
        headers.append(("Authorization", _basic(*userinfo)))
    return Outgoing(
        method=request.method.upper(),
        url=f"{scheme}://{netloc}{target}",
        scheme=scheme,
        host=host,
        port=port,
        target=target,
        headers=headers,
        body=body,
        label=request.label,
        redactor=redactor,
        connect_timeout=config.connect_timeout,
        read_timeout=config.read_timeout,
        deadline=deadline,
    )


def _basic(user: str, password: str) -> str:
    import base64

    token = f"{unquote(user)}:{unquote(password)}".encode()
    return "Basic " + base64.b64encode(token).decode("ascii")


def _split(request: HttpRequest) -> tuple[str, str, str, int, str, tuple[str, str] | None]:
    label = request.label
    try:
        parts = urlsplit(request.url)
        port = parts.port
    except ValueError as exc:
        raise RequestNotSentError(f"{label}: invalid URL: {exc}", operation=label) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RequestNotSentError(
            f"{label}: invalid URL: only http and https are supported", operation=label
        )
    host = parts.hostname or ""
    if not host:
        raise RequestNotSentError(f"{label}: invalid URL: no host", operation=label)
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            why = f"{label}: invalid host name: {exc}"
            raise RequestNotSentError(why, operation=label) from None
    name = f"[{host}]" if ":" in host else host
    netloc = name if port is None else f"{name}:{port}"
    path = parts.path or "/"
    if not _PLAIN_PATH.match(path):
        path = quote(path, safe=_PATH_SAFE)
    if request.params:
        query = urlencode(list(request.params))
    else:
        query = parts.query
        if query and not _PLAIN_QUERY.match(query):
            query = quote(query, safe=_QUERY_SAFE + "=&")
    target = f"{path}?{query}" if query else path
    # credentials in the URL (user:password@host) are sent as Basic authentication
    userinfo = (parts.username or "", parts.password or "") if "@" in parts.netloc else None
    return scheme, netloc, host, port or (443 if scheme == "https" else 80), target, userinfo


def _merged(
    defaults: Sequence[tuple[str, str]],
    own: Mapping[str, str],
    extra: dict[str, tuple[str, str]],
) -> list[tuple[str, str]]:
    merged = {name.lower(): (name, value) for name, value in defaults}
    for name, value in own.items():
        merged[name.lower()] = (name, value)
    merged.update(extra)
    return list(merged.values())


def decode_body(content: bytes, encoding: str | None) -> bytes:
    """``content`` without its ``Content-Encoding`` codings (gzip, deflate), last first.

    An unknown coding leaves the bytes as they are. Raises :class:`zlib.error` for a body that
    does not decode (the transport reports it as a broken answer).
    """
    if not encoding or not content:
        return content
    for coding in reversed([part.strip().lower() for part in encoding.split(",")]):
        if coding in ("gzip", "x-gzip"):
            content = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(content)
        elif coding == "deflate":
            try:
                content = zlib.decompress(content)
            except zlib.error:  # a raw deflate stream without the zlib wrapper
                content = zlib.decompress(content, -zlib.MAX_WBITS)
    return content
