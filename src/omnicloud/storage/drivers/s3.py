"""Amazon S3 and S3-compatible stores (MinIO, Ceph RGW, Swift s3api, moto, ...).

``Object.hash`` is the ETag without quotes: the MD5 hex for objects stored by one PUT, and
``<MD5 of the part MD5s>-<part count>`` for multipart uploads (so it is not the content MD5 then).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from omnicloud._flow import Emit
from omnicloud._safe_xml import xml_when_ok
from omnicloud._shell import Items, listing, stream_operation
from omnicloud.aws._regions import given_endpoint
from omnicloud.aws._s3 import S3Endpoint, error_from_response
from omnicloud.aws._xml import child, children, text_of
from omnicloud.aws.credentials import AwsSession, resolve_session
from omnicloud.errors import (
    MalformedResponseError,
    OmnicloudError,
)
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._redact import Redactor
from omnicloud.http._streaming import Close, StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._get import AGAIN_UNCOUNTED, Verdict, open_for_reading
from omnicloud.storage._models import Container, Object
from omnicloud.storage._ops import OpenedObject, StorageOps, UploadRequest
from omnicloud.storage._ranges import RangeIgnoredError, byte_range, pinned_reads
from omnicloud.storage.base import AsyncStorageDriver, StorageDriver
from omnicloud.storage.drivers._s3_upload import (
    CHECKSUM_ALGORITHM,
    PART_SIZE_META,
    TransferSettings,
    upload_flow,
)
from omnicloud.storage.drivers._s3_verify import CHECKSUM_MODE, expected_digest
from omnicloud.storage.errors import ContainerAlreadyExistsError, IntegrityError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._models import HttpRequest, HttpResponse
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = ["AsyncS3StorageDriver", "S3Extras", "S3StorageDriver", "S3StorageOps"]

META_PREFIX = "x-amz-meta-"
#: GetBucketLocation's answers that are not region names.
_LEGACY_LOCATIONS = {"": "us-east-1", "EU": "eu-west-1"}
#: The region of a driver that none names (the argument, the environment, the AWS profile).
DEFAULT_REGION = "us-east-1"


#: The most a ranged GET of a parallel download asks for: ``concurrency`` of them are held at
#: once, so this bounds the memory a download needs (4 x 4 MiB by default).
RANGE_SIZE = 5 * 1024 * 1024


def _total_size(content_range: str) -> int | None:
    """The object size from ``Content-Range: bytes 0-99/1234`` (None when absent or ``*``)."""
    _, _, total = content_range.rpartition("/")
    return int(total) if total.isdigit() else None


class S3StorageOps(StorageOps):
    """S3 operations as flows over an :class:`S3Endpoint`."""

    name = "Amazon S3"

    def __init__(
        self,
        endpoint: S3Endpoint,
        retry: RetryPolicy,
        transfer: TransferSettings,
        page_size: int = 1000,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.retry = retry
        self.transfer = transfer
        self.page_size = page_size
        self.session = AwsSession(endpoint.provider, endpoint.region)

    def __repr__(self) -> str:
        return f"S3StorageOps({self.endpoint!r})"

    def _send(
        self, method: str, bucket: str | None = None, key: str | None = None, **options: Any
    ) -> StreamFlow[Any]:
        """Sign and send (a bucket in another region is followed once: :meth:`S3Endpoint.send`)."""
        return self.endpoint.send(self.retry, method, bucket, key, **options)

    # containers -----------------------------------------------------------------------------
    def iterate_containers(self) -> StreamFlow[None]:
        token: str | None = None
        while True:
            query = [("continuation-token", token)] if token else None
            response, root = yield from self._send(
                "GET", query=query, operation="s3 ListBuckets", parse=xml_when_ok
            )
            if response.status != 200:
                raise error_from_response(response, "s3 ListBuckets")
            buckets = child(root, "Buckets")
            found = [
                self._container(text_of(b, "Name") or "", creation_date=text_of(b, "CreationDate"))
                for b in (children(buckets, "Bucket") if buckets is not None else [])
            ]
            yield Emit(found)
            next_token = text_of(root, "ContinuationToken")
            if not next_token or next_token == token:
                return
            token = next_token

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        response = yield from self._send("HEAD", container_name, operation="s3 HeadBucket")
        if response.status != 200:
            raise (yield from self._head_error(response, "s3 HeadBucket", container_name))
        region = response.headers.get("x-amz-bucket-region")
        return self._container(
            container_name, region=region or self.endpoint.bucket_region(container_name)
        )

    def create_container(self, container_name: str) -> StreamFlow[Container]:
        # us-east-1 answers 200 to re-creating a bucket you own; ask first so every region
        # reports ContainerAlreadyExistsError the same way.
        probe = yield from self._send("HEAD", container_name, operation="s3 HeadBucket")
        if probe.status == 200:
            raise ContainerAlreadyExistsError(
                f"s3 CreateBucket: bucket {container_name!r} exists already",
                status=409,
                code="BucketAlreadyOwnedByYou",
                provider="s3",
            )
        region = self.endpoint.region
        body = None
        if region != "us-east-1":
            body = (
                "<CreateBucketConfiguration><LocationConstraint>"
                f"{region}</LocationConstraint></CreateBucketConfiguration>"
            ).encode()
        # the bucket is made in this driver's region, whatever an old bucket of that name was in
        response = yield from self._send(
            "PUT", container_name, content=body, operation="s3 CreateBucket",
            idempotent=False, region=region,
        )  # fmt: skip
        if response.status != 200:
            raise error_from_response(response, "s3 CreateBucket", missing="container")
        self.endpoint.remember(container_name, None)
        return self._container(container_name, region=region)

    def _head_error(
        self, response: HttpResponse, operation: str, bucket: str, key: str | None = None
    ) -> StreamFlow[OmnicloudError]:
        """The exception for a failed HEAD. HEAD answers carry no error document, so a bare 400 or
        403 cannot tell a bad signature from a missing permission: the same is asked with a GET
        (an empty listing, or the object's first byte) whose error document names the cause."""
        missing = "container" if key is None else "object"
        if response.status in (400, 403) and not response.content:
            if key is None:
                query = [("list-type", "2"), ("max-keys", "0")]
                answer = yield from self._send("GET", bucket, query=query, operation=operation)
            else:
                headers = {"Range": "bytes=0-0"}
                answer = yield from self._send(
                    "GET", bucket, key, headers=headers, operation=operation
                )
            if answer.status >= 400 and answer.content:
                explained = error_from_response(answer, operation, missing=missing)
                if getattr(explained, "code", None):
                    return explained
        return error_from_response(response, operation, missing=missing)

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        response = yield from self._send("DELETE", container.name, operation="s3 DeleteBucket")
        if response.status not in (200, 204):
            raise error_from_response(response, "s3 DeleteBucket", missing="container")
        self.endpoint.remember(container.name, None)
        return True

    # listing ----------------------------------------------------------------------------------
    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        token: str | None = None
        while True:
            query = [("list-type", "2"), ("max-keys", str(self.page_size))]
            if prefix:
                query.append(("prefix", prefix))
            if delimiter:
                query.append(("delimiter", delimiter))
            if token:
                query.append(("continuation-token", token))
            response, root = yield from self._send(
                "GET", container.name, query=query, operation="s3 ListObjectsV2",
                parse=xml_when_ok,
            )  # fmt: skip
            if response.status != 200:
                raise error_from_response(response, "s3 ListObjectsV2", missing="container")
            yield Emit(self._listed(container, root))
            if (text_of(root, "IsTruncated") or "").lower() != "true":
                return
            next_token = text_of(root, "NextContinuationToken")
            if not next_token or next_token == token:
                raise MalformedResponseError(
                    "s3 ListObjectsV2: truncated listing without a new continuation token"
                )
            token = next_token

    def _listed(self, container: Container, root: Any) -> list[Object]:
        found = []
        for item in children(root, "Contents"):
            etag = (text_of(item, "ETag") or "").strip('"') or None
            found.append(
                Object(
                    name=text_of(item, "Key") or "",
                    size=int(text_of(item, "Size") or 0),
                    hash=etag,
                    extra={
                        "etag": etag,
                        "last_modified": text_of(item, "LastModified"),
                        "storage_class": text_of(item, "StorageClass"),
                    },
                    container=container,
                    driver=self.driver,
                )
            )
        for item in children(root, "CommonPrefixes"):
            found.append(
                Object(
                    name=text_of(item, "Prefix") or "",
                    size=0,
                    hash=None,
                    extra={"is_prefix": True},
                    container=container,
                    driver=self.driver,
                )
            )
        found.sort(key=lambda obj: obj.name)
        return found

    # objects ----------------------------------------------------------------------------------
    def _from_headers(self, container: Container, name: str, response: HttpResponse) -> Object:
        headers = response.headers
        etag = headers.get("etag", "").strip('"') or None
        meta = {
            k[len(META_PREFIX) :]: v
            for k, v in headers.items()
            if k.lower().startswith(META_PREFIX) and k.lower() != PART_SIZE_META
        }
        return Object(
            name=name,
            size=int(headers.get("content-length", 0) or 0),
            hash=etag,
            extra={
                "content_type": headers.get("content-type"),
                "etag": etag,
                "last_modified": headers.get("last-modified"),
                "storage_class": headers.get("x-amz-storage-class"),
                "version_id": headers.get("x-amz-version-id"),
            },
            meta_data=meta,
            container=container,
            driver=self.driver,
        )

    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        response = yield from self._send(
            "HEAD", container_name, object_name, operation="s3 HeadObject"
        )
        if response.status != 200:
            raise (
                yield from self._head_error(response, "s3 HeadObject", container_name, object_name)
            )
        return self._from_headers(self._container(container_name), object_name, response)

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        headers = {"Content-Type": request.content_type, **request.headers}
        for key, value in request.meta_data.items():
            headers[META_PREFIX + key.lower()] = value
        if request.extra.get("acl"):
            headers["x-amz-acl"] = str(request.extra["acl"])
        if request.extra.get("storage_class"):
            headers["x-amz-storage-class"] = str(request.extra["storage_class"]).upper()
        result = yield from upload_flow(
            self.endpoint,
            self.retry,
            self.transfer,
            source,
            request.container.name,
            request.object_name,
            headers,
        )
        return Object(
            name=request.object_name,
            size=result.size,
            hash=result.etag,
            extra={"content_type": request.content_type, "etag": result.etag,
                   "parts": result.parts, "checksum_crc32": result.checksum_crc32},
            meta_data=dict(request.meta_data),
            container=request.container,
            driver=self.driver,
        )  # fmt: skip

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        headers = {}
        ranged = start > 0 or end is not None
        if ranged:
            headers["Range"] = byte_range(start, end)
        else:
            headers[CHECKSUM_MODE] = "ENABLED"
        stream = yield from self._open_get(obj, headers, (200, 206))
        length = stream.headers.get("content-length")
        quoted_etag = stream.headers.get("etag", "")
        whole = stream.status == 200 and not ranged

        def resume(received: int) -> StreamFlow[OpenedObject]:
            """The rest of this very version of the object (If-Match), after ``received`` bytes."""
            rest = {"Range": byte_range(start + received, end)}
            if quoted_etag:
                rest["If-Match"] = quoted_etag
            again = yield from self._open_get(obj, rest, (206,))
            return OpenedObject(reader=again, size=None, md5=None)

        size = int(length) if length else None
        opened = OpenedObject(reader=stream, size=size, md5=None, resume=resume)
        if whole and size is not None:
            yield from self._expect(opened, obj, stream.headers, size)
        return opened

    def open_whole(self, obj: Object) -> StreamFlow[OpenedObject]:
        """A large object (known size of at least two parts) opens as a GET of its first part;
        :mod:`omnicloud.storage._ranges` then reads the rest in parallel ranges or one stream."""
        span = min(self.transfer.part_size, RANGE_SIZE)
        if self.transfer.concurrency < 2 or not obj.size or obj.size < 2 * span:
            return (yield from self.open_object(obj, 0, None))
        try:
            stream = yield from self._open_get(obj, {"Range": byte_range(0, span)}, (206,))
        except RangeIgnoredError:
            return (yield from self.open_object(obj, 0, None))
        total = _total_size(stream.headers.get("content-range", ""))
        quoted_etag = stream.headers.get("etag", "")
        if total is None:
            yield Close(stream)
            raise MalformedResponseError(
                f"s3 GetObject {obj.name}: a ranged answer without the object's size"
            )

        resume, access = pinned_reads(
            lambda headers, expected: self._open_get(obj, headers, expected),
            obj.name,
            range_header="Range",
            pin={"If-Match": quoted_etag} if quoted_etag else {},
            window=self.transfer.concurrency,
            span=min(span, total),
        )
        opened = OpenedObject(reader=stream, size=total, md5=None, resume=resume, ranges=access)
        yield from self._expect(opened, obj, stream.headers, total)
        return opened

    def _expect(
        self, opened: OpenedObject, obj: Object, headers: Any, total: int
    ) -> StreamFlow[None]:
        """Set what the whole object's bytes must hash to (see :mod:`._s3_verify`); the stream
        is closed if that fails."""
        try:
            opened.expected, opened.confirm = yield from expected_digest(
                headers, total, lambda number: self._part_headers(obj, headers, number)
            )
        except BaseException:
            with contextlib.suppress(Exception):
                yield Close(opened.reader)
            raise

    def _part_headers(self, obj: Object, first: Any, number: int) -> StreamFlow[Any]:
        """The answer's headers to ``GET ?partNumber=number`` of the version ``first`` came
        from (its body is not read), or None when the server does not serve parts."""
        headers = {CHECKSUM_MODE: "ENABLED"}
        if quoted := first.get("etag", ""):
            headers["If-Match"] = quoted
        query = [("partNumber", str(number))]
        try:
            stream = yield from self._open_get(obj, headers, (200, 206), query=query)
        except IntegrityError:
            raise  # the object changed: the download fails as it would anyway
        except OmnicloudError:
            return None
        with contextlib.suppress(Exception):
            yield Close(stream)  # the part's bytes are not wanted
        return stream.headers

    def _open_get(
        self,
        obj: Object,
        headers: dict[str, str],
        expected: tuple[int, ...],
        *,
        query: list[tuple[str, str]] | None = None,
    ) -> StreamFlow[Any]:
        """Open ``GetObject`` (:func:`~omnicloud.storage._get.open_for_reading`); a bucket in
        another region is asked there, once."""
        bucket = obj.container_name
        used = self.endpoint.bucket_region(bucket)
        redirected = False

        def build() -> Flow[HttpRequest]:
            nonlocal used
            credentials = yield from self.endpoint.load_credentials()
            used = self.endpoint.bucket_region(bucket)
            return self.endpoint.request(
                "GET", bucket, obj.name, query=query, headers=headers,
                operation="s3 GetObject", credentials=credentials, region=used,
            )  # fmt: skip

        def refused(stream: Any, request: HttpRequest) -> StreamFlow[Verdict]:
            nonlocal redirected
            if stream.status == 412 and "If-Match" in headers:
                raise IntegrityError(
                    f"s3 GetObject {obj.name}: the object changed during the download "
                    f"(its ETag is no longer {headers['If-Match']})"
                )
            if not redirected and stream.status >= 300:
                found = yield from self.endpoint.region_of_redirect(
                    self.retry, request, bucket, stream.response, used
                )
                if found is not None:  # the bucket is in another region: ask there, once
                    self.endpoint.remember(bucket, found)
                    redirected = True
                    return AGAIN_UNCOUNTED
            return None

        return (
            yield from open_for_reading(
                build, self.retry, expected, range_header="Range", headers=headers,
                label=f"s3 GetObject {obj.name}", refused=refused,
                fail=lambda response: error_from_response(
                    response, "s3 GetObject", missing="object"
                ),
            )
        )  # fmt: skip

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        response = yield from self._send(
            "DELETE", obj.container_name, obj.name, operation="s3 DeleteObject"
        )
        if response.status not in (200, 204):
            raise error_from_response(response, "s3 DeleteObject", missing="object")
        return True

    def iterate_multipart_uploads(
        self, container: Container, prefix: str | None
    ) -> StreamFlow[None]:
        """Emit ``(key, upload_id)`` for uploads started but neither completed nor aborted."""
        marker: tuple[str, str] | None = None
        while True:
            query = [("uploads", "")]
            if prefix:
                query.append(("prefix", prefix))
            if marker:
                query += [("key-marker", marker[0]), ("upload-id-marker", marker[1])]
            response, root = yield from self._send(
                "GET", container.name, query=query, operation="s3 ListMultipartUploads",
                parse=xml_when_ok,
            )  # fmt: skip
            if response.status != 200:
                raise error_from_response(response, "s3 ListMultipartUploads", "container")
            yield Emit(
                [(text_of(u, "Key"), text_of(u, "UploadId")) for u in children(root, "Upload")]
            )
            if (text_of(root, "IsTruncated") or "").lower() != "true":
                return
            marker = (
                text_of(root, "NextKeyMarker") or "",
                text_of(root, "NextUploadIdMarker") or "",
            )

    def bucket_location(self, bucket: str) -> StreamFlow[str]:
        """The bucket's region from ``GetBucketLocation``, remembered for its later requests
        (an empty answer is ``us-east-1``, the legacy ``EU`` is ``eu-west-1``)."""
        response, root = yield from self._send(
            "GET", bucket, query=[("location", "")], operation="s3 GetBucketLocation",
            parse=xml_when_ok,
        )  # fmt: skip
        if response.status != 200:
            raise error_from_response(response, "s3 GetBucketLocation", missing="container")
        answer = (root.text or "").strip()
        region = _LEGACY_LOCATIONS.get(answer, answer)
        self.endpoint.remember(bucket, region)
        return region

    def presigned_url(
        self, obj: Object, method: str, expires: int, headers: dict[str, str] | None
    ) -> str:
        return self.endpoint.presign(method, obj.container_name, obj.name, expires, headers)


def _env_endpoint(env: Mapping[str, str]) -> str | None:
    """The endpoint boto3 takes from the environment: ``AWS_ENDPOINT_URL_S3``, else
    ``AWS_ENDPOINT_URL``, unless ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is true."""
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() == "true":
        return None
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"):
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def _make_ops(
    key: str | None,
    secret: str | None,
    *,
    region: str | None,
    endpoint: str | None,
    host: str | None,
    port: int | None,
    secure: bool,
    token: str | None,
    profile: str | None,
    session: AwsSession | None,
    addressing: str,
    sign_payload: bool,
    part_size: int,
    concurrency: int,
    checksum: str | None,
    http: HttpConfig | None,
) -> tuple[S3StorageOps, HttpConfig, Redactor]:
    import os

    if session is None:
        session = resolve_session(key, secret, token, profile=profile, region=region)
    endpoint = given_endpoint(endpoint, host, port, secure)
    if endpoint is None:
        endpoint = _env_endpoint(os.environ)
    config = http or HttpConfig()
    redactor = Redactor()
    held = session.provider.current()
    if held is not None:
        redactor.add(held.secret_key, held.token)
    s3 = S3Endpoint(
        credentials=session.provider,
        region=region or session.region or DEFAULT_REGION,
        endpoint=endpoint,
        addressing=addressing,
        sign_payload=sign_payload,
        redactor=redactor,
    )
    transfer = TransferSettings(part_size=part_size, concurrency=concurrency, checksum=checksum)
    ops = S3StorageOps(s3, config.retry, transfer)
    ops.session = session
    return ops, config, redactor


class S3Extras:
    """The S3 driver's own members, written once for the sync and the async driver."""

    _ops: StorageOps

    @property
    def _s3(self) -> S3StorageOps:
        ops: S3StorageOps = self._ops  # type: ignore[assignment]
        return ops

    @property
    def region(self) -> str:
        """The region buckets are created in, and requests signed for unless their bucket was
        found elsewhere."""
        return self._s3.endpoint.region

    @property
    def session(self) -> AwsSession:
        """Where the credentials come from (``session.provider.origin``), never the secrets."""
        return self._s3.session

    @stream_operation
    def ex_get_container_region(self, container: Container | str) -> StreamFlow[str]:
        """The bucket's region, asked with ``GetBucketLocation`` (and remembered, so later
        requests for the bucket are signed for it)."""
        name = container if isinstance(container, str) else container.name
        return (yield from self._s3.bucket_location(name))

    @listing
    def ex_iterate_multipart_uploads(
        self, container: Container, prefix: str | None = None
    ) -> Items[tuple[str, str]]:
        """Open multipart uploads as ``(key, upload_id)`` pairs (an async iterator in the async
        driver)."""
        return Items(self._s3.iterate_multipart_uploads(container, prefix))


class S3StorageDriver(StorageDriver, S3Extras):
    """S3 driver; Libcloud's ``host``/``port``/``secure`` work, ``endpoint`` is a full URL.

    Without ``key`` and ``secret`` the AWS CLI's chain gives the credentials (environment,
    ``profile=`` or ``AWS_PROFILE``, the shared files, a ``credential_process``) and the region
    (``AWS_REGION``, ``AWS_DEFAULT_REGION``, the profile's; else ``us-east-1``); ``token`` (or
    the chain's session token) is sent as ``X-Amz-Security-Token``. Without ``endpoint``/``host``,
    ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL`` name the endpoint, as for boto3. A bucket in
    another region is found and remembered (see :class:`~omnicloud.aws._s3.S3Endpoint`).

    ``part_size`` and ``concurrency`` tune multipart uploads, and ``concurrency`` the parallel
    ranged GETs of large downloads (``1``: one plain GET each); ``sign_payload`` hashes in-memory
    bodies into the signature instead of ``UNSIGNED-PAYLOAD``. ``checksum="CRC32"`` (the
    default) asks multipart uploads for CRC32 part checksums, used where the server confirms
    them; ``None`` sends ``Content-MD5`` on every part instead (single PUTs always carry it).
    """

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
        session: AwsSession | None = None,
        endpoint: str | None = None,
        addressing: str = "auto",
        sign_payload: bool = False,
        part_size: int = 8 * 1024 * 1024,
        concurrency: int = 4,
        checksum: str | None = CHECKSUM_ALGORITHM,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, region=region, endpoint=endpoint, host=host, port=port, secure=secure,
            token=token, profile=profile, session=session, addressing=addressing,
            sign_payload=sign_payload, part_size=part_size, concurrency=concurrency,
            checksum=checksum, http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingSyncHttp(config, redactor))


class AsyncS3StorageDriver(AsyncStorageDriver, S3Extras):
    """Async twin of :class:`S3StorageDriver` (same arguments)."""

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
        session: AwsSession | None = None,
        endpoint: str | None = None,
        addressing: str = "auto",
        sign_payload: bool = False,
        part_size: int = 8 * 1024 * 1024,
        concurrency: int = 4,
        checksum: str | None = CHECKSUM_ALGORITHM,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, region=region, endpoint=endpoint, host=host, port=port, secure=secure,
            token=token, profile=profile, session=session, addressing=addressing,
            sign_payload=sign_payload, part_size=part_size, concurrency=concurrency,
            checksum=checksum, http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingAsyncHttp(config, redactor))
