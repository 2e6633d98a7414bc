"""S3 protocol: endpoints and addressing, signed requests, and error documents to exceptions."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from omnicloud._flow import Call
from omnicloud.aws._sigv4 import (
    EMPTY_SHA256,
    UNSIGNED_PAYLOAD,
    Credentials,
    presign_url,
    sign_headers,
    uri_encode,
)
from omnicloud.aws._xml import parse_xml, text_of
from omnicloud.aws.credentials import CredentialProvider, StaticCredentials
from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    MalformedResponseError,
    OmnicloudError,
    PermissionDeniedError,
    ProviderError,
    RateLimitedError,
    ValidationError,
)
from omnicloud.http import HttpRequest, HttpResponse, Redactor, RetryPolicy, send_with_retries
from omnicloud.http._retry import send_parsed
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

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow

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
    region = response.headers.get("x-amz-bucket-region")
    if response.content:
        try:
            root = parse_xml(response.content, status=response.status)
        except MalformedResponseError:
            root = None
        if root is not None:
            code = text_of(root, "Code")
            message = text_of(root, "Message") or ""
            region = text_of(root, "Region") or region
    cls = _CODE_ERRORS.get(code or "")
    if cls is None:
        cls = _status_error(response.status, missing)
    text = f"{operation}: HTTP {response.status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message}"
    if region and (response.status in _REDIRECT_STATUSES or code in _REDIRECT_CODES):
        text += f" (the bucket is in region {region})"
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


#: Error codes that say "this bucket lives in another region" (botocore's redirector's list).
_REDIRECT_CODES = frozenset(
    {"PermanentRedirect", "TemporaryRedirect", "IllegalLocationConstraintException"}
)
_REDIRECT_STATUSES = frozenset({301, 302, 307})
#: AWS's hosts: the default endpoints, whose host changes with the region.
_AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")


def _error_fields(response: HttpResponse) -> tuple[str | None, str | None]:
    """``Code`` and ``Region`` of an S3 error document (None where absent or unreadable)."""
    if not response.content:
        return None, None
    try:
        root = parse_xml(response.content, status=response.status)
    except MalformedResponseError:
        return None, None
    return text_of(root, "Code"), text_of(root, "Region")


def _default_base(region: str) -> str:
    """AWS's S3 endpoint for ``region`` (``.amazonaws.com.cn`` in China); a name that is not
    shaped like a region raises :class:`~omnicloud.errors.ValidationError`."""
    from omnicloud.aws._regions import endpoint_url

    return endpoint_url("s3", region)


@dataclass(slots=True)
class S3Endpoint:
    """Where and how to reach an S3-compatible service, and how to sign for it.

    ``credentials`` are fixed :class:`Credentials` or a
    :class:`~omnicloud.aws.credentials.CredentialProvider` (the AWS chain: loaded when the first
    request needs them, through a ``Call`` effect). ``endpoint`` defaults to AWS's regional
    endpoint. ``addressing`` is ``"path"`` (``host/bucket/key``), ``"virtual"``
    (``bucket.host/key``) or ``"auto"``: virtual-hosted on AWS for DNS-safe names, path-style
    for custom endpoints (MinIO, Ceph, Swift, moto...).

    Buckets in another region: :meth:`send` follows S3's answers the way boto3 does (301
    ``PermanentRedirect``, 400 ``AuthorizationHeaderMalformed`` with a ``<Region>``, the
    ``x-amz-bucket-region`` header, else a ``HeadBucket`` asking for it): the request is signed
    again for that region (on AWS, sent to that region's host; a custom endpoint stays) and
    resent once, and the bucket's region is remembered for every later request and presigned URL
    of this endpoint.
    """

    credentials: Credentials | CredentialProvider
    region: str = "us-east-1"
    endpoint: str | None = None
    addressing: str = "auto"
    sign_payload: bool = False
    service: str = "s3"
    redactor: Redactor | None = None
    _base: str = field(init=False, default="")
    _provider: CredentialProvider = field(init=False, repr=False)
    _regions: dict[str, str] = field(init=False, default_factory=dict, repr=False)
    _learnt: Credentials | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if self.addressing not in ("auto", "path", "virtual"):
            raise ConfigurationError("addressing must be 'auto', 'path' or 'virtual'")
        if isinstance(self.credentials, Credentials):
            self._provider = StaticCredentials(self.credentials)
        else:
            self._provider = self.credentials
        base = self.endpoint or _default_base(self.region)
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigurationError(f"S3 endpoint must be an http(s) URL, not {base!r}")
        self._base = base.rstrip("/")

    def __repr__(self) -> str:
        return (
            f"S3Endpoint(endpoint={self._base!r}, region={self.region!r}, "
            f"credentials={self._provider!r})"
        )

    @property
    def provider(self) -> CredentialProvider:
        """Where the credentials come from."""
        return self._provider

    # regions ----------------------------------------------------------------------------------
    def bucket_region(self, bucket: str | None) -> str:
        """The region requests for ``bucket`` are signed for: the one learnt, else the
        endpoint's."""
        if bucket is None:
            return self.region
        return self._regions.get(bucket, self.region)

    def remember(self, bucket: str, region: str | None) -> None:
        """Sign requests for ``bucket`` for ``region`` from now on (None: the endpoint's)."""
        if region is None or region == self.region:
            self._regions.pop(bucket, None)
        else:
            self._regions[bucket] = region

    def _base_for(self, region: str) -> str:
        """The service URL for ``region``: AWS's regional host, or the custom endpoint."""
        if self.endpoint is not None or region == self.region:
            return self._base
        return _default_base(region)

    def _virtual(self, bucket: str, base: str) -> bool:
        if self.addressing == "path":
            return False
        if self.addressing == "virtual":
            return True
        host = urlsplit(base).hostname or ""
        dns_safe = bucket == bucket.lower() and "." not in bucket and "_" not in bucket
        return host.endswith(_AWS_SUFFIXES) and dns_safe

    def url(self, bucket: str | None = None, key: str | None = None) -> str:
        """The request URL (no query) for the service, a bucket or an object.

        The key goes into the path exactly (``a/../b`` stays ``a/../b``: the HTTP layer keeps
        dot segments); names no S3 store can hold raise before anything is sent.
        """
        return self._url(bucket, key, self.bucket_region(bucket))

    def _url(self, bucket: str | None, key: str | None, region: str) -> str:
        base = self._base_for(region)
        if bucket is None:
            return base + "/"
        if not bucket:
            raise InvalidContainerNameError("bucket name must not be empty")
        path = "/" + _encoded_key(key) if key is not None else "/"
        if self._virtual(bucket, base):
            parts = urlsplit(base)
            netloc = f"{bucket}.{parts.netloc}"
            return f"{parts.scheme}://{netloc}{parts.path}{path}"
        return f"{base}/{uri_encode(bucket)}{path if key is not None else ''}"

    # credentials ------------------------------------------------------------------------------
    def _learn(self, credentials: Credentials) -> Credentials:
        """``credentials``, their secrets registered with the redactor (once per new set)."""
        if self.redactor is not None and credentials is not self._learnt:
            self.redactor.add(credentials.secret_key, credentials.token)
            self._learnt = credentials
        return credentials

    def current_credentials(self) -> Credentials:
        """The credentials to sign with now; runs a ``credential_process`` in place if need be
        (flows use :meth:`load_credentials`, which runs it as a ``Call``)."""
        held = self._provider.current()
        return self._learn(held if held is not None else self._provider.load())

    def load_credentials(self) -> Flow[Credentials]:
        """The credentials to sign with, loaded through a blocking ``Call`` only when needed."""
        held = self._provider.current()
        if held is None:
            held = yield Call(self._provider.load)
        return self._learn(held)

    # requests ---------------------------------------------------------------------------------
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
        credentials: Credentials | None = None,
        region: str | None = None,
    ) -> HttpRequest:
        """A signed request, for ``region`` (default: the bucket's). In-memory bodies are
        hashed when ``sign_payload`` is set."""
        region = region or self.bucket_region(bucket)
        url = self._url(bucket, key, region)
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
                credentials=credentials or self.current_credentials(),
                region=region,
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

    def send(
        self,
        retry: RetryPolicy,
        method: str,
        bucket: str | None = None,
        key: str | None = None,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | Pieces | None = None,
        operation: str = "",
        idempotent: bool | None = None,
        parse: Callable[[HttpResponse], tuple[HttpResponse, Any]] | None = None,
        region: str | None = None,
        redirect: bool = True,
    ) -> Flow[Any]:
        """Sign and send a request under ``retry`` (the HTTP layer's safe retries); the answer
        is the response, or ``parse(response)`` (a ``(response, document)`` pair, sent again
        when a 2xx document is malformed, as :func:`send_parsed` does).

        A bucket found in another region (see the class) is asked again, once, signed for it;
        ``redirect=False`` (CreateBucket, whose region is the point) or a fixed ``region`` turn
        that off.
        """
        redirected = not redirect or bucket is None or region is not None
        while True:
            credentials = yield from self.load_credentials()
            used = region or self.bucket_region(bucket)
            request = self.request(
                method, bucket, key, query=query, headers=headers, content=content,
                operation=operation, idempotent=idempotent, credentials=credentials, region=used,
            )  # fmt: skip
            if parse is None:
                result: Any = yield from send_with_retries(request, retry)
                response = result
            else:
                result = yield from send_parsed(request, retry, parse)
                response = result[0]
            if redirected or response.status < 300 or bucket is None:
                return result
            found = yield from self.region_of_redirect(
                retry, request, bucket, response, used, whole_bucket=key is None
            )
            if found is None:
                return result
            self.remember(bucket, found)
            redirected = True

    def region_of_redirect(
        self,
        retry: RetryPolicy,
        request: HttpRequest,
        bucket: str,
        response: HttpResponse,
        used: str,
        *,
        whole_bucket: bool = False,
    ) -> Flow[str | None]:
        """The region ``response`` says ``bucket`` is in, when it is a wrong-region answer to
        ``request`` (signed for ``used``; ``whole_bucket``: a request for the bucket, not an object)
        and that region is another one; else None.

        As botocore: the ``x-amz-bucket-region`` header, else the error document's
        ``<Region>``, else the header of a ``HeadBucket`` sent for it (not for a HeadBucket).
        """
        code, in_body = _error_fields(response)
        head = request.method == "HEAD"
        bucket_head = head and whole_bucket
        header = response.headers.get("x-amz-bucket-region") or None
        wrong_region = (
            response.status in _REDIRECT_STATUSES
            or code in _REDIRECT_CODES
            or (code == "AuthorizationHeaderMalformed" and in_body is not None)
            or (head and response.status == 400 and (header is not None or not bucket_head))
        )
        if not wrong_region:
            return None
        found = header or in_body
        if found is None and not bucket_head:
            probe = self.request("HEAD", bucket, operation="s3 HeadBucket", region=used)
            answer = yield from send_with_retries(probe, retry)
            found = answer.headers.get("x-amz-bucket-region") or None
        found = (found or "").strip()
        if not found or found == used:
            return None
        if self.endpoint is None:
            try:
                _default_base(found)
            except ValidationError:
                return None  # not a region name: nowhere to send it
        return found

    def presign(
        self,
        method: str,
        bucket: str,
        key: str,
        expires: int,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A presigned URL for ``method`` on an object, for the bucket's region (with the
        session token, if any, as ``X-Amz-Security-Token``)."""
        region = self.bucket_region(bucket)
        return presign_url(
            method,
            self._url(bucket, key, region),
            credentials=self.current_credentials(),
            region=region,
            service=self.service,
            expires=expires,
            headers=headers,
        )
