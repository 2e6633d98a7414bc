"""Docker over a unix socket, with no change to omnicloud's HTTP layer.

:class:`~omnicloud.http.HttpConfig` takes an httpx transport (``transport`` for sync code,
``async_transport`` for async code) and sends every request through it; httpx's transports
connect to a unix socket when given ``uds=``. So a unix-socket driver is an ``HttpConfig`` with
one of those, no proxies from the environment (a socket is never proxied) and the socket path
in every request's stead of a host. httpx is imported only when such a driver is made.
"""

from __future__ import annotations

from dataclasses import replace

from omnicloud.http._config import HttpConfig

__all__ = ["unix_socket_config"]


def unix_socket_config(config: HttpConfig, path: str, *, asynchronous: bool) -> HttpConfig:
    """``config`` carrying its requests over the unix socket at ``path``.

    A transport already given in ``config`` (a test double) is kept.
    """
    import httpx

    if asynchronous:
        if config.async_transport is not None:
            return config
        return replace(
            config, async_transport=httpx.AsyncHTTPTransport(uds=path), trust_env=False, proxy=None
        )
    if config.transport is not None:
        return config
    return replace(config, transport=httpx.HTTPTransport(uds=path), trust_env=False, proxy=None)
