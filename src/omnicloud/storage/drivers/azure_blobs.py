"""Azure Blob Storage (Libcloud's ``Provider.AZURE_BLOBS``): block blobs in containers.

Libcloud's constructor: the account name as ``key``, its base64 account key as ``secret``, and
``host``/``port``/``secure`` (or ``endpoint=``, a full URL) for another service, such as the
Azurite emulator (its accounts are path-style: ``http://127.0.0.1:10000/devstoreaccount1``).
Instead of the key, ``ex_sas_token=`` (or an ``endpoint`` URL carrying a SAS) authorizes every
request with a shared access signature, and ``ex_connection_string=`` (else the
``AZURE_STORAGE_CONNECTION_STRING`` environment variable when no account is given) names
everything at once, Azurite's ``UseDevelopmentStorage=true`` included.

``Object.hash`` is the MD5 hex of the content. Uploads are checked by the service (``Content-MD5``
on Put Blob and on every staged block) and store the whole content's MD5, which downloads of the
whole blob are checked against (blobs stored by other tools without one are reported as not
verified). Blob names with ``.``/``..`` segments are refused (see :mod:`omnicloud.azure._blob`).
Azure deletes non-empty containers; this driver refuses to, as Libcloud's does, by looking for a
blob first (:class:`ContainerIsNotEmptyError`).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from omnicloud._flow import Emit
from omnicloud._safe_xml import xml_when_ok
from omnicloud._shell import stream_operation
from omnicloud._wire import context, schema, wire
from omnicloud.azure._blob import (
    BlobService,
    error_from_response,
    md5_hex,
)
from omnicloud.errors import MalformedResponseError, ValidationError
from omnicloud.http._config import HttpConfig, RetryPolicy
from omnicloud.http._redact import Redactor
from omnicloud.http._streaming import Close, StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._get import Verdict, open_for_reading
from omnicloud.storage._hashing import Expected
from omnicloud.storage._models import Container, Object
from omnicloud.storage._ops import OpenedObject, StorageOps, UploadRequest
from omnicloud.storage._ranges import RangeIgnoredError, byte_range, pinned_reads
from omnicloud.storage.base import AsyncStorageDriver, StorageDriver
from omnicloud.storage.drivers.azure_blobs_upload import BlockSettings, upload_flow
from omnicloud.storage.errors import (
    ContainerIsNotEmptyError,
    IntegrityError,
    UnsupportedOperationError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._models import HttpRequest, HttpResponse
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = [
    "AsyncAzureBlobsStorageDriver",
    "AzureBlobsExtras",
    "AzureBlobsStorageDriver",
    "AzureBlobsStorageOps",
]

META_PREFIX = "x-ms-meta-"
#: The most one ranged GET of a parallel download asks for (``concurrency`` are held at once):
#: small, as Azurite serves a range no faster than a plain GET (1 GiB in 2 MiB ranges held 23 MiB
#: at 47 MiB/s; in 4 MiB ranges 34 MiB at 49 MiB/s).
RANGE_SIZE = 2 * 1024 * 1024
PROVIDER = "azure_blobs"


def _total_size(content_range: str) -> int | None:
    _, _, total = content_range.rpartition("/")
    return int(total) if total.isdigit() else None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Any, name: str) -> Any:
    for item in element:
        if _local(item.tag) == name:
            return item
    return None


def _children(element: Any, name: str) -> list[Any]:
    return [item for item in element if _local(item.tag) == name] if element is not None else []


def _name_of(element: Any) -> str:
    """A ``<Name>``, URL-decoded when the service marks it ``Encoded="true"``."""
    name = _child(element, "Name")
    if name is None:
        return ""
    text = str(name.text or "")
    return unquote(text) if name.get("Encoded", "").lower() == "true" else text


def _blob_doc(element: Any) -> dict[str, Any]:
    """A listed ``<Blob>`` as a flat document: ``Name``, its properties, ``Metadata``."""
    doc: dict[str, Any] = {"Name": _name_of(element)}
    props = _child(element, "Properties")
    for item in props if props is not None else ():
        doc[_local(item.tag)] = item.text or ""
    meta = _child(element, "Metadata")
    doc["Metadata"] = {
        _local(item.tag).lower(): item.text or "" for item in (meta if meta is not None else ())
    }
    return doc


def _head_doc(name: str, headers: Any) -> dict[str, Any]:
    """A blob's HEAD answer as the same document a listing gives."""
    doc: dict[str, Any] = {
        "Name": name,
        "Content-Length": headers.get("content-length"),
        "Content-MD5": headers.get("content-md5"),
        "Content-Type": headers.get("content-type"),
        "Etag": headers.get("etag"),
        "Last-Modified": headers.get("last-modified"),
        "BlobType": headers.get("x-ms-blob-type"),
        "LeaseStatus": headers.get("x-ms-lease-status"),
        "LeaseState": headers.get("x-ms-lease-state"),
        "AccessTier": headers.get("x-ms-access-tier"),
    }
    doc["Metadata"] = {
        key.lower()[len(META_PREFIX) :]: value
        for key, value in headers.items()
        if key.lower().startswith(META_PREFIX)
    }
    return {key: value for key, value in doc.items() if value is not None}


