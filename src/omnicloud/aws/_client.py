"""Raw clients for AWS Query/EC2-protocol services, sync and async: any action by its API name.

>>> ec2 = EC2Client(region="eu-west-1")                                   # doctest: +SKIP
>>> ec2.call("DescribeRegions")["regionInfo"][0]["regionName"]            # doctest: +SKIP
>>> for r in ec2.iterate("DescribeInstances", "reservationSet", page_size=100):  # doctest: +SKIP
...     print(r["reservationId"])

Parameters use the wire names (``Filter``, ``InstanceId``, as the API reference spells them,
not boto3's ``Filters``/``InstanceIds``); lists and mappings are flattened by the protocol.
Both clients run the same flows of :mod:`omnicloud.aws._query`; they differ only in the runner.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator, Mapping

from omnicloud.aws import _ec2
from omnicloud.aws import _query as q
from omnicloud.aws._regions import endpoint_url
from omnicloud.aws._xml import child, to_value
from omnicloud.aws.credentials import AwsSession, StaticCredentials, resolve_session
from omnicloud.http import AsyncHttp, HttpConfig, Redactor, SyncHttp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud._flow import Flow

__all__ = [
    "DEFAULT_REGION",
    "AsyncEC2Client",
    "AsyncQueryClient",
    "EC2Client",
    "QueryClient",
    "query_service",
]

#: The region used when neither arguments, environment nor profile name one.
DEFAULT_REGION = "us-east-1"


def _items(key: str) -> Any:
    def extract(root: Any) -> builtins.list[Any]:
        found = child(q.result_of(root), key)
        value = to_value(found) if found is not None else []
        return value if isinstance(value, builtins.list) else [value] if value else []

    return extract


def query_service(
    session: AwsSession,
    *,
    service: str,
    version: str,
    endpoint: str | None = None,
    config: HttpConfig,
    ec2: bool,
    client_token_actions: frozenset[str] = frozenset(),
) -> q.QueryService:
    """The :class:`~omnicloud.aws._query.QueryService` for ``session`` (region defaulting to
    ``us-east-1``), with a redactor that already knows fixed secrets."""
    region = session.region or DEFAULT_REGION
    redactor = Redactor()
    held = session.provider
    if isinstance(held, StaticCredentials):
        redactor.add(held.current().secret_key, held.current().token)
    return q.QueryService(
        service=service,
        version=version,
        endpoint=endpoint or endpoint_url(service, region),
        region=region,
        credentials=held,
        retry=config.retry,
        redactor=redactor,
        ec2=ec2,
        client_token_actions=client_token_actions,
    )


def _merged(params: Mapping[str, Any] | None, more: Mapping[str, Any]) -> dict[str, Any]:
    return {**(params or {}), **more}


class _Base:
    """Settings shared by the sync and async clients (no I/O)."""

    SERVICE = ""
    VERSION = ""
    EC2_LISTS = False
    TOKEN_ACTIONS: frozenset[str] = frozenset()

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        token: str | None = None,
        *,
        region: str | None = None,
        profile: str | None = None,
        endpoint: str | None = None,
        service: str | None = None,
        version: str | None = None,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        self.session = session or resolve_session(
            key, secret, token, profile=profile, region=region
        )
        name = service or self.SERVICE
        if not name or not (version or self.VERSION):
            raise TypeError("a Query client needs service= and version=")
        self._config = http or HttpConfig()
        self.service = query_service(
            self.session,
            service=name,
            version=version or self.VERSION,
            endpoint=endpoint,
            config=self._config,
            ec2=self.EC2_LISTS,
            client_token_actions=self.TOKEN_ACTIONS,
        )

    @property
    def region(self) -> str:
        """The region requests are signed for."""
        return self.service.region

    @property
    def endpoint(self) -> str:
        """The URL actions are sent to."""
        return self.service.url

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.service.service} at {self.endpoint} "
            f"({self.region}, credentials from {self.session.provider.origin})>"
        )

    def _call(self, action: str, params: Mapping[str, Any], **options: Any) -> Flow[Any]:
        root = yield from q.call(self.service, action, params, **options)
        return to_value(q.result_of(root))

    def _pages(
        self, action: str, key: str, params: Mapping[str, Any], page_size: int | None
    ) -> Flow[None]:
        return q.paginate(self.service, action, params, _items(key), page_size=page_size)


class QueryClient(_Base):
    """Synchronous client of one Query/EC2-protocol service (``service=``, ``version=``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = SyncHttp(self._config, self.service.redactor)

    def call(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        client_token: bool | None = None,
        idempotent: bool | None = None,
        **more: Any,
    ) -> Any:
        """Run ``action``; the answer as plain values (dicts, lists, strings)."""
        flow = self._call(
            action, _merged(params, more), client_token=client_token, idempotent=idempotent
        )
        return self._http.run(flow)

    def iterate(
        self,
        action: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        page_size: int | None = None,
        **more: Any,
    ) -> Iterator[Any]:
        """The entries of list ``key`` (``"reservationSet"``) over every page, lazily."""
        return self._http.iterate(self._pages(action, key, _merged(params, more), page_size))

    def list(
        self,
        action: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        page_size: int | None = None,
        **more: Any,
    ) -> builtins.list[Any]:
        """Every entry of list ``key`` over every page."""
        return builtins.list(self.iterate(action, key, params, page_size=page_size, **more))

    def run(self, flow: Flow[Any]) -> Any:
        """Run any flow of this service with this client's connection."""
        return self._http.run(flow)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def __enter__(self) -> QueryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncQueryClient(_Base):
    """Asynchronous twin of :class:`QueryClient`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._http = AsyncHttp(self._config, self.service.redactor)

    async def call(
        self,
        action: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        client_token: bool | None = None,
        idempotent: bool | None = None,
        **more: Any,
    ) -> Any:
        """Run ``action``; the answer as plain values."""
        flow = self._call(
            action, _merged(params, more), client_token=client_token, idempotent=idempotent
        )
        return await self._http.run(flow)

    def iterate(
        self,
        action: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        page_size: int | None = None,
        **more: Any,
    ) -> AsyncIterator[Any]:
        """The entries of list ``key`` over every page, lazily."""
        return self._http.iterate(self._pages(action, key, _merged(params, more), page_size))

    async def list(
        self,
        action: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        page_size: int | None = None,
        **more: Any,
    ) -> builtins.list[Any]:
        """Every entry of list ``key`` over every page."""
        return [
            item async for item in self.iterate(action, key, params, page_size=page_size, **more)
        ]

    async def run(self, flow: Flow[Any]) -> Any:
        """Run any flow of this service with this client's connection."""
        return await self._http.run(flow)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncQueryClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class _EC2:
    SERVICE = _ec2.SERVICE
    VERSION = _ec2.VERSION
    EC2_LISTS = True
    TOKEN_ACTIONS = _ec2.CLIENT_TOKEN_ACTIONS


class EC2Client(_EC2, QueryClient):
    """Synchronous EC2 API client (API version 2016-11-15)."""


class AsyncEC2Client(_EC2, AsyncQueryClient):
    """Asynchronous EC2 API client."""
