"""Warnings and configuration notes as one line each on stderr, while a CLI command runs.

Library code warns with :mod:`warnings` and logs notes on the ``omnicloud.config`` logger; only
the command-line entry points install this, for the duration of one command.
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["one_line_notices"]

_LOGGER = "omnicloud.config"
_active: list[bool] = []  # non-empty while installed (``omnicloud --cloud x cs`` nests)


class _NoticeHandler(logging.Handler):
    """``Warning: ...`` / ``Note: ...`` on stderr, each distinct text once."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        label = "Warning" if record.levelno >= logging.WARNING else "Note"
        _say(f"{label}: {record.getMessage()}", self.seen)


def _say(text: str, seen: set[str]) -> None:
    if text in seen:
        return
    seen.add(text)
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@contextmanager
def one_line_notices() -> Iterator[None]:
    """Show Python warnings (an insecure TLS setting, a config file others can read) and
    ``omnicloud.config`` notes as single lines on stderr, without source paths."""
    if _active:
        yield
        return
    handler = _NoticeHandler()

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        _say(f"Warning: {message}", handler.seen)

    logger = logging.getLogger(_LOGGER)
    level = logger.level
    saved = warnings.showwarning
    warnings.showwarning = show
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    _active.append(True)
    try:
        yield
    finally:
        _active.pop()
        logger.removeHandler(handler)
        logger.setLevel(level)
        warnings.showwarning = saved
