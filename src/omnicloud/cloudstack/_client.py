"""``CloudStack`` and ``AsyncCloudStack``: every API command by attribute access.

Both classes run the same flows from :mod:`omnicloud.cloudstack._protocol`; they differ only in the
runner (sync or async) they hand the flows to.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

from omnicloud._poll import PollSettings
from omnicloud.errors import ValidationError
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._redact import Redactor
from omnicloud.http._trace import enable_trace
from omnicloud.http._transport import AsyncHttp, SyncHttp

from . import _protocol
from ._protocol import CloudStackSettings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import timedelta
    from typing import Any

    from omnicloud._flow import Flow

__all__ = ["AsyncCloudStack", "CloudStack"]

DEFAULT_JOB_TIMEOUT = 1800.0


class _CloudStackBase:
    """Configuration shared by the sync and async clients (no I/O)."""

    def __init__(
        self,
        endpoint: str,
        key: str,
        secret: str,
        *,
        timeout: float = 10,
        method: str = "get",
        verify: bool | str | None = None,
        cert: str | None = None,
        cert_key: str | None = None,
        name: str | None = None,
        retry: int = 3,
        job_timeout: float | None = None,
        poll_interval: float = 2.0,
        expiration: float | timedelta = 600,
        trace: bool = False,
        dangerous_no_tls_verify: bool = False,
        headers: Mapping[str, str] | None = None,
        fetch_result: bool = False,
        page_size: int = 500,
        concurrency: int = 4,
        proxy: str | None = None,
        http: HttpConfig | None = None,
        transport: Any = None,
        theme: str | None = None,
    ) -> None:
        if not isinstance(expiration, int | float):
            expiration = expiration.total_seconds()
        if retry < 0:
            raise ValidationError("retry must be zero or more")
        self.name = name
        self.endpoint = endpoint
        config = http or HttpConfig(
            connect_timeout=min(float(timeout), 10.0),
            read_timeout=float(timeout),
            timeout=max(float(timeout) * 6, 60.0),
            verify=verify if verify else True,
            client_cert=cert,
            client_key=cert_key,
            insecure=dangerous_no_tls_verify,
            proxy=proxy,
            retry=RetryPolicy(max_attempts=retry + 1),
        )
        if transport is not None:
            config.transport = config.async_transport = transport
        self._settings = CloudStackSettings(
            endpoint=endpoint,
            key=key,
            secret=secret,
            method=method,
            expiration=float(expiration),
            page_size=page_size,
            poll=PollSettings(
                interval=poll_interval,
                first_interval=min(0.25, poll_interval),
                timeout=job_timeout if job_timeout is not None else DEFAULT_JOB_TIMEOUT,
            ),
            fetch_result=fetch_result,
            headers=dict(headers or {}),
            retry=config.retry,
            concurrency=concurrency,
        )
        self._config = config
        self._redactor = Redactor([key, secret])
        if trace:
            enable_trace()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.name or self.endpoint}>"

    def __getattr__(self, command: str) -> Callable[..., Any]:
        if command.startswith("_"):
            raise AttributeError(command)
        return functools.partial(self.call, command)

    def call(self, command: str, /, **params: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _split(self, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        options = {k: params.pop(k) for k in list(params) if k in _protocol.RESERVED}
        return params, options

    def _command_flow(
        self, command: str, params: dict[str, Any], options: dict[str, Any]
    ) -> Flow[Any]:
        return _protocol.run_command(
            self._settings,
            command,
            params,
            fetch_result=options.get("fetch_result"),
            headers=options.get("headers"),
            on_progress=options.get("on_progress"),
        )

    def _list_flow(
        self, command: str, params: Mapping[str, Any], options: Mapping[str, Any], concurrency: int
    ) -> Flow[None]:
        return _protocol.list_items(
            self._settings,
            command,
            params,
            headers=options.get("headers"),
            page_size=options.get("page_size"),
            concurrency=concurrency,
        )


class CloudStack(_CloudStackBase):
    """Synchronous CloudStack API client, compatible with ``cs.CloudStack``.

    ``cs.listVirtualMachines(fetch_list=True)`` returns every VM across pages;
    ``cs.deployVirtualMachine(..., fetch_result=True)`` waits for the job and returns its result.
    """

    def __init__(self, endpoint: str, key: str, secret: str, **options: Any) -> None:
        super().__init__(endpoint, key, secret, **options)
        self._http = SyncHttp(self._config, self._redactor)

    def call(self, command: str, /, **params: Any) -> Any:
        """Run API ``command`` with ``params`` (see the class docstring for the options)."""
        params, options = self._split(params)
        if options.get("fetch_list"):
            return list(self._http.iterate(self._list_flow(command, params, options, 1)))
        return self._http.run(self._command_flow(command, params, options))

    def iterate(self, command: str, /, **params: Any) -> Iterator[Any]:
        """Yield the items of a list command lazily, one page in memory at a time."""
        params, options = self._split(params)
        return self._http.iterate(self._list_flow(command, params, options, 1))

    def wait_for_job(self, job_id: str, on_progress: Callable[[Any], None] | None = None) -> Any:
        """Poll ``job_id`` until it ends and return its result (or raise a job error)."""
        return self._http.run(
            _protocol.wait_for_job(self._settings, job_id, on_progress=on_progress)
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> CloudStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncCloudStack(_CloudStackBase):
    """Asynchronous twin of :class:`CloudStack` (``await cs.listZones()``).

    With ``fetch_list=True`` the remaining pages are fetched concurrently once the total is known.
    """

    def __init__(self, endpoint: str, key: str, secret: str, **options: Any) -> None:
        super().__init__(endpoint, key, secret, **options)
        self._http = AsyncHttp(self._config, self._redactor)

    async def call(self, command: str, /, **params: Any) -> Any:
        """Run API ``command`` with ``params`` (see :class:`CloudStack`)."""
        params, options = self._split(params)
        if options.get("fetch_list"):
            flow = self._list_flow(command, params, options, self._settings.concurrency)
            return [item async for item in self._http.iterate(flow)]
        return await self._http.run(self._command_flow(command, params, options))

    def iterate(self, command: str, /, **params: Any) -> AsyncIterator[Any]:
        """Yield the items of a list command lazily, one page at a time."""
        params, options = self._split(params)
        return self._http.iterate(self._list_flow(command, params, options, 1))

    async def wait_for_job(
        self, job_id: str, on_progress: Callable[[Any], None] | None = None
    ) -> Any:
        """Poll ``job_id`` until it ends and return its result (or raise a job error)."""
        return await self._http.run(
            _protocol.wait_for_job(self._settings, job_id, on_progress=on_progress)
        )

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncCloudStack:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