def _extra(doc: Any) -> dict[str, Any]:
    etag = str(doc.get("Etag") or "").strip('"') or None
    return {
        "content_type": doc.get("Content-Type"),
        "etag": etag,
        "last_modified": doc.get("Last-Modified"),
        "blob_type": doc.get("BlobType"),
        "lease_status": doc.get("LeaseStatus"),
        "lease_state": doc.get("LeaseState"),
        "access_tier": doc.get("AccessTier"),
        "md5_base64": doc.get("Content-MD5") or None,
    }


_EXTRA_READS = (
    "Etag",
    "Content-Type",
    "Last-Modified",
    "BlobType",
    "LeaseStatus",
    "LeaseState",
    "AccessTier",
    "Content-MD5",
)

#: An object from a listed ``<Blob>`` or a HEAD answer (both made into one document first).
_OBJECT = schema(
    Object,
    name=wire("Name", str, default=""),
    size=wire("Content-Length", int, default=0),
    hash=wire("Content-MD5", md5_hex),
    extra=wire("*", _extra, reads=_EXTRA_READS),
    meta_data=wire("Metadata", dict, factory=dict),
    container=context(),
    driver=context(),
)


class AzureBlobsStorageOps(StorageOps):
    """Blob service operations as flows over a :class:`BlobService`."""

    name = "Microsoft Azure (blobs)"

    def __init__(
        self,
        service: BlobService,
        retry: RetryPolicy,
        settings: BlockSettings,
        page_size: int = 5000,
    ) -> None:
        super().__init__()
        self.service = service
        self.retry = retry
        self.settings = settings
        self.page_size = page_size

    def __repr__(self) -> str:
        return f"AzureBlobsStorageOps({self.service!r})"

    def _send(
        self, method: str, container: str | None = None, blob: str | None = None, **options: Any
    ) -> StreamFlow[Any]:
        return self.service.send(self.retry, method, container, blob, **options)

    # containers -------------------------------------------------------------------------------
    def iterate_containers(self) -> StreamFlow[None]:
        marker: str | None = None
        while True:
            query = [("comp", "list"), ("maxresults", str(self.page_size))]
            if marker:
                query.append(("marker", marker))
            response, root = yield from self._send(
                "GET", query=query, operation="azure List Containers", parse=xml_when_ok
            )
            if response.status != 200:
                raise error_from_response(response, "azure List Containers", "container")
            found = []
            for item in _children(_child(root, "Containers"), "Container"):
                props = _child(item, "Properties")
                values = {_local(p.tag): p.text for p in (props if props is not None else ())}
                found.append(
                    self._container(
                        _name_of(item),
                        etag=(values.get("Etag") or "").strip('"') or None,
                        last_modified=values.get("Last-Modified"),
                        lease_state=values.get("LeaseState"),
                    )
                )
            yield Emit(found)
            next_marker = _next_marker(root)
            if not next_marker or next_marker == marker:
                return
            marker = next_marker

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        operation = "azure Get Container Properties"
        response = yield from self._send(
            "HEAD", container_name, query=[("restype", "container")], operation=operation
        )
        if response.status != 200:
            raise error_from_response(response, operation, "container")
        headers = response.headers
        return self._container(
            container_name,
            etag=headers.get("etag", "").strip('"') or None,
            last_modified=headers.get("last-modified"),
            lease_state=headers.get("x-ms-lease-state"),
            public_access=headers.get("x-ms-blob-public-access"),
            meta_data={
                key.lower()[len(META_PREFIX) :]: value
                for key, value in headers.items()
                if key.lower().startswith(META_PREFIX)
            },
        )

    def create_container(self, container_name: str) -> StreamFlow[Container]:
        operation = "azure Create Container"
        response = yield from self._send(
            "PUT", container_name, query=[("restype", "container")], operation=operation
        )
        if response.status != 201:
            raise error_from_response(response, operation, "container")
        return self._container(
            container_name,
            etag=response.headers.get("etag", "").strip('"') or None,
            last_modified=response.headers.get("last-modified"),
        )

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        # Azure deletes a container with its blobs; the storage family refuses instead
        query = [("restype", "container"), ("comp", "list"), ("maxresults", "1")]
        response, root = yield from self._send(
            "GET", container.name, query=query, operation="azure List Blobs", parse=xml_when_ok
        )
        if response.status != 200:
            raise error_from_response(response, "azure List Blobs", "container")
        if _children(_child(root, "Blobs"), "Blob"):
            raise ContainerIsNotEmptyError(
                f"azure Delete Container: container {container.name!r} is not empty",
                status=409,
                code="ContainerNotEmpty",
                provider=PROVIDER,
            )
        headers = {}
        if container.extra.get("lease_id"):
            headers["x-ms-lease-id"] = str(container.extra["lease_id"])
        response = yield from self._send(
            "DELETE", container.name, query=[("restype", "container")], headers=headers,
            operation="azure Delete Container",
        )  # fmt: skip
        if response.status not in (200, 202):
            raise error_from_response(response, "azure Delete Container", "container")
        return True

    # listing ----------------------------------------------------------------------------------
    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        marker: str | None = None
        to_object = _OBJECT.bind(container=container, driver=self.driver)
        while True:
            query = [
                ("restype", "container"),
                ("comp", "list"),
                ("include", "metadata"),
                ("maxresults", str(self.page_size)),
            ]
            if prefix:
                query.append(("prefix", prefix))
            if delimiter:
                query.append(("delimiter", delimiter))
            if marker:
                query.append(("marker", marker))
            response, root = yield from self._send(
                "GET", container.name, query=query, operation="azure List Blobs",
                parse=xml_when_ok,
            )  # fmt: skip
            if response.status != 200:
                raise error_from_response(response, "azure List Blobs", "container")
            blobs = _child(root, "Blobs")
            found = [to_object(_blob_doc(item)) for item in _children(blobs, "Blob")]
            found += [
                Object(
                    name=_name_of(item),
                    size=0,
                    hash=None,
                    extra={"is_prefix": True},
                    container=container,
                    driver=self.driver,
                )
                for item in _children(blobs, "BlobPrefix")
            ]
            found.sort(key=lambda obj: obj.name)
            yield Emit(found)
            next_marker = _next_marker(root)
            if not next_marker:
                return
            if next_marker == marker:
                raise MalformedResponseError("azure List Blobs: the same NextMarker twice")
            marker = next_marker

    # objects ----------------------------------------------------------------------------------
    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        operation = "azure Get Blob Properties"
        response = yield from self._send("HEAD", container_name, object_name, operation=operation)
        if response.status != 200:
            raise error_from_response(response, operation, "object")
        return _OBJECT(
            _head_doc(object_name, response.headers),
            container=self._container(container_name),
            driver=self.driver,
        )

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        headers = {"Content-Type": request.content_type, **request.headers}
        for key, value in request.meta_data.items():
            headers[META_PREFIX + key.lower()] = value
        lease = request.extra.get("lease_id")
        if lease:
            headers["x-ms-lease-id"] = str(lease)
        if request.extra.get("access_tier"):
            headers["x-ms-access-tier"] = str(request.extra["access_tier"])
        result = yield from upload_flow(
            self.service,
            self.retry,
            self.settings,
            source,
            request.container.name,
            request.object_name,
            headers,
        )
        return Object(
            name=request.object_name,
            size=result.size,
            hash=result.md5,
            extra={"content_type": request.content_type, "etag": result.etag,
                   "blocks": result.blocks},
            meta_data=dict(request.meta_data),
            container=request.container,
            driver=self.driver,
        )  # fmt: skip

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        ranged = start > 0 or end is not None
        headers = {"x-ms-range": byte_range(start, end)} if ranged else {}
        stream = yield from self._open_get(obj, headers, (206,) if ranged else (200,))
        length = stream.headers.get("content-length")
        etag = stream.headers.get("etag", "")

        def resume(received: int) -> StreamFlow[OpenedObject]:
            """The rest of this very version of the blob (If-Match), after ``received`` bytes."""
            rest = {"x-ms-range": byte_range(start + received, end)}
            if etag:
                rest["If-Match"] = etag
            again = yield from self._open_get(obj, rest, (206,))
            return OpenedObject(reader=again, size=None, md5=None)

        size = int(length) if length else None
        md5 = None if ranged else md5_hex(stream.headers.get("content-md5"))
        return OpenedObject(reader=stream, size=size, md5=md5, resume=resume)

    def open_whole(self, obj: Object) -> StreamFlow[OpenedObject]:
        """A large blob (known size of two spans or more) opens as a GET of its first span;
        :mod:`omnicloud.storage._ranges` reads the rest in parallel ranges or as one stream."""
        span = min(self.settings.block_size, RANGE_SIZE)
        if self.settings.concurrency < 2 or not obj.size or obj.size < 2 * span:
            return (yield from self.open_object(obj, 0, None))
        try:
            stream = yield from self._open_get(obj, {"x-ms-range": byte_range(0, span)}, (206,))
        except RangeIgnoredError:
            return (yield from self.open_object(obj, 0, None))
        total = _total_size(stream.headers.get("content-range", ""))
        etag = stream.headers.get("etag", "")
        if total is None:
            yield Close(stream)
            raise MalformedResponseError(
                f"azure Get Blob {obj.name}: a ranged answer without the blob's size"
            )
        # on a ranged read the blob's stored MD5 comes as x-ms-blob-content-md5
        stored = md5_hex(stream.headers.get("x-ms-blob-content-md5"))

        resume, access = pinned_reads(
            lambda headers, expected: self._open_get(obj, headers, expected),
            obj.name,
            range_header="x-ms-range",
            pin={"If-Match": etag} if etag else {},
            window=self.settings.concurrency,
            span=min(span, total),
        )
        expected = Expected("md5", stored, "Content-MD5") if stored else None
        return OpenedObject(
            reader=stream, size=total, md5=None, resume=resume, ranges=access, expected=expected
        )

    def _open_get(
        self, obj: Object, headers: dict[str, str], expected: tuple[int, ...]
    ) -> StreamFlow[Any]:
        """Open ``Get Blob`` (:func:`~omnicloud.storage._get.open_for_reading`)."""

        def build() -> Flow[HttpRequest]:
            return self.service.request(
                "GET", obj.container_name, obj.name, headers=headers, operation="azure Get Blob"
            )
            yield  # pragma: no cover - a flow that sends nothing of its own

        def refused(stream: Any, request: HttpRequest) -> StreamFlow[Verdict]:
            if stream.status == 412 and "If-Match" in headers:
                raise IntegrityError(
                    f"azure Get Blob {obj.name}: the blob changed during the download "
                    f"(its ETag is no longer {headers['If-Match']})"
                )
            return None
            yield  # pragma: no cover - nothing to ask the service

        return (
            yield from open_for_reading(
                build, self.retry, expected, range_header="x-ms-range", headers=headers,
                label=f"azure Get Blob {obj.name}", refused=refused,
                fail=lambda response: error_from_response(response, "azure Get Blob", "object"),
            )
        )  # fmt: skip

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        headers = {}
        if obj.extra.get("lease_id"):
            headers["x-ms-lease-id"] = str(obj.extra["lease_id"])
        response = yield from self._send(
            "DELETE", obj.container_name, obj.name, headers=headers, operation="azure Delete Blob"
        )
        if response.status not in (200, 202):
            raise error_from_response(response, "azure Delete Blob", "object")
        return True

    # leases -----------------------------------------------------------------------------------
    def lease(
        self, target: Container | Object, action: str, headers: dict[str, str]
    ) -> StreamFlow[HttpResponse]:
        """``Lease Blob`` / ``Lease Container`` with ``x-ms-lease-action: action``."""
        query = [("comp", "lease")]
        if isinstance(target, Container):
            container, blob = target.name, None
            query.append(("restype", "container"))
            missing = "container"
        else:
            container, blob = target.container_name, target.name
            missing = "object"
        operation = f"azure Lease {'Container' if blob is None else 'Blob'} ({action})"
        response: HttpResponse = yield from self._send(
            "PUT", container, blob, query=query,
            headers={"x-ms-lease-action": action, **headers}, operation=operation,
            idempotent=action in ("release", "renew"),
        )  # fmt: skip
        if response.status not in (200, 201, 202):
            raise error_from_response(response, operation, missing)
        return response

    # signed URLs ------------------------------------------------------------------------------
    def presigned_url(
        self, obj: Object, method: str, expires: int, headers: dict[str, str] | None
    ) -> str:
        account = self.service.account
        url = self.service.url(obj.container_name, obj.name)
        if account.secret is None or account.key is None:
            if account.sas:
                return f"{url}?{account.sas}"
            raise UnsupportedOperationError("a signed URL needs the account key or a SAS")
        from omnicloud.azure._signing import blob_sas

        permissions = {"GET": "r", "HEAD": "r", "PUT": "cw", "DELETE": "d"}.get(method.upper())
        if permissions is None:
            raise ValidationError(f"no blob SAS grants {method!r}")
        sas = blob_sas(
            account.name,
            account.key,
            obj.container_name,
            obj.name,
            permissions=permissions,
            expiry=_iso_after(expires),
        )
        return f"{url}?{sas}"


