"""The Blob service's wire: URLs for containers and blobs, signed requests, XML documents, and
error answers to omnicloud exceptions.

Blob names go into the path percent-encoded (``/`` kept). A name with a ``.`` or ``..`` segment
(``/`` or ``\\`` separated) is refused before anything is sent: URL dot segments are resolved by
HTTP clients, proxies and by the service itself, so ``logs/../victim`` could otherwise address
``victim``.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

from omnicloud._safe_xml import parse_xml
from omnicloud.azure._account import AzureAccount
from omnicloud.azure._signing import http_date, shared_key_authorization
from omnicloud.errors import (
    InvalidCredentialsError,
    MalformedResponseError,
    OmnicloudError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries
from omnicloud.http._retry import send_parsed
from omnicloud.http._streaming import Pieces
from omnicloud.storage._names import check_utf8
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    InvalidObjectNameError,
    InvalidRangeError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
    StorageError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

__all__ = [
    "API_VERSION",
    "MAX_BLOB_NAME",
    "BlobService",
    "check_blob_name",
    "content_md5",
    "error_from_response",
    "parse_xml",
]

#: The ``x-ms-version`` of every request (Azurite 3.35 serves it).
API_VERSION = "2021-08-06"
#: The service's limit on blob names, in characters.
MAX_BLOB_NAME = 1024
PROVIDER = "azure_blobs"

_CODE_ERRORS: dict[str, type[ProviderError]] = {
    "ContainerNotFound": ContainerDoesNotExistError,
    "BlobNotFound": ObjectDoesNotExistError,
    "ContainerAlreadyExists": ContainerAlreadyExistsError,
    "ContainerBeingDeleted": ContainerAlreadyExistsError,
    "ContainerNotEmpty": ContainerIsNotEmptyError,
    "AuthenticationFailed": InvalidCredentialsError,
    "InvalidAuthenticationInfo": InvalidCredentialsError,
    "AuthorizationFailure": PermissionDeniedError,
    "AuthorizationPermissionMismatch": PermissionDeniedError,
    "AuthorizationResourceTypeMismatch": PermissionDeniedError,
    "AuthorizationServiceMismatch": PermissionDeniedError,
    "InsufficientAccountPermissions": PermissionDeniedError,
    "ServerBusy": RateLimitedError,
    "Md5Mismatch": ObjectHashMismatchError,
    "InvalidMd5": ObjectHashMismatchError,
    "InvalidRange": InvalidRangeError,
}


class SizedBody(Iterable[bytes], Sized, Protocol):
    """A request body sent as it is iterated, whose length is known in advance."""


def content_md5(data: bytes | Pieces) -> tuple[str, str]:
    """The MD5 of ``data`` as hex and as base64 (``Content-MD5``)."""
    hasher = hashlib.md5(usedforsecurity=False)
    for piece in [data] if isinstance(data, bytes) else data:
        hasher.update(piece)
    digest = hasher.digest()
    return digest.hex(), base64.b64encode(digest).decode("ascii")


def md5_hex(value: str | None) -> str | None:
    """A base64 ``Content-MD5`` as hex (None when absent or not an MD5)."""
    if not value:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        return None
    return raw.hex() if len(raw) == 16 else None


def check_blob_name(name: str) -> str:
    """``name`` if the service can hold it and it can address no other blob; else
    :class:`InvalidObjectNameError` (empty, too long, not UTF-8, a ``.``/``..`` segment)."""
    if not isinstance(name, str) or not name:
        raise InvalidObjectNameError("Azure blob names must not be empty")
    check_utf8(name)
    if len(name) > MAX_BLOB_NAME:
        raise InvalidObjectNameError(f"Azure blob names are at most {MAX_BLOB_NAME} characters")
    for segment in name.replace("\\", "/").split("/"):
        if segment in (".", ".."):
            raise InvalidObjectNameError(
                f"blob name {name!r} has a '.' or '..' segment, which URLs resolve away"
            )
    return name


def check_container_name(name: str) -> str:
    """A container name fit for one path segment."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or "?" in name:
        raise InvalidContainerNameError(f"invalid Azure container name {name!r}")
    check_utf8(name, "container")
    return name


