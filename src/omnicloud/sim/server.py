"""Serving an ASGI app with uvicorn: in a background thread for tests, or in the foreground."""

from __future__ import annotations

import os
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

from .core.resets import protocol_class

__all__ = ["RunningServer", "bind", "display_url", "run", "serve_in_thread"]


_PathLike = str | os.PathLike[str]


class _Server(uvicorn.Server):
    """uvicorn's server, except that on shutdown idle TLS connections are aborted: closing one
    politely waits for the client's close_notify, which an idle keep-alive client never sends
    (uvicorn would wait for it ~30 s)."""

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.config.is_ssl:
            for connection in list(self.server_state.connections):
                cycle = getattr(connection, "cycle", None)
                transport = getattr(connection, "transport", None)
                if transport is not None and (cycle is None or cycle.response_complete):
                    self.server_state.connections.discard(connection)  # no polite close too
                    transport.abort()
        await super().shutdown(sockets)


def _config(
    app: Any,
    host: str,
    port: int,
    log_level: str,
    ssl_certfile: _PathLike | None = None,
    ssl_keyfile: _PathLike | None = None,
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_class(),
        lifespan="off",
        log_level=log_level,
        access_log=False,
        timeout_keep_alive=30,
        ssl_certfile=None if ssl_certfile is None else os.fspath(ssl_certfile),
        ssl_keyfile=None if ssl_keyfile is None else os.fspath(ssl_keyfile),
    )


def _check_tls(ssl_certfile: _PathLike | None, ssl_keyfile: _PathLike | None) -> None:
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise ValueError("TLS needs both ssl_certfile and ssl_keyfile")


class RunningServer:
    """A uvicorn server running in a daemon thread; a context manager that stops it on exit."""

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        host: str,
        port: int,
        *,
        scheme: str = "http",
    ) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self.scheme = scheme

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:43123`` (``https://`` when serving TLS)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to exit and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (0 = a free port); ``OSError`` when it cannot be."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind(host: str, port: int) -> socket.socket:
    """Listen on ``host:port`` now, before anything is printed or served.

    Raises :class:`~omnicloud.errors.ConfigurationError` with one clear line when the port is
    taken, the address is not local or the host name does not resolve.
    """
    from omnicloud.errors import ConfigurationError

    try:
        return _listen(host, port)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigurationError(f"cannot listen on {_hostport(host, port)}: {reason}") from None


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def display_url(host: str, port: int, *, scheme: str = "http") -> str:
    """``http://host:port`` (or ``scheme://``) for a banner: a wildcard address shown as
    127.0.0.1."""
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"{scheme}://{_hostport(shown, port)}"


def serve_in_thread(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_level: str = "warning",
    timeout: float = 10.0,
    ssl_certfile: _PathLike | None = None,
    ssl_keyfile: _PathLike | None = None,
) -> RunningServer:
    """Start ``app`` on ``host:port`` (0 = a free port) and return once it accepts connections.

    With ``ssl_certfile`` and ``ssl_keyfile`` (PEM files) it serves HTTPS and ``url`` says so.
    """
    _check_tls(ssl_certfile, ssl_keyfile)
    sock = _listen(host, port)
    actual = int(sock.getsockname()[1])
    server = _Server(_config(app, host, actual, log_level, ssl_certfile, ssl_keyfile))
    errors: list[BaseException] = []

    def target() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as error:
            errors.append(error)
        finally:
            sock.close()

    thread = threading.Thread(target=target, name=f"omnicloud-sim-{actual}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if errors or not thread.is_alive():
            raise RuntimeError(f"the simulator server failed to start: {errors[:1]}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError("the simulator server did not start in time")
        time.sleep(0.005)
    scheme = "http" if ssl_certfile is None else "https"
    return RunningServer(server, thread, host, actual, scheme=scheme)


def run(
    app: Any,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    log_level: str = "info",
    sock: socket.socket | None = None,
    ssl_certfile: _PathLike | None = None,
    ssl_keyfile: _PathLike | None = None,
) -> None:
    """Serve ``app`` in the foreground until interrupted, on ``sock`` if given (see :func:`bind`),
    else on a socket bound to ``host:port`` here; HTTPS with ``ssl_certfile``/``ssl_keyfile``."""
    _check_tls(ssl_certfile, ssl_keyfile)
    listening = sock if sock is not None else bind(host, port)
    actual = int(listening.getsockname()[1])
    config = _config(app, host, actual, log_level, ssl_certfile, ssl_keyfile)
    try:
        _Server(config).run(sockets=[listening])
    finally:
        if sock is None:
            listening.close()