def _next_marker(root: Any) -> str | None:
    """The listing's ``<NextMarker>`` text (None when absent or empty)."""
    found = _child(root, "NextMarker")  # an element without children is falsy: test for None
    return (found.text or None) if found is not None else None


def _iso_after(seconds: float) -> str:
    """The UTC time ``seconds`` from now as a SAS wants it (``2024-01-01T00:00:00Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def _make_ops(
    key: str | None,
    secret: str | None,
    *,
    secure: bool,
    host: str | None,
    port: int | None,
    endpoint: str | None,
    sas_token: str | None,
    connection_string: str | None,
    block_size: int,
    concurrency: int,
    http: HttpConfig | None,
) -> tuple[AzureBlobsStorageOps, HttpConfig, Redactor]:
    import os

    from omnicloud.azure._account import resolve_account

    account = resolve_account(
        key,
        secret,
        secure=secure,
        host=host,
        port=port,
        endpoint=endpoint,
        sas_token=sas_token,
        connection_string=connection_string,
        environ=os.environ,
    )
    config = http or HttpConfig()
    redactor = Redactor()
    if secret:
        redactor.add(secret, secret.strip())
    service = BlobService(account, redactor)
    settings = BlockSettings(block_size=block_size, concurrency=concurrency)
    return AzureBlobsStorageOps(service, config.retry, settings), config, redactor


class AzureBlobsExtras:
    """The Azure driver's own members, written once for the sync and the async driver."""

    _ops: StorageOps

    @property
    def _azure(self) -> AzureBlobsStorageOps:
        ops: AzureBlobsStorageOps = self._ops  # type: ignore[assignment]
        return ops

    @property
    def account_name(self) -> str:
        """The storage account's name."""
        return self._azure.service.account.name

    @property
    def blob_url(self) -> str:
        """The account's Blob service URL."""
        return self._azure.service.account.blob_url

    @stream_operation
    def ex_acquire_lease(
        self,
        target: Container | Object,
        duration: int = -1,
        lease_id: str | None = None,
    ) -> StreamFlow[str]:
        """Lease a blob or a container for ``duration`` seconds (15 to 60, or -1: until
        released) and return the lease id, also kept in ``target.extra["lease_id"]`` so later
        writes and deletes of ``target`` present it."""
        headers = {"x-ms-lease-duration": str(duration)}
        if lease_id:
            headers["x-ms-proposed-lease-id"] = lease_id
        response = yield from self._azure.lease(target, "acquire", headers)
        got = response.headers.get("x-ms-lease-id", "") or (lease_id or "")
        target.extra["lease_id"] = got
        return got

    @stream_operation
    def ex_renew_lease(
        self, target: Container | Object, lease_id: str | None = None
    ) -> StreamFlow[bool]:
        """Renew the lease (``lease_id``, else the one ``target`` holds)."""
        ident = lease_id or str(target.extra.get("lease_id") or "")
        yield from self._azure.lease(target, "renew", {"x-ms-lease-id": ident})
        return True

    @stream_operation
    def ex_release_lease(
        self, target: Container | Object, lease_id: str | None = None
    ) -> StreamFlow[bool]:
        """Release the lease (``lease_id``, else the one ``target`` holds)."""
        ident = lease_id or str(target.extra.get("lease_id") or "")
        yield from self._azure.lease(target, "release", {"x-ms-lease-id": ident})
        target.extra.pop("lease_id", None)
        return True

    @stream_operation
    def ex_break_lease(
        self, target: Container | Object, break_period: int | None = None
    ) -> StreamFlow[int]:
        """Break the lease, whoever holds it; returns the seconds until it is broken (0: now)."""
        headers = {} if break_period is None else {"x-ms-lease-break-period": str(break_period)}
        response = yield from self._azure.lease(target, "break", headers)
        target.extra.pop("lease_id", None)
        return int(response.headers.get("x-ms-lease-time", "0") or 0)

    def ex_account_sas(
        self,
        permissions: str = "rl",
        expires: int = 3600,
        resource_types: str = "sco",
    ) -> str:
        """An account SAS for the Blob service (query string, no ``?``) valid for ``expires``
        seconds, signed with the account key (no I/O)."""
        from omnicloud.azure._signing import account_sas

        account = self._azure.service.account
        if account.key is None:
            raise UnsupportedOperationError("an account SAS needs the account key")
        return account_sas(
            account.name,
            account.key,
            permissions=permissions,
            expiry=_iso_after(expires),
            resource_types=resource_types,
        )

    def ex_container_sas(
        self, container: Container | str, permissions: str = "rl", expires: int = 3600
    ) -> str:
        """A container SAS (query string, no ``?``) valid for ``expires`` seconds (no I/O)."""
        from omnicloud.azure._signing import blob_sas

        account = self._azure.service.account
        if account.key is None:
            raise UnsupportedOperationError("a container SAS needs the account key")
        name = container if isinstance(container, str) else container.name
        return blob_sas(
            account.name, account.key, name, None, permissions=permissions,
            expiry=_iso_after(expires),
        )  # fmt: skip


