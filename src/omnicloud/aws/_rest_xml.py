"""The AWS REST-XML protocol (Route53) as flows: ``METHOD /{version}/path?query`` with XML
bodies, signed with SigV4, answers read namespace-agnostically, errors and throttling as in
:mod:`omnicloud.aws._send`, and marker paging as lazy listings.

Request documents are built from plain values by :func:`to_xml`: a mapping gives child
elements, a list repeats its key's element (``{"Changes": {"Change": [a, b]}}``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from omnicloud._flow import Emit
from omnicloud.aws._errors import error_from
from omnicloud.aws._regions import signing_region
from omnicloud.aws._send import send_signed
from omnicloud.aws._sigv4 import Credentials, sign_headers, uri_encode
from omnicloud.aws._xml import child, parse_xml, text_of
from omnicloud.aws.credentials import CredentialProvider
from omnicloud.errors import ConfigurationError, MalformedResponseError
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

    from omnicloud._flow import Flow

    Query: TypeAlias = Sequence[tuple[str, str]]

__all__ = [
    "HOSTED_ZONE_PAGES",
    "RECORD_PAGES",
    "RestXmlService",
    "build_request",
    "call",
    "marker_pages",
    "paginate",
    "to_xml",
]


@dataclass(slots=True)
class RestXmlService:
    """How to call one REST-XML service (no secrets shown): ``service`` is the signing name,
    ``version`` the API version that starts every path, ``namespace`` the request documents'."""

    service: str
    version: str
    endpoint: str
    region: str
    credentials: CredentialProvider
    namespace: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    redactor: Redactor = field(default_factory=Redactor)
    _base: str = field(init=False, default="")

    def __post_init__(self) -> None:
        parts = urlsplit(self.endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(
                f"{self.service} endpoint must be an http(s) URL, not {self.endpoint!r}"
            )
        self._base = self.endpoint.rstrip("/")

    def url(self, path: str, query: Query = ()) -> str:
        """The URL of ``path`` (``/hostedzone/Z1``) under the API version, with ``query``."""
        encoded = uri_encode(f"/{self.version}/{path.lstrip('/')}", keep_slash=True)
        if not query:
            return self._base + encoded
        pairs = "&".join(f"{uri_encode(k)}={uri_encode(v)}" for k, v in query)
        return f"{self._base}{encoded}?{pairs}"

    def __repr__(self) -> str:
        return (
            f"RestXmlService(service={self.service!r}, endpoint={self._base!r}, "
            f"credentials={self.credentials!r})"
        )


def to_xml(name: str, value: Any, namespace: str = "") -> bytes:
    """A request document ``<name xmlns=namespace>`` from plain values (booleans as
    ``true``/``false``, None left out)."""
    from xml.etree import ElementTree

    def fill(element: Any, content: Any) -> None:
        if isinstance(content, Mapping):
            for key, inner in content.items():
                for item in inner if isinstance(inner, list | tuple) else [inner]:
                    if item is not None:
                        fill(ElementTree.SubElement(element, key), item)
        elif isinstance(content, bool):
            element.text = "true" if content else "false"
        else:
            element.text = str(content)

    root = ElementTree.Element(name, {"xmlns": namespace} if namespace else {})
    fill(root, value)
    body: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def build_request(
    service: RestXmlService,
    method: str,
    path: str,
    credentials: Credentials,
    *,
    query: Query = (),
    body: bytes | None = None,
    idempotent: bool,
    operation: str = "",
) -> HttpRequest:
    """One signed request (the payload hashed into the signature)."""
    url = service.url(path, query)
    headers = {"Content-Type": "application/xml"} if body is not None else {}
    headers.update(
        sign_headers(
            method,
            url,
            headers,
            credentials=credentials,
            region=signing_region(service.service, service.region),
            service=service.service,
            payload_hash=hashlib.sha256(body or b"").hexdigest(),
        )
    )
    return HttpRequest(
        method=method,
        url=url,
        headers=headers,
        content=body,
        operation=operation or f"{service.service} {method} {path}",
        idempotent=idempotent,
    )


def call(
    service: RestXmlService,
    method: str,
    path: str,
    *,
    query: Query = (),
    body: bytes | None = None,
    idempotent: bool | None = None,
    operation: str = "",
) -> Flow[Any]:
    """Send one request; the answer's root element (None for an empty answer).

    ``idempotent`` defaults to the method's nature (GET and DELETE are; a POST is not unless
    it carries its own idempotency token, as Route53's ``CallerReference``: say so).
    """
    if idempotent is None:
        idempotent = method.upper() in ("GET", "HEAD", "DELETE", "PUT")
    label = operation or f"{service.service} {method} {path}"

    def build(credentials: Credentials) -> HttpRequest:
        return build_request(
            service, method, path, credentials, query=query, body=body,
            idempotent=bool(idempotent), operation=label,
        )  # fmt: skip

    def parse(response: HttpResponse) -> Any:
        if not 200 <= response.status < 300:
            raise error_from(response, label, service.service)
        if not response.content.strip():
            return None
        return parse_xml(response.content, status=response.status)

    return (yield from send_signed(service, build, parse))


#: Given a page, the query that fetches the next one (None: it was the last).
NextQuery = Callable[[Any], list[tuple[str, str]] | None]


def marker_pages(param: str = "marker", field: str = "NextMarker") -> NextQuery:
    """Paging by ``IsTruncated`` and a marker (``ListHostedZones``)."""

    def following(root: Any) -> list[tuple[str, str]] | None:
        if text_of(root, "IsTruncated") != "true":
            return None
        marker = text_of(root, field)
        return [(param, marker)] if marker else None

    return following


def _record_pages(root: Any) -> list[tuple[str, str]] | None:
    """``ListResourceRecordSets``: the next record's name, type and set identifier."""
    if text_of(root, "IsTruncated") != "true":
        return None
    pairs = [
        (param, value)
        for param, name in (
            ("name", "NextRecordName"),
            ("type", "NextRecordType"),
            ("identifier", "NextRecordIdentifier"),
        )
        if (value := text_of(root, name))
    ]
    return pairs or None


HOSTED_ZONE_PAGES = marker_pages()
RECORD_PAGES: NextQuery = _record_pages


def list_of(key: str) -> Callable[[Any], list[Any]]:
    """Page reader: the child elements of list ``key`` (``HostedZones``)."""

    def extract(root: Any) -> list[Any]:
        found = child(root, key)
        return list(found) if found is not None else []

    return extract


def paginate(
    service: RestXmlService,
    path: str,
    extract: Callable[[Any], Sequence[Any]],
    following: NextQuery,
    *,
    query: Query = (),
    page_size: int | None = None,
    size_param: str = "maxitems",
) -> Flow[None]:
    """Emit ``extract(root)`` for every page of ``GET path``, fetching a page only when the
    previous one is consumed; a repeated next-page query raises MalformedResponseError."""
    base = [*query, *([(size_param, str(page_size))] if page_size else [])]
    extra: list[tuple[str, str]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    while True:
        root = yield from call(service, "GET", path, query=[*base, *extra], idempotent=True)
        items = extract(root) if root is not None else []
        nxt = following(root) if root is not None else None
        del root
        if items:
            yield Emit(items)
        del items
        if nxt is None:
            return
        key = tuple(nxt)
        if key in seen:
            raise MalformedResponseError(
                f"{service.service} GET {path}: the server repeated a page marker; stopping"
            )
        seen.add(key)
        extra = nxt
