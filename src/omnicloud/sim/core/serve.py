"""The foreground entry point every simulator's ``serve`` uses (``omnicloud sim serve NAME``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

__all__ = ["Closable", "configure", "print_line", "serve_app", "state_file"]


class Closable(Protocol):
    """A simulator state: something holding a database to close."""

    def close(self) -> None:
        """Release the state."""
        ...


S = TypeVar("S", bound=Closable)


def configure(config: Any, **options: object) -> None:
    """Set the fields of the dataclass ``config`` given as ``options`` that are not None (the
    command line's options left out are None); a name that is not a field is a TypeError."""
    fields = {field.name for field in dataclasses.fields(config)}
    for name, value in options.items():
        if name not in fields:
            raise TypeError(f"{type(config).__name__} has no field {name!r}")
        if value is not None:
            setattr(config, name, value)


def state_file(state: str | None) -> str | None:
    """The absolute path of the ``--state`` file given, or None (in memory) without one."""
    return os.path.abspath(state) if state else None


def print_line(line: str) -> None:
    """Print one banner line to stdout at once (a reader of the pipe waits for it)."""
    print(line, flush=True)


def serve_app(
    open_state: Callable[[], S],
    make_app: Callable[[S], Any],
    banner: Callable[[S, str], Iterable[str]],
    host: str,
    port: int,
    *,
    echo: Callable[[str], object] = print_line,
    log_level: str = "info",
    ssl_certfile: str | os.PathLike[str] | None = None,
    ssl_keyfile: str | os.PathLike[str] | None = None,
) -> None:
    """Open the state, listen on ``host:port`` (0 = a free port), print the banner, then serve
    until interrupted; the state is closed on the way out.

    An unusable state file or a port that cannot be listened on raises
    :class:`~omnicloud.errors.ConfigurationError` before anything is printed. ``banner(state,
    url)`` gives the lines to print, ``url`` being ``http://host:port`` as bound
    (``https://`` when ``ssl_certfile`` and ``ssl_keyfile`` make it serve TLS).
    """
    from .. import server  # uvicorn loads only when something is served

    state = open_state()
    try:
        sock = server.bind(host, port)
    except BaseException:
        state.close()
        raise
    try:
        app = make_app(state)
        actual = int(sock.getsockname()[1])
        scheme = "http" if ssl_certfile is None else "https"
        for line in banner(state, server.display_url(host, actual, scheme=scheme)):
            echo(line)
        server.run(
            app,
            host,
            actual,
            log_level=log_level,
            sock=sock,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )
    finally:
        sock.close()
        state.close()
