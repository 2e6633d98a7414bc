"""Redaction of secrets in anything we print or log about HTTP traffic."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["REDACTED", "Redactor", "install_library_log_filter", "is_secret_name"]

REDACTED = "REDACTED"

# Header values shown as they are; every other header value is redacted (allowlist).
_SAFE_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-ranges",
        "cache-control",
        "connection",
        "content-encoding",
        "content-length",
        "content-range",
        "content-type",
        "date",
        "etag",
        "expires",
        "host",
        "last-modified",
        "location",
        "range",
        "retry-after",
        "server",
        "transfer-encoding",
        "user-agent",
        "vary",
        "x-description",
        "x-request-id",
    }
)

# Parameter and JSON field names whose values are secrets (query strings, forms, JSON bodies).
_SECRET_NAME = re.compile(
    r"(?i)(api_?key|secret|signature|passw|token|session_?key|credential|authoriz|private_?key"
    r"|cookie|x-amz-security|x-amz-credential|\bsig\b)"
)


def is_secret_name(name: str) -> bool:
    """Whether a parameter, header or field called ``name`` carries a secret."""
    return bool(_SECRET_NAME.search(name))


class Redactor:
    """Hides secrets by name (parameters, fields) and by value (registered secret strings)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = {s for s in secrets if s and len(s) >= 4}

    def add(self, *secrets: str | None) -> None:
        """Register secret strings that must never be shown, wherever they appear."""
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def text(self, value: str) -> str:
        """``value`` with every registered secret replaced."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def pairs(self, items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Name/value pairs with secret values replaced."""
        return [(k, REDACTED if is_secret_name(k) else self.text(v)) for k, v in items]

    def query(self, query: str) -> str:
        """A query string with secret values replaced (kept readable, not re-encoded)."""
        from urllib.parse import parse_qsl

        pairs = self.pairs(parse_qsl(query, keep_blank_values=True))
        return "&".join(f"{k}={v}" for k, v in pairs)

    def url(self, url: str) -> str:
        """A URL with userinfo and secret query values removed."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, netloc, parts.path, self.query(parts.query), ""))

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[str]:
        """``Name: value`` lines, values outside the allowlist redacted."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        return [
            f"{name}: {self.text(value) if name.lower() in _SAFE_HEADERS else REDACTED}"
            for name, value in items
        ]

    def body(self, content: bytes, content_type: str, limit: int = 2000) -> str:
        """A printable excerpt of a body with secret fields and values redacted."""
        import contextlib
        import json

        if not content:
            return ""
        text = content[: limit * 4].decode("utf-8", errors="replace")
        if "json" in content_type or text.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                text = json.dumps(self._json(json.loads(content)), ensure_ascii=False)
        elif "x-www-form-urlencoded" in content_type:
            text = self.query(text)
        elif not content_type.startswith(("text/", "application/xml")) and "xml" not in (
            content_type
        ):
            return f"[{len(content)} bytes of {content_type or 'data'}]"
        text = self.text(text)
        return text if len(text) <= limit else text[:limit] + f"… [{len(content)} bytes]"

    def _json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: REDACTED
                if isinstance(v, str) and v and is_secret_name(str(k))
                else self._json(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._json(v) for v in value]
        return value


class _UrlArgumentFilter:
    """A ``logging`` filter: URL arguments of a record lose their secret query values.

    httpx logs every request at INFO as ``HTTP Request: GET <url> ...``; a CloudStack URL carries
    ``apiKey`` and ``signature``, a presigned S3 URL ``X-Amz-Signature``. Only values of secret
    parameter names are replaced; the rest of the line is unchanged.
    """

    def filter(self, record: Any) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted_url(arg) for arg in record.args)
        return True


def _redacted_url(value: Any) -> Any:
    text = value if isinstance(value, str) else None
    if text is None and type(value).__name__ == "URL":  # httpx.URL
        text = str(value)
    if text is None or "?" not in text:
        return value
    if text.startswith("/"):  # a request target, as urllib3 logs it
        path, _, query = text.partition("?")
        return f"{path}?{Redactor().query(query)}"
    if "://" not in text:
        return value
    return Redactor().url(text)


_filter_installed = False


def install_library_log_filter() -> None:
    """Keep secrets out of the request log lines of httpx and urllib3 (installed once, on the
    first client)."""
    global _filter_installed
    if _filter_installed:
        return
    import logging

    logging.getLogger("httpx").addFilter(_UrlArgumentFilter())
    logging.getLogger("urllib3.connectionpool").addFilter(_UrlArgumentFilter())
    _filter_installed = True
