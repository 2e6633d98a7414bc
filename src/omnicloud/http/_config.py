"""Connection settings shared by every provider client."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace

from omnicloud.errors import ValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any

__all__ = ["HttpConfig", "RetryPolicy", "driver_config", "environment_proxies"]


@dataclass(slots=True)
class RetryPolicy:
    """When and how often a request is sent again.

    Only idempotent requests are retried after a failure that may have reached the server, and only
    when the answer is one of ``retry_statuses``; a request that provably never left (connection
    refused) and a 429 are retried whatever the method. Delays grow exponentially from ``backoff``
    up to ``backoff_cap`` with full jitter, and everything stops at ``max_attempts`` or once
    ``total_seconds`` have passed since the first attempt.
    """

    max_attempts: int = 4
    backoff: float = 0.25
    backoff_cap: float = 8.0
    total_seconds: float = 60.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    max_rate_limit_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValidationError("retries: max_attempts must be at least 1")
        if self.backoff < 0 or self.backoff_cap < 0 or self.total_seconds <= 0:
            raise ValidationError("retries: delays must be positive")


@dataclass(slots=True)
class HttpConfig:
    """How to reach a provider: timeouts, TLS, proxy, pool and retry settings.

    ``verify`` may be a CA bundle path; ``insecure=True`` is the only way to turn verification off
    and it warns. ``transport``/``async_transport`` replace the network (tests, in-process
    simulators): an omnicloud :class:`~omnicloud.http.SyncTransport` /
    :class:`~omnicloud.http.AsyncTransport` (``omnicloud.sim.transport.InProcessTransport``), or
    an httpx transport (``httpx.MockTransport``), which is sent through ``httpx.Client.send``.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    timeout: float = 120.0
    verify: bool | str = True
    client_cert: str | None = None
    client_key: str | None = None
    insecure: bool = False
    proxy: str | None = None
    trust_env: bool = True
    http2: bool = False
    max_connections: int = 100
    max_keepalive: int = 20
    headers: dict[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transport: Any = None
    async_transport: Any = None

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "timeout"):
            if getattr(self, name) <= 0:
                raise ValidationError(f"{name} must be a positive number of seconds")
        if self.client_key and not self.client_cert:
            raise ValidationError("client_key given without client_cert")
        if isinstance(self.verify, str):
            self.verify = _verify_path(self.verify, self.insecure)

    def check_tls(self) -> None:
        """Refuse ``verify=False`` (the off switch is ``insecure=True``) and warn when insecure."""
        import warnings

        self._refuse_verify_false()
        if self.insecure:
            warnings.warn(
                "TLS certificate verification is disabled (insecure=True): "
                "anyone on the network path can read and change this traffic",
                stacklevel=4,
            )

    def _refuse_verify_false(self) -> None:
        if self.verify is False and not self.insecure:
            raise ValidationError(
                "verify=False does not disable TLS checks; pass insecure=True "
                "(dangerous_no_tls_verify in a profile or cloudstack.ini) to do so"
            )

    def ssl_context(self) -> ssl.SSLContext:
        """The SSL context for these TLS settings (:meth:`check_tls` warns about insecure ones).

        Loading a CA bundle costs about 45 ms of CPU, so each distinct setting is built once per
        process and shared; a changed CA, certificate or key file is loaded again.
        """
        self._refuse_verify_false()
        verify = False if self.insecure else self.verify
        return _context(
            _stamped(verify) if isinstance(verify, str) else verify,
            _stamped(self.client_cert),
            _stamped(self.client_key),
        )


def driver_config(
    http: HttpConfig | None,
    *,
    timeout: float | None = None,
    verify: bool | str | None = None,
    transport: Any = None,
) -> HttpConfig:
    """The settings of a driver given ``http=``, ``timeout=``, ``verify=`` and ``transport=``:
    a copy of ``http`` (or of the defaults; the caller's config is not changed) with ``timeout``
    as the total and the read timeout, ``verify``, and ``transport`` for both modes, each when
    given."""
    changes: dict[str, Any] = {}
    if timeout is not None:
        changes.update(timeout=float(timeout), read_timeout=float(timeout))
    if verify is not None:
        changes["verify"] = verify
    if transport is not None:
        changes.update(transport=transport, async_transport=transport)
    return replace(http or HttpConfig(), **changes)


def environment_proxies() -> bool:
    """Whether the environment names a proxy (``HTTP_PROXY`` and the like)."""
    import urllib.request

    proxies = urllib.request.getproxies()
    return any(scheme in proxies for scheme in ("http", "https", "all"))


def _verify_path(value: str, insecure: bool) -> bool | str:
    """A ``verify`` string: true-like words mean True; false-like ones are refused unless
    ``insecure`` says the same, and never taken for a CA bundle file named "false"."""
    lowered = value.strip().lower()
    if lowered in {"true", "1", "yes", "on"}:
        return True
    if lowered in {"false", "0", "no", "off"}:
        if insecure:
            return False
        raise ValidationError(
            f"verify={value!r} is not a CA bundle path and does not turn TLS checks off; "
            "pass insecure=True (dangerous_no_tls_verify in a profile or cloudstack.ini) to do so"
        )
    return value


#: A file path with its modification time, so a rewritten file is loaded again.
_Stamped = tuple[str, int] | None


def _stamped(path: str | None) -> _Stamped:
    import os

    if path is None or not path:
        return None
    try:
        return path, os.stat(path).st_mtime_ns
    except OSError:
        return path, -1  # loading it reports the problem


@functools.lru_cache(maxsize=16)
def _context(verify: bool | _Stamped, cert: _Stamped, key: _Stamped) -> ssl.SSLContext:
    import ssl

    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, tuple):
        try:
            context = ssl.create_default_context(cafile=verify[0])
        except (OSError, ssl.SSLError) as exc:
            raise ValidationError(f"cannot load CA bundle {verify[0]!r}: {exc}") from None
    else:
        context = _default_context()
    if cert is not None:
        try:
            context.load_cert_chain(cert[0], key[0] if key else None)
        except (OSError, ssl.SSLError) as exc:
            raise ValidationError(f"cannot load client certificate {cert[0]!r}: {exc}") from None
    return context


def _default_context() -> ssl.SSLContext:
    import ssl

    try:
        import certifi
    except ImportError:  # pragma: no cover - certifi comes with httpx
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())
