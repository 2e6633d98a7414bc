"""The AWS Query and EC2 protocols as flows: form-encoded actions signed with SigV4, XML answers
read namespace-agnostically, error codes mapped, throttling retried, ``NextToken`` paging.

Both protocols POST ``Action=...&Version=...`` and the parameters, flattened: a list is
``Name.1``, ``Name.2``... (EC2) or ``Name.member.1``... (Query: ELBv2, IAM, STS), a mapping is
``Name.Key``. Nothing here does I/O: the clients and drivers run these flows sync or async.

Retries, in one place each: the HTTP layer (:func:`~omnicloud.http._retry.send_parsed`) resends
after transport failures, 429s and (idempotent calls only) gateway errors;
:mod:`omnicloud.aws._send` adds AWS's throttling codes (``RequestLimitExceeded``,
``Throttling``...), which AWS answers before doing anything, so every call is re-signed and
sent again with backoff. A call with a
``ClientToken`` is idempotent on AWS's side (a repeat returns the first result), so it is
marked idempotent and the same token goes out on every attempt.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit

from omnicloud._flow import Emit
from omnicloud.aws._errors import error_from
from omnicloud.aws._send import send_signed
from omnicloud.aws._sigv4 import Credentials, sign_headers
from omnicloud.aws._xml import child, local_name, parse_xml
from omnicloud.aws.credentials import CredentialProvider
from omnicloud.errors import ConfigurationError, MalformedResponseError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    from omnicloud._flow import Flow

    Params: TypeAlias = Mapping[str, Any] | Sequence[tuple[str, Any]]

__all__ = [
    "EC2_PAGES",
    "Pages",
    "QueryService",
    "build_request",
    "call",
    "encode_params",
    "is_read",
    "new_client_token",
    "paginate",
    "result_of",
]

_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass(slots=True)
class QueryService:
    """How to call one Query/EC2-protocol service (no secrets are held or shown here).

    ``service`` is the signing name (``"ec2"``), ``version`` the API version, ``ec2`` picks
    EC2's list encoding, ``client_token_actions`` the actions that get a ``ClientToken``
    automatically, and ``redactor`` learns every secret the provider hands out.
    """

    service: str
    version: str
    endpoint: str
    region: str
    credentials: CredentialProvider
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    ec2: bool = True
    client_token_actions: frozenset[str] = frozenset()
    _url: str = field(init=False, default="")

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"{self.service} endpoint must be an http(s) URL, not {self.endpoint!r}"
            )
        self._url = parts._replace(path=parts.path or "/", query="", fragment="").geturl()

    @property
    def url(self) -> str:
        """The URL every action is POSTed to."""
        return self._url

    def __repr__(self) -> str:
        return (
            f"QueryService(service={self.service!r}, endpoint={self._url!r}, "
            f"region={self.region!r}, credentials={self.credentials!r})"
        )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(prefix: str, value: Any, ec2: bool, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}", inner, ec2, out)
    elif isinstance(value, list | tuple | set | frozenset):
        infix = "" if ec2 else ".member"
        for index, inner in enumerate(value, 1):
            _flatten(f"{prefix}{infix}.{index}", inner, ec2, out)
    else:
        out.append((prefix, _scalar(value)))


def encode_params(params: Params | None, *, ec2: bool = True) -> list[tuple[str, str]]:
    """Parameters as wire pairs: ``{"Filter": [{"Name": "x", "Value": ["a"]}]}`` becomes
    ``Filter.1.Name=x``, ``Filter.1.Value.1=a`` (EC2; the Query protocol adds ``.member``).
    None values are left out; booleans are ``true``/``false``."""
    out: list[tuple[str, str]] = []
    items = params.items() if isinstance(params, Mapping) else (params or ())
    for name, value in items:
        _flatten(name, value, ec2, out)
    return out


_PLAIN = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def form_encode(pairs: Sequence[tuple[str, str]]) -> bytes:
    """``application/x-www-form-urlencoded`` bytes of ``pairs``, as ``urlencode`` writes them
    (``quote_plus``), with the common case of nothing to escape kept as it is."""
    return "&".join(f"{_escaped(name)}={_escaped(value)}" for name, value in pairs).encode()


def _escaped(text: str) -> str:
    return text if _PLAIN(text) else quote_plus(text)


def new_client_token() -> str:
    """A fresh idempotency token (AWS allows up to 64 ASCII characters)."""
    return str(uuid.uuid4())


def is_read(action: str) -> bool:
    """Whether ``action`` only reads (``Describe*``, ``List*``, ``Get*``): safe to resend."""
    return action.startswith(("Describe", "List", "Get"))


def build_request(
    service: QueryService,
    action: str,
    pairs: Sequence[tuple[str, str]],
    credentials: Credentials,
    *,
    idempotent: bool,
) -> HttpRequest:
    """One signed POST of ``action`` with wire ``pairs``."""
    from omnicloud.aws._regions import signing_region

    body = form_encode([("Action", action), ("Version", service.version), *pairs])
    headers = {"Content-Type": _CONTENT_TYPE}
    headers.update(
        sign_headers(
            "POST",
            service.url,
            headers,
            credentials=credentials,
            region=signing_region(service.service, service.region),
            service=service.service,
            payload_hash=hashlib.sha256(body).hexdigest(),
        )
    )
    return HttpRequest(
        method="POST",
        url=service.url,
        headers=headers,
        content=body,
        operation=f"{service.service} {action}",
        idempotent=idempotent,
    )


def _parser(operation: str, provider: str) -> Callable[[HttpResponse], Any]:
    def parse(response: HttpResponse) -> Any:
        if not 200 <= response.status < 300:
            raise error_from(response, operation, provider)
        return parse_xml(response.content, status=response.status)

    return parse


def call(
    service: QueryService,
    action: str,
    params: Params | None = None,
    *,
    idempotent: bool | None = None,
    client_token: bool | None = None,
) -> Flow[Any]:
    """Run ``action`` and return the answer's root element (any namespace).

    ``client_token`` (default: whether ``action`` is one of the service's token actions) adds a
    ``ClientToken`` unless the parameters carry one; such a call, and every read, is
    ``idempotent`` unless told otherwise.
    """
    pairs = encode_params(params, ec2=service.ec2)
    if client_token is None:
        client_token = action in service.client_token_actions
    if client_token and not any(name == "ClientToken" for name, _ in pairs):
        pairs.append(("ClientToken", new_client_token()))
    if idempotent is None:
        idempotent = is_read(action) or any(name == "ClientToken" for name, _ in pairs)
    parse = _parser(f"{service.service} {action}", service.service)

    def build(credentials: Credentials) -> HttpRequest:
        return build_request(service, action, pairs, credentials, idempotent=idempotent)

    return (yield from send_signed(service, build, parse))


def result_of(root: Any) -> Any:
    """The part of an answer that holds its data: the Query protocol's ``<ActionResult>``,
    or the root itself (EC2)."""
    for element in root:
        if local_name(element.tag).endswith("Result"):
            return element
    return root


@dataclass(frozen=True, slots=True)
class Pages:
    """How a service pages: the request's token and size parameters, the answer's token."""

    token_param: str = "NextToken"
    token_fields: tuple[str, ...] = ("nextToken", "NextToken")
    size_param: str = "MaxResults"


#: EC2 (and most Query services): ``MaxResults``/``NextToken`` in, ``nextToken`` out.
EC2_PAGES = Pages()


def _next_token(root: Any, pages: Pages) -> str | None:
    holder = result_of(root)
    for name in pages.token_fields:
        found = child(holder, name)
        if found is not None and (found.text or "").strip():
            return str(found.text).strip()
    return None


def paginate(
    service: QueryService,
    action: str,
    params: Params | None,
    extract: Callable[[Any], Sequence[Any]],
    *,
    page_size: int | None = None,
    pages: Pages = EC2_PAGES,
) -> Flow[None]:
    """Emit ``extract(root)`` for every page of ``action``, fetching each page when the caller
    has consumed the previous one. ``page_size`` None sends no size (the server's default);
    a token the server repeats raises :class:`MalformedResponseError` instead of looping."""
    base = encode_params(params, ec2=service.ec2)
    if page_size is not None:
        base.append((pages.size_param, str(page_size)))
    token: str | None = None
    seen: set[str] = set()
    while True:
        pairs = [*base, (pages.token_param, token)] if token else base
        root = yield from call(service, action, pairs, idempotent=True)
        items = extract(root)
        following = _next_token(root, pages)
        del root
        if items:
            yield Emit(items)
        del items
        if following is None:
            return
        if following in seen:
            raise MalformedResponseError(
                f"{service.service} {action}: the server repeated a page token; stopping"
            )
        seen.add(following)
        token = following
