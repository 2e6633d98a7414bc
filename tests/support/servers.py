"""Starting test servers: a few attempts on fresh ports, then one clear failure per test.

A server fixture calls :func:`start_server` with a ``start(attempt)`` function that picks a fresh
free port, starts the server and returns it (raising when it cannot). When every attempt fails,
:class:`ServerUnavailableError` is raised; pytest caches a session/module fixture's exception,
so the attempts are not repeated for every test, and the hooks in ``tests/conftest.py`` report
each test that needs the server as FAILED with the one-line reason (not an ERROR with a
traceback).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ATTEMPTS = 3


class ServerUnavailableError(Exception):
    """A test server could not be started; the message says which and why."""


def free_port(block: int = 1) -> int:
    """A port P such that P..P+block-1 are free on 127.0.0.1 (a fresh one each call)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + block >= 65000:
            continue
        if all(_is_free(base + offset) for offset in range(1, block)):
            return base
    raise RuntimeError("no free port block on 127.0.0.1")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_server(
    name: str,
    start: Callable[[int], T],
    attempts: int = ATTEMPTS,
    pause: float = 0.5,
) -> T:
    """``start(attempt)`` until it returns (``attempts`` times at most, 1-based attempt numbers).

    ``start`` must clean up after itself when it raises (stop a half-started process). When
    every attempt fails, raises :class:`ServerUnavailableError` naming the server and each
    attempt's reason.
    """
    reasons: list[str] = []
    for attempt in range(1, attempts + 1):
        try:
            return start(attempt)
        except Exception as exc:  # any reason to fail is worth another attempt on a new port
            reasons.append(f"attempt {attempt}: {type(exc).__name__}: {_short(exc)}")
        if attempt < attempts:
            time.sleep(pause)
    raise ServerUnavailableError(
        f"test server {name!r} did not start after {attempts} attempts ({'; '.join(reasons)})"
    )


def _short(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing): one pytest worker at a time.

    For steps that share files between parallel workers, such as installing a service's
    virtualenv into a shared cache directory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
