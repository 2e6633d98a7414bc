"""Raw Route53 clients, sync and async: the REST-XML API by path (``/hostedzone``...), on the
flows of :mod:`omnicloud.aws._rest_xml`.

>>> r53 = Route53Client(profile="dev")                                     # doctest: +SKIP
>>> zones = r53.list("/hostedzone", "HostedZones")                         # doctest: +SKIP
>>> r53.call("POST", "/hostedzone", to_xml("CreateHostedZoneRequest", {    # doctest: +SKIP
...     "Name": "example.com", "CallerReference": caller_reference()}, NAMESPACE),
...     idempotent=True)
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence

from omnicloud.aws import _rest_xml as r
from omnicloud.aws._client import DEFAULT_REGION
from omnicloud.aws._regions import endpoint_url
from omnicloud.aws._xml import to_value
from omnicloud.aws.credentials import AwsSession, StaticCredentials, resolve_session
from omnicloud.http import AsyncHttp, HttpConfig, Redactor, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "NAMESPACE",
    "VERSION",
    "AsyncRoute53Client",
    "Route53Client",
    "caller_reference",
    "route53_service",
]

VERSION = "2013-04-01"
NAMESPACE = "https://route53.amazonaws.com/doc/2013-04-01/"


def caller_reference() -> str:
    """A fresh ``CallerReference``: Route53's idempotency token for creates."""
    return str(uuid.uuid4())


def route53_service(
    session: AwsSession, *, endpoint: str | None, config: HttpConfig
) -> r.RestXmlService:
    """The Route53 service description for ``session`` (global endpoint unless ``endpoint``)."""
    redactor = Redactor()
    held = session.provider
    if isinstance(held, StaticCredentials):
        redactor.add(held.current().secret_key, held.current().token)
    region = session.region or DEFAULT_REGION
    return r.RestXmlService(
        service="route53",
        version=VERSION,
        endpoint=endpoint or endpoint_url("route53", region),
        region=region,
        credentials=held,
        namespace=NAMESPACE,
        retry=config.retry,
        redactor=redactor,
    )


def _values(key: str) -> Any:
    extract = r.list_of(key)

    def values(root: Any) -> builtins.list[Any]:
        return [to_value(element) for element in extract(root)]

    return values


class _Base:
    """Settings shared by both clients (no I/O)."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        token: str | None = None,
        *,
        profile: str | None = None,
        endpoint: str | None = None,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        self.session = session or resolve_session(key, secret, token, profile=profile)
        self._config = http or HttpConfig()
        self.service = route53_service(self.session, endpoint=endpoint, config=self._config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} credentials from {self.session.provider.origin}>"

    def _call(
        self,
        method: str,
        path: str,
        body: bytes | None,
        query: Sequence[tuple[str, str]],
        idempotent: bool | None,
    ) -> Flow[Any]:
        root = yield from r.call(
            self.service, method, path, query=query, body=body, idempotent=idempotent
        )
        return to_value(root) if root is not None else None

    def _pages(
        self,
        path: str,
        key: str,
        pages: r.NextQuery,
        query: Sequence[tuple[str, str]],
        page_size: int | None,
    ) -> Flow[None]:
        return r.paginate(self.service, path, _values(key), pages, query=query, page_size=page_size)


class Route53Client(_Base):
    """Synchronous Route53 client."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = SyncHttp(self._config, self.service.redactor)

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        query: Sequence[tuple[str, str]] = (),
        idempotent: bool | None = None,
    ) -> Any:
        """``METHOD /2013-04-01{path}``; the answer as plain values (None when empty)."""
        return self._http.run(self._call(method, path, body, query, idempotent))

    def iterate(
        self,
        path: str,
        key: str,
        *,
        pages: r.NextQuery = r.HOSTED_ZONE_PAGES,
        query: Sequence[tuple[str, str]] = (),
        page_size: int | None = None,
    ) -> Iterator[Any]:
        """The entries of list ``key`` over every page of ``GET path``, lazily."""
        return self._http.iterate(self._pages(path, key, pages, query, page_size))

    def list(
        self,
        path: str,
        key: str,
        *,
        pages: r.NextQuery = r.HOSTED_ZONE_PAGES,
        query: Sequence[tuple[str, str]] = (),
        page_size: int | None = None,
    ) -> builtins.list[Any]:
        """Every entry of list ``key`` over every page."""
        return builtins.list(self.iterate(path, key, pages=pages, query=query, page_size=page_size))

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> Route53Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncRoute53Client(_Base):
    """Asynchronous twin of :class:`Route53Client`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = AsyncHttp(self._config, self.service.redactor)

    async def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        *,
        query: Sequence[tuple[str, str]] = (),
        idempotent: bool | None = None,
    ) -> Any:
        """``METHOD /2013-04-01{path}``; the answer as plain values."""
        return await self._http.run(self._call(method, path, body, query, idempotent))

    def iterate(
        self,
        path: str,
        key: str,
        *,
        pages: r.NextQuery = r.HOSTED_ZONE_PAGES,
        query: Sequence[tuple[str, str]] = (),
        page_size: int | None = None,
    ) -> AsyncIterator[Any]:
        """The entries of list ``key`` over every page, lazily."""
        return self._http.iterate(self._pages(path, key, pages, query, page_size))

    async def list(
        self,
        path: str,
        key: str,
        *,
        pages: r.NextQuery = r.HOSTED_ZONE_PAGES,
        query: Sequence[tuple[str, str]] = (),
        page_size: int | None = None,
    ) -> builtins.list[Any]:
        """Every entry of list ``key`` over every page."""
        flow = self.iterate(path, key, pages=pages, query=query, page_size=page_size)
        return [item async for item in flow]

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncRoute53Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