def error_from_response(
    response: HttpResponse, operation: str, missing: str = "object"
) -> OmnicloudError:
    """The exception for an error answer: its code (the document's ``<Code>`` or the
    ``x-ms-error-code`` header, which HEAD answers carry alone) decides the class."""
    code = response.headers.get("x-ms-error-code") or None
    message = ""
    if response.content:
        try:
            root = parse_xml(response.content, status=response.status)
        except MalformedResponseError:
            root = None
        if root is not None:
            code = _text(root, "Code") or code
            message = (_text(root, "Message") or "").split("\n", 1)[0].strip()
    cls = _CODE_ERRORS.get(code or "")
    if code == "AuthorizationFailure" and "failed to authenticate" in message.lower():
        cls = InvalidCredentialsError  # the emulator's answer to a wrong signature
    if code == "InvalidOperation" and "md5" in message.lower():
        cls = ObjectHashMismatchError  # the emulator's answer to a block's wrong Content-MD5
    if cls is None:
        cls = _status_error(response.status, missing)
    text = f"{operation}: HTTP {response.status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message}"
    if cls is RateLimitedError:
        from omnicloud.http._retry import retry_after_header

        return RateLimitedError(
            text,
            retry_after=retry_after_header(response),
            status=response.status,
            code=code,
            provider=PROVIDER,
        )
    return cls(text, status=response.status, code=code, provider=PROVIDER)


def _status_error(status: int, missing: str) -> type[ProviderError]:
    if status == 404:
        return ContainerDoesNotExistError if missing == "container" else ObjectDoesNotExistError
    if status == 401:
        return InvalidCredentialsError
    if status == 403:
        return PermissionDeniedError
    if status == 416:
        return InvalidRangeError
    if status == 429:
        return RateLimitedError
    return StorageError


def _text(element: Any, name: str) -> str | None:
    for item in element:
        if item.tag.rsplit("}", 1)[-1] == name:
            return str(item.text or "")
    return None


@dataclass(slots=True)
class BlobService:
    """An account's Blob service: builds and signs requests (Shared Key, or the SAS appended)."""

    account: AzureAccount
    redactor: Redactor | None = None
    clock: Callable[[], float] | None = None

    def __post_init__(self) -> None:
        if self.redactor is not None:
            if self.account.secret is not None:
                self.redactor.add(self.account.secret, self.account.secret.strip())
            if self.account.sas:
                from urllib.parse import parse_qsl

                for name, value in parse_qsl(self.account.sas):
                    if name == "sig":
                        self.redactor.add(value, quote(value, safe=""))

    def __repr__(self) -> str:
        return f"BlobService({self.account!r})"

    def url(self, container: str | None = None, blob: str | None = None) -> str:
        """The URL (no query) of the service, a container or a blob."""
        base = self.account.blob_url
        if container is None:
            return base + "/"
        path = "/" + quote(check_container_name(container), safe="")
        if blob is not None:
            path += "/" + quote(check_blob_name(blob), safe="/~")
        return base + path

    def request(
        self,
        method: str,
        container: str | None = None,
        blob: str | None = None,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Pieces | SizedBody | None = None,
        operation: str = "",
        idempotent: bool | None = None,
        stream: bool = False,
    ) -> HttpRequest:
        """A request authorized by the account key (``Authorization: SharedKey``) or its SAS."""
        url = self.url(container, blob)
        pairs = list(query or [])
        if pairs:
            url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        sent = dict(headers or {})
        sent["x-ms-version"] = API_VERSION
        when = self.clock() if self.clock is not None else None
        sent["x-ms-date"] = http_date(when)
        if isinstance(content, Pieces):
            sent["Content-Length"] = str(content.length)
        elif isinstance(content, bytes | Sized):
            sent["Content-Length"] = str(len(content))
        elif method in ("PUT", "POST"):
            sent["Content-Length"] = "0"
        key = self.account.key
        if key is not None:
            sent["Authorization"] = shared_key_authorization(
                method, url, sent, self.account.name, key
            )
        elif self.account.sas:
            url += ("&" if "?" in url else "?") + self.account.sas
        return HttpRequest(
            method=method,
            url=url,
            headers=sent,
            content=content,
            operation=operation or f"azure {method}",
            idempotent=idempotent,
            stream=stream,
        )

    def send(
        self,
        retry: RetryPolicy,
        method: str,
        container: str | None = None,
        blob: str | None = None,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Pieces | SizedBody | None = None,
        operation: str = "",
        idempotent: bool | None = None,
        parse: Callable[[HttpResponse], tuple[HttpResponse, Any]] | None = None,
    ) -> Flow[Any]:
        """Sign and send under ``retry``: the response, or ``parse(response)``."""
        request = self.request(
            method, container, blob, query=query, headers=headers, content=content,
            operation=operation, idempotent=idempotent,
        )  # fmt: skip
        if parse is None:
            return (yield from send_with_retries(request, retry))
        return (yield from send_parsed(request, retry, parse))
