"""S3 protocol: endpoints and addressing, signed requests, and error documents to exceptions."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from omnicloud.aws._sigv4 import (
    EMPTY_SHA256,
    UNSIGNED_PAYLOAD,
    Credentials,
    presign_url,
    sign_headers,
    uri_encode,
)
from omnicloud.aws._xml import parse_xml, text_of
from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    MalformedResponseError,
    OmnicloudError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
)
from omnicloud.http._models import HttpRequest, HttpResponse
from omnicloud.http._streaming import Pieces
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

__all__ = ["S3Endpoint", "content_md5", "error_from_response"]

_CODE_ERRORS: dict[str, type[ProviderError]] = {
    "NoSuchBucket": ContainerDoesNotExistError,
    "NoSuchKey": ObjectDoesNotExistError,
    "BucketAlreadyOwnedByYou": ContainerAlreadyExistsError,
    "BucketAlreadyExists": ContainerAlreadyExistsError,
    "BucketNotEmpty": ContainerIsNotEmptyError,
    "InvalidAccessKeyId": InvalidCredentialsError,
    "SignatureDoesNotMatch": InvalidCredentialsError,
    "InvalidToken": InvalidCredentialsError,
    "ExpiredToken": InvalidCredentialsError,
    "AccessDenied": PermissionDeniedError,
    "SlowDown": RateLimitedError,
    "BadDigest": ObjectHashMismatchError,
    "InvalidDigest": ObjectHashMismatchError,
    "XAmzContentSHA256Mismatch": ObjectHashMismatchError,
    "InvalidRange": InvalidRangeError,
}


def content_md5(data: bytes | Pieces) -> tuple[str, str]:
    """The MD5 of ``data`` as hex (to compare with ETags) and as base64 (``Content-MD5``)."""
    hasher = hashlib.md5(usedforsecurity=False)
    for piece in [data] if isinstance(data, bytes) else data:
        hasher.update(piece)
    digest = hasher.digest()
    return digest.hex(), base64.b64encode(digest).decode("ascii")


def error_from_response(
    response: HttpResponse, operation: str, missing: str = "object"
) -> OmnicloudError:
    """The exception for an S3 error answer. ``missing`` says what a bare 404 means
    (``"container"`` or ``"object"``; HEAD answers carry no error document)."""
    code: str | None = None
    message = ""
    if response.content:
        try:
            root = parse_xml(response.content, status=response.status)
        except MalformedResponseError:
            root = None
        if root is not None:
            code = text_of(root, "Code")
            message = text_of(root, "Message") or ""
    cls = _CODE_ERRORS.get(code or "")
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
            provider="s3",
        )
    return cls(text, status=response.status, code=code, provider="s3")


#: S3's limit on key length, in bytes of UTF-8.
MAX_KEY_BYTES = 1024


def _encoded_key(key: str) -> str:
    """``key`` percent-encoded for the path, or :class:`InvalidObjectNameError` for a key that
    S3 cannot hold (empty, over 1024 bytes of UTF-8, not encodable as UTF-8)."""
    if not key:
        raise InvalidObjectNameError("S3 object names must not be empty")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidObjectNameError(f"S3 object name {key!r} is not valid UTF-8") from None
    if size > MAX_KEY_BYTES:
        raise InvalidObjectNameError(
            f"S3 object names are at most {MAX_KEY_BYTES} bytes of UTF-8, not {size}"
        )
    return uri_encode(key, keep_slash=True)


def _status_error(status: int, missing: str) -> type[ProviderError]:
    if status == 404:
        return ContainerDoesNotExistError if missing == "container" else ObjectDoesNotExistError
    if status == 401:
        return InvalidCredentialsError
    if status == 403:
        return PermissionDeniedError
    if status == 429:
        return RateLimitedError
    return StorageError


@dataclass(slots=True)
class S3Endpoint:
    """Where and how to reach an S3-compatible service, and how to sign for it.

    ``endpoint`` defaults to AWS's regional endpoint. ``addressing`` is ``"path"``
    (``host/bucket/key``), ``"virtual"`` (``bucket.host/key``) or ``"auto"``: virtual-hosted on
    AWS for DNS-safe names, path-style for custom endpoints (MinIO, Ceph, Swift, moto...).
    """

    credentials: Credentials
    region: str = "us-east-1"
    endpoint: str | None = None
    addressing: str = "auto"
    sign_payload: bool = False
    service: str = "s3"
    _base: str = field(init=False, default="")

    def __post_init__(self) -> None:
        if self.addressing not in ("auto", "path", "virtual"):
            raise ConfigurationError("addressing must be 'auto', 'path' or 'virtual'")
        base = self.endpoint or f"https://s3.{self.region}.amazonaws.com"
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"S3 endpoint must be an http(s) URL, not {base!r}")
        self._base = base.rstrip("/")

    def __repr__(self) -> str:
        return (
            f"S3Endpoint(endpoint={self._base!r}, region={self.region!r}, "
            f"access_key={self.credentials.access_key!r})"
        )

    def _virtual(self, bucket: str) -> bool:
        if self.addressing == "path":
            return False
        if self.addressing == "virtual":
            return True
        host = urlsplit(self._base).hostname or ""
        dns_safe = bucket == bucket.lower() and "." not in bucket and "_" not in bucket
        return host.endswith(".amazonaws.com") and dns_safe

    def url(self, bucket: str | None = None, key: str | None = None) -> str:
        """The request URL (no query) for the service, a bucket or an object.

        The key goes into the path exactly (``a/../b`` stays ``a/../b``: the HTTP layer keeps
        dot segments); names no S3 store can hold raise before anything is sent.
        """
        if bucket is None:
            return self._base + "/"
        if not bucket:
            raise InvalidContainerNameError("bucket name must not be empty")
        path = "/" + _encoded_key(key) if key is not None else "/"
        if self._virtual(bucket):
            parts = urlsplit(self._base)
            netloc = f"{bucket}.{parts.netloc}"
            return f"{parts.scheme}://{netloc}{parts.path}{path}"
        return f"{self._base}/{uri_encode(bucket)}{path if key is not None else ''}"

    def request(
        self,
        method: str,
        bucket: str | None = None,
        key: str | None = None,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Pieces | None = None,
        operation: str = "",
        idempotent: bool | None = None,
    ) -> HttpRequest:
        """A signed request. In-memory bodies are hashed when ``sign_payload`` is set."""
        url = self.url(bucket, key)
        if query:
            url += "?" + "&".join(
                f"{uri_encode(name)}={uri_encode(value)}" if value is not None else name
                for name, value in query
            )
        if content is None:
            payload = EMPTY_SHA256
        elif self.sign_payload:
            hasher = hashlib.sha256()
            for piece in [content] if isinstance(content, bytes) else content:
                hasher.update(piece)
            payload = hasher.hexdigest()
        else:
            payload = UNSIGNED_PAYLOAD
        headers = dict(headers or {})
        if isinstance(content, Pieces):
            headers["Content-Length"] = str(content.length)
        headers.update(
            sign_headers(
                method,
                url,
                headers,
                credentials=self.credentials,
                region=self.region,
                service=self.service,
                payload_hash=payload,
                content_sha256_header=True,
            )
        )
        return HttpRequest(
            method=method,
            url=url,
            headers=headers,
            content=content,
            operation=operation or f"s3 {method}",
            idempotent=idempotent,
        )

    def presign(
        self,
        method: str,
        bucket: str,
        key: str,
        expires: int,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A presigned URL for ``method`` on an object."""
        return presign_url(
            method,
            self.url(bucket, key),
            credentials=self.credentials,
            region=self.region,
            service=self.service,
            expires=expires,
            headers=headers,
        )
