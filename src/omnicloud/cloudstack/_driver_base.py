"""What the CloudStack drivers of every family share: the connection that builds calls as flows.

The compute driver (:mod:`omnicloud.compute.drivers.cloudstack`) and the load balancer driver
(:mod:`omnicloud.loadbalancer.drivers.cloudstack`) both subclass :class:`CloudStackConnection`;
:func:`names_no_entity` and :func:`success` read CloudStack's answers the same way for both.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping

from omnicloud._collect import collect
from omnicloud._poll import PollSettings
from omnicloud._wire import bind, mapper
from omnicloud.cloudstack import _protocol
from omnicloud.cloudstack._protocol import CloudStackSettings
from omnicloud.errors import (
    CloudStackApiError,
    MalformedResponseError,
    NotFoundError,
    ValidationError,
)
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._redact import Redactor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from omnicloud._flow import Flow

    M = TypeVar("M")

__all__ = ["MAX_CONNECTIONS", "CloudStackConnection", "names_no_entity", "success"]

# Connections per driver (more when ``concurrency`` asks for more). Requests beyond it wait in the
# runner, not in httpcore's pool, whose bookkeeping grows with the square of its connections: 16
# keep a CloudStack management server busy, and 200 concurrent creations cost a third of the
# client CPU they cost with 100 connections.
MAX_CONNECTIONS = 16


def _endpoint(
    host: str | None, path: str | None, url: str | None, secure: bool, port: int | None
) -> str:
    if url:
        if host or path:
            raise ValidationError("pass either url= or host=/path=, not both")
        from urllib.parse import urlsplit  # here: with ipaddress it costs get_driver ~5 ms

        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValidationError(f"url must look like https://host/path, got {url!r}")
        return url.rstrip("/") if parts.path not in {"", "/"} else url.rstrip("/") + "/client/api"
    if not host or not path:
        raise ValidationError(
            "a CloudStack driver needs url= or both host= and path= "
            "(for example host='cloud.example.com', path='/client/api')"
        )
    scheme = "https" if secure else "http"
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}/{path.lstrip('/')}"


def _in_process(transport: Any) -> bool:
    """Whether ``transport`` hands requests to an ASGI app in this process (the simulator, as
    the built-in ``local`` cloud uses): no network lies behind it, so neither do its nodes."""
    if transport is None:
        return False
    if getattr(transport, "in_process", False) is True:  # omnicloud's in-process transports
        return True
    return type(transport).__name__ == "ASGITransport"  # httpx's, handed in by a caller


def _params(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def names_no_entity(exc: CloudStackApiError) -> bool:
    """Whether CloudStack refused an id parameter because no entity has it (431).

    The server checks every id it is sent, filters included, so a lookup by an unknown id
    fails this way instead of answering an empty list.
    """
    return exc.errorcode == 431 and "entity does not exist" in exc.errortext


class CloudStackConnection:
    """Holds the endpoint, credentials and HTTP options; builds calls as flows.

    Shared by the compute and load balancer drivers.
    """

    host: str | None = None
    path: str | None = None
    _gathers_concurrently = True  # the sync shell says False: its pages come one at a time

    def __init__(
        self,
        key: str,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        path: str | None = None,
        port: int | None = None,
        url: str | None = None,
        *,
        project: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        verify: bool | str = True,
        insecure: bool = False,
        proxy: str | None = None,
        poll_interval: float = 1.0,
        job_timeout: float = 600.0,
        page_size: int = 500,
        concurrency: int = 4,
        method: str = "get",
        http: HttpConfig | None = None,
        transport: Any = None,
    ) -> None:
        if secret is None:
            raise ValidationError("CloudStack needs both an API key and a secret key")
        if url is None and host is None and path is None:
            host, path = self.host, self.path
        self.endpoint = _endpoint(host, path, url, secure, port)
        self.secure = self.endpoint.startswith("https://")
        self.project_id = project
        config = http or HttpConfig(
            connect_timeout=min(timeout, 10.0),
            read_timeout=timeout,
            timeout=max(timeout * 4, 60.0),
            verify=verify,
            insecure=insecure,
            proxy=proxy,
            retry=RetryPolicy(max_attempts=retries + 1),
            max_connections=max(MAX_CONNECTIONS, concurrency),
        )
        if transport is not None:
            config.transport = config.async_transport = transport
        self.ex_simulated = _in_process(transport)
        self._settings = CloudStackSettings(
            endpoint=self.endpoint,
            key=key,
            secret=secret,
            method=method,
            page_size=page_size,
            poll=PollSettings(
                interval=poll_interval,
                first_interval=min(poll_interval, 0.25),
                timeout=job_timeout,
            ),
            retry=config.retry,
            concurrency=concurrency,
        )
        self._default_zone: str | None = None
        self._open(config, Redactor([key, secret]))

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.endpoint}>"

    # -- flow helpers -------------------------------------------------------------------------
    def _with_project(self, params: dict[str, Any], project: Any = None) -> dict[str, Any]:
        chosen = getattr(project, "id", project) or self.project_id
        if chosen is not None:
            params.setdefault("projectid", chosen)
        return params

    def _call(self, command: str, **params: Any) -> Flow[Any]:
        """One synchronous CloudStack command; the unwrapped body."""
        body = yield from _protocol.call(self._settings, command, _params(params))
        return body

    def _job(self, command: str, **params: Any) -> Flow[Any]:
        """An async command: submit, wait (bounded by job_timeout), return the job result.

        Once the job is accepted, a failure to wait for it is a
        :class:`~omnicloud.errors.JobPollError` naming it (``ex_wait_for_job`` resumes).
        """
        result = yield from _protocol.run_command(
            self._settings, command, _params(params), fetch_result=True
        )
        return result

    def _job_model(
        self, cls: builtins.type[M], key: str, command: str, /, **params: Any
    ) -> Flow[M]:
        """An async command whose job result holds a ``cls`` under ``key``, as a model; a
        result without it is a MalformedResponseError naming the job."""
        model: M = yield from _protocol.run_command(
            self._settings,
            command,
            _params(params),
            fetch_result=True,
            convert=lambda result: self._build(cls, result, key),
        )
        return model

    def _list(
        self,
        command: str,
        convert: Callable[[Any], M],
        *,
        page_reader: _protocol.PageReader | None = None,
        **params: Any,
    ) -> Flow[list[M]]:
        """Every item of a list command across pages (read by ``page_reader``), converted."""
        concurrency = self._settings.concurrency if self._gathers_concurrently else 1
        flow = _protocol.list_items(
            self._settings, command, _params(params), concurrency=concurrency, reader=page_reader
        )
        items: list[M] = yield from collect(flow, convert)
        return items

    def _models(self, command: str, cls: builtins.type[M], **params: Any) -> Flow[list[M]]:
        """Every item of a list command as ``cls`` objects."""
        items: list[M] = yield from self._list(command, bind(cls, driver=self), **params)
        return items

    def _one(self, command: str, cls: builtins.type[M], what: str, **params: Any) -> Flow[M]:
        """The single item a filtered list command returns, or NotFoundError."""
        try:
            items = yield from self._models(command, cls, **params)
        except CloudStackApiError as exc:
            if names_no_entity(exc):
                raise NotFoundError(f"{what} not found", provider="cloudstack") from exc
            raise
        if not items:
            raise NotFoundError(f"{what} not found", provider="cloudstack")
        return items[0]

    def _build(self, cls: builtins.type[M], doc: Any, key: str | None = None) -> M:
        """Map a (job) result, optionally found under ``key``."""
        if key is not None:
            if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
                raise MalformedResponseError(f"expected '{key}' in the CloudStack answer")
            doc = doc[key]
        return mapper(cls)(doc, driver=self)

    def _zone_id(self, location: Any) -> Flow[str]:
        """The zone to create in: ``location``, else the first zone (looked up once)."""
        if location is not None:
            return str(getattr(location, "id", location))
        if self._default_zone is None:
            body = yield from self._call("listZones", available=True, pagesize=1, page=1)
            zones = body.get("zone") if isinstance(body, dict) else None
            if not zones:
                raise NotFoundError("no zone is available to this account", provider="cloudstack")
            self._default_zone = str(zones[0]["id"])
        return self._default_zone


def success(body: Any) -> bool:
    """CloudStack's ``{"success": true}`` (or ``"true"``) -> bool."""
    if isinstance(body, dict):
        value = body.get("success", True)
        return value is True or str(value).lower() == "true"
    return True
