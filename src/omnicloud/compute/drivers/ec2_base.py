"""Construction of EC2 drivers (credentials chain, region, endpoint) and the flow helpers every
operation is built from."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from omnicloud._collect import collect
from omnicloud.aws import _ec2
from omnicloud.aws import _query as q
from omnicloud.aws._client import query_service
from omnicloud.aws._errors import AwsNotFoundError
from omnicloud.aws._regions import given_endpoint
from omnicloud.aws._xml import child, to_value
from omnicloud.aws.credentials import AwsSession, resolve_session
from omnicloud.compute._driver import NodeDriverCore
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig, Redactor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = ["EC2Base", "filters", "ident", "items_of", "not_found", "tag_specification"]

M = TypeVar("M")


def ident(value: Any) -> str:
    """The id of a model object or a plain id string."""
    found = getattr(value, "id", value)
    if not found or not isinstance(found, str):
        raise ValidationError(f"expected an object with an id or an id string, got {value!r}")
    return found


def filters(values: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    """``{"instance-state-name": "running", "tag:Env": ["a", "b"]}`` as EC2 ``Filter`` entries."""
    if not values:
        return None
    return [
        {"Name": name, "Value": [value] if isinstance(value, str) else list(value)}
        for name, value in values.items()
    ]


def tag_specification(
    name: str | None, tags: Mapping[str, str] | None, kind: str
) -> list[dict[str, Any]]:
    """A ``TagSpecification`` naming the resource (``Name`` tag) and adding ``tags``."""
    pairs = {**({"Name": name} if name else {}), **(tags or {})}
    if not pairs:
        return []
    return [{"ResourceType": kind, "Tag": [{"Key": k, "Value": v} for k, v in pairs.items()]}]


def not_found(what: str, ident: str) -> AwsNotFoundError:
    """The error for a lookup EC2 answered with an empty list."""
    return AwsNotFoundError(f"ec2: {what} {ident!r} does not exist", status=400, code=None)


def items_of(key: str) -> Callable[[Any], list[Any]]:
    """Page reader: the entries of list ``key`` of an answer, as plain values."""

    def extract(root: Any) -> list[Any]:
        found = child(q.result_of(root), key)
        value = to_value(found) if found is not None else []
        return value if isinstance(value, list) else []

    return extract


def _instances(root: Any) -> list[Any]:
    """Page reader for DescribeInstances: the instances of every reservation on the page."""
    return [i for r in items_of("reservationSet")(root) for i in r.get("instancesSet") or []]


class EC2Base(NodeDriverCore):
    """Holds the EC2 endpoint, credentials and HTTP options; builds API calls as flows.

    ``EC2NodeDriver(key, secret, region="eu-west-1")``; without key and secret the AWS CLI's
    chain applies (environment, ``profile=``/``AWS_PROFILE``, shared files, credential_process).
    ``endpoint=`` (or Libcloud's ``host``/``port``/``secure``) points it at any EC2-compatible
    service (moto, ministack, Eucalyptus).
    """

    name = "Amazon EC2"
    website = "https://aws.amazon.com/ec2/"
    type: str | None = "ec2"
    features: dict[str, list[str]] = {"create_node": ["ssh_key"]}

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        region: str | None = None,
        token: str | None = None,
        *,
        profile: str | None = None,
        endpoint: str | None = None,
        page_size: int = 1000,
        http: HttpConfig | None = None,
        session: AwsSession | None = None,
    ) -> None:
        if not 5 <= page_size <= 1000:
            raise ValidationError("page_size must be 5 to 1000 (EC2's MaxResults limits)")
        self.session = session or resolve_session(
            key, secret, token, profile=profile, region=region
        )
        endpoint = given_endpoint(endpoint, host, port, secure)
        config = http or HttpConfig()
        self._ec2 = query_service(
            self.session,
            service=_ec2.SERVICE,
            version=_ec2.VERSION,
            endpoint=endpoint,
            config=config,
            ec2=True,
            client_token_actions=_ec2.CLIENT_TOKEN_ACTIONS,
        )
        self.region = self._ec2.region
        self.page_size = page_size
        self._sizes: list[Any] | None = None
        self._open(config, self._ec2.redactor)

    def _open(self, config: HttpConfig, redactor: Redactor) -> None:  # pragma: no cover
        raise TypeError("use a sync or async driver class, not the core")

    @property
    def endpoint(self) -> str:
        """The URL actions are sent to."""
        return self._ec2.url

    def __repr__(self) -> str:
        origin = self.session.provider.origin
        return f"<{type(self).__name__} {self.region} at {self.endpoint} (credentials: {origin})>"

    # -- flow helpers -------------------------------------------------------------------------
    def _call(
        self, action: str, params: Mapping[str, Any] | None = None, **options: Any
    ) -> Flow[Any]:
        """Run ``action``; the answer as plain values."""
        root = yield from q.call(self._ec2, action, params, **options)
        return to_value(root)

    def _pages(
        self,
        action: str,
        extract: Callable[[Any], list[Any]],
        params: Mapping[str, Any] | None = None,
        *,
        paged: bool = True,
    ) -> Flow[None]:
        """The lazy listing flow of ``action`` (``paged=False``: no ``MaxResults``, for calls
        that refuse it with ids or have no paging)."""
        size = self.page_size if paged else None
        return q.paginate(self._ec2, action, params, extract, page_size=size)

    def _all(
        self,
        action: str,
        key: str,
        convert: Callable[[Any], M],
        params: Mapping[str, Any] | None = None,
        *,
        paged: bool = True,
    ) -> Flow[list[M]]:
        """Every entry of list ``key`` across pages, converted."""
        flow = self._pages(action, items_of(key), params, paged=paged)
        found: list[M] = yield from collect(flow, convert)
        return found

    def _instances(self, params: Mapping[str, Any] | None, *, paged: bool) -> Flow[None]:
        return self._pages("DescribeInstances", _instances, params, paged=paged)