class AzureBlobsStorageDriver(StorageDriver, AzureBlobsExtras):
    """Azure Blob Storage, sync. ``ex_block_size`` and ``ex_concurrency`` tune staged-block
    uploads (data of ``ex_block_size`` bytes or more goes in blocks, ``ex_concurrency`` at a
    time) and the parallel ranged GETs of large downloads (``1``: one plain GET each)."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        *,
        endpoint: str | None = None,
        ex_sas_token: str | None = None,
        ex_connection_string: str | None = None,
        ex_block_size: int = 8 * 1024 * 1024,
        ex_concurrency: int = 4,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, secure=secure, host=host, port=port, endpoint=endpoint,
            sas_token=ex_sas_token, connection_string=ex_connection_string,
            block_size=ex_block_size, concurrency=ex_concurrency, http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingSyncHttp(config, redactor))


class AsyncAzureBlobsStorageDriver(AsyncStorageDriver, AzureBlobsExtras):
    """Async twin of :class:`AzureBlobsStorageDriver` (same arguments)."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        *,
        endpoint: str | None = None,
        ex_sas_token: str | None = None,
        ex_connection_string: str | None = None,
        ex_block_size: int = 8 * 1024 * 1024,
        ex_concurrency: int = 4,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, secure=secure, host=host, port=port, endpoint=endpoint,
            sas_token=ex_sas_token, connection_string=ex_connection_string,
            block_size=ex_block_size, concurrency=ex_concurrency, http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingAsyncHttp(config, redactor))
