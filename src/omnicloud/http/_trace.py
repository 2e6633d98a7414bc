"""Curl-like debug output of HTTP traffic, with every secret redacted.

Enabled by ``OMNICLOUD_DEBUG=1`` or :func:`enable_trace` (the CLI's ``--trace``); written
through the ``omnicloud.http`` logger, so applications may route it wherever they like.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import TextIO

    from omnicloud.http._models import HttpRequest, HttpResponse
    from omnicloud.http._redact import Redactor

__all__ = ["enable_trace", "log_request", "log_response", "trace_from_env"]

LOGGER_NAME = "omnicloud.http"
_HANDLER_MARK = "_omnicloud_trace"


def _debug_logger() -> logging.Logger | None:
    """The trace logger when debug output is wanted; ``logging`` is not imported otherwise.

    An application that configured ``logging`` itself (so it is already imported) gets our records
    whenever it enables DEBUG for ``omnicloud.http``.
    """
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    logger = logging.getLogger(LOGGER_NAME)
    return logger if logger.isEnabledFor(logging.DEBUG) else None


def enable_trace(stream: TextIO | None = None) -> None:
    """Print every request and response to ``stream`` (stderr by default), secrets redacted."""
    import logging

    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def trace_from_env() -> None:
    """Turn tracing on when ``OMNICLOUD_DEBUG`` is set to a true value."""
    if os.environ.get("OMNICLOUD_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        enable_trace()


def log_request(
    redactor: Redactor,
    request: HttpRequest,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
) -> None:
    """Log a request as ``> METHOD URL`` plus headers and body."""
    logger = _debug_logger()
    if logger is None:
        return
    lines = [f"> {request.method.upper()} {redactor.url(url)}"]
    lines += [f"> {line}" for line in redactor.headers(headers)]
    if body:
        content_type = dict((k.lower(), v) for k, v in headers).get("content-type", "")
        lines.append(f"> {redactor.body(body, content_type)}")
    elif request.content is not None:
        lines.append("> [streamed body]")
    logger.debug("\n".join(lines))


def log_response(redactor: Redactor, response: HttpResponse) -> None:
    """Log a response as ``< HTTP status`` plus headers and body excerpt."""
    logger = _debug_logger()
    if logger is None:
        return
    lines = [f"< HTTP {response.status} {response.reason} ({response.elapsed * 1000:.0f} ms)"]
    lines += [f"< {line}" for line in redactor.headers(response.headers)]
    if response.content:
        lines.append(f"< {redactor.body(response.content, response.content_type)}")
    logger.debug("\n".join(lines))
