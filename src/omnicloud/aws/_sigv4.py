"""AWS Signature Version 4: header signing and query presigning, with no I/O.

The payload is never read here: callers pass its SHA-256 hex, or ``UNSIGNED-PAYLOAD``, so a stream
can be signed before it is sent. Checked against AWS's published test vectors (tests/storage).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "ALGORITHM",
    "EMPTY_SHA256",
    "UNSIGNED_PAYLOAD",
    "Credentials",
    "canonical_query",
    "canonical_request",
    "presign_url",
    "sign_headers",
    "uri_encode",
]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
_UNSIGNED_HEADERS = frozenset({"user-agent", "content-length", "expect", "x-amzn-trace-id"})


@dataclass(frozen=True, slots=True)
class Credentials:
    """An access key pair (and optional session token). The secret never appears in ``repr``."""

    access_key: str
    secret_key: str = field(repr=False)
    token: str | None = field(default=None, repr=False)


def uri_encode(value: str, *, keep_slash: bool = False) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (and ``/`` if asked)."""
    return quote(value, safe="-_.~/" if keep_slash else "-_.~")


def canonical_query(query: str) -> str:
    """The canonical query string: each name and value encoded, sorted by name then value."""
    pairs = []
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.append((uri_encode(unquote(name)), uri_encode(unquote(value))))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _header_pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(name, value) for name, value in items]


def _canonical_headers(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    merged: dict[str, list[str]] = {}
    for name, value in pairs:
        key = name.strip().lower()
        if key in _UNSIGNED_HEADERS:
            continue
        merged.setdefault(key, []).append(" ".join(str(value).split()))
    names = sorted(merged)
    lines = "".join(f"{name}:{','.join(merged[name])}\n" for name in names)
    return lines, ";".join(names)


def canonical_request(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    payload_hash: str,
) -> tuple[str, str]:
    """The canonical request and the signed-header list. The URL path is used as encoded."""
    parts = urlsplit(url)
    canonical_headers, signed = _canonical_headers(_header_pairs(headers))
    text = "\n".join(
        [
            method.upper(),
            parts.path or "/",
            canonical_query(parts.query),
            canonical_headers,
            signed,
            payload_hash,
        ]
    )
    return text, signed


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _signature(
    credentials: Credentials, stamp: str, scope: str, request_text: str, region: str, service: str
) -> str:
    to_sign = "\n".join(
        [ALGORITHM, stamp, scope, hashlib.sha256(request_text.encode()).hexdigest()]
    )
    key = _signing_key(credentials.secret_key, stamp[:8], region, service)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port is not None and parts.port != default:
        host = f"{host}:{parts.port}"
    return host


def _stamp(now: datetime | None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def sign_headers(
    method: str,
    url: str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    credentials: Credentials,
    region: str,
    service: str,
    payload_hash: str = EMPTY_SHA256,
    content_sha256_header: bool = False,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers to add to sign a request: ``Host``, ``X-Amz-Date`` (unless given),
    ``X-Amz-Content-SHA256`` (S3), ``X-Amz-Security-Token`` and ``Authorization``."""
    pairs = _header_pairs(headers)
    present = {name.lower() for name, _ in pairs}
    added: dict[str, str] = {}
    if "host" not in present:
        added["Host"] = _host(url)
    if "x-amz-date" in present:
        stamp = next(value for name, value in pairs if name.lower() == "x-amz-date")
    else:
        stamp = added["X-Amz-Date"] = _stamp(now)
    if content_sha256_header and "x-amz-content-sha256" not in present:
        added["X-Amz-Content-SHA256"] = payload_hash
    if credentials.token and "x-amz-security-token" not in present:
        added["X-Amz-Security-Token"] = credentials.token
    text, signed = canonical_request(method, url, [*pairs, *added.items()], payload_hash)
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    signature = _signature(credentials, stamp, scope, text, region, service)
    added["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}"
    )
    return added


def presign_url(
    method: str,
    url: str,
    *,
    credentials: Credentials,
    region: str,
    service: str,
    expires: int,
    headers: Mapping[str, str] | None = None,
    payload_hash: str = UNSIGNED_PAYLOAD,
    now: datetime | None = None,
) -> str:
    """``url`` with SigV4 query authentication valid for ``expires`` seconds (1 s to 7 days).

    ``headers`` (besides ``Host``) must then be sent exactly so by whoever uses the URL.
    """
    if not 1 <= expires <= 604800:
        from omnicloud.errors import ValidationError

        raise ValidationError("presigned URLs expire after 1 second to 7 days")
    stamp = _stamp(now)
    scope = f"{stamp[:8]}/{region}/{service}/aws4_request"
    pairs = [("Host", _host(url)), *(headers or {}).items()]
    _, signed = _canonical_headers(pairs)
    params = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", f"{credentials.access_key}/{scope}"),
        ("X-Amz-Date", stamp),
        ("X-Amz-Expires", str(expires)),
        ("X-Amz-SignedHeaders", signed),
    ]
    if credentials.token:
        params.append(("X-Amz-Security-Token", credentials.token))
    parts = urlsplit(url)
    query = "&".join(
        [*([parts.query] if parts.query else []), *(f"{k}={uri_encode(v)}" for k, v in params)]
    )
    unsigned = parts._replace(query=query).geturl()
    text, _ = canonical_request(method, unsigned, pairs, payload_hash)
    signature = _signature(credentials, stamp, scope, text, region, service)
    return f"{unsigned}&X-Amz-Signature={signature}"
