"""OpenStack Swift object storage (Libcloud's ``Provider.OPENSTACK_SWIFT``).

Authentication is :mod:`omnicloud.openstack` (Keystone v3/v2.0 or Swift's own auth v1.0),
with Libcloud's arguments: ``ex_force_auth_url``, ``ex_force_auth_version``,
``ex_tenant_name``, ``ex_domain_name``, ``ex_force_service_region``, ``ex_force_base_url``,
``ex_force_auth_token``. ``Object.hash`` is Swift's ETag: the MD5 of the content for objects
stored by one PUT, checked on upload and download; for a static large object it is the MD5 of
the segments' MD5s (as Swift states it), and a download is checked segment by segment against
the MD5s its manifest lists.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from omnicloud._flow import Emit
from omnicloud._shell import stream_operation
from omnicloud.errors import MalformedResponseError, ValidationError
from omnicloud.http import HttpRequest, HttpResponse
from omnicloud.http._config import HttpConfig
from omnicloud.http._redact import Redactor
from omnicloud.http._streaming import Close, StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.openstack._auth import AuthSettings
from omnicloud.openstack._options import session_from_options
from omnicloud.openstack._session import OpenStackSession
from omnicloud.storage._get import AGAIN, Verdict, open_for_reading
from omnicloud.storage._hashing import Expected
from omnicloud.storage._models import Container, Object
from omnicloud.storage._ops import OpenedObject, StorageOps, UploadRequest
from omnicloud.storage._ranges import byte_range
from omnicloud.storage.base import AsyncStorageDriver, StorageDriver
from omnicloud.storage.drivers.swift_protocol import (
    container_path,
    object_path,
    storage_error,
    temp_url_query,
)
from omnicloud.storage.drivers.swift_upload import SegmentSettings, upload_flow
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    IntegrityError,
    UnsupportedOperationError,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = [
    "AsyncOpenStackSwiftStorageDriver",
    "OpenStackSwiftStorageDriver",
    "SwiftExtras",
    "SwiftStorageOps",
]

SERVICE = "object-store"
META_PREFIX = "x-object-meta-"
TEMP_URL_KEY = "x-account-meta-temp-url-key"


def _is_md5(etag: str) -> bool:
    return len(etag) == 32 and all(c in "0123456789abcdef" for c in etag.lower())


class SwiftStorageOps(StorageOps):
    """Swift operations as flows over an :class:`OpenStackSession`."""

    name = "OpenStack Swift"

    def __init__(
        self,
        session: OpenStackSession,
        settings: SegmentSettings,
        *,
        service_type: str = SERVICE,
        page_size: int = 1000,
        temp_url_key: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.service_type = service_type
        self.page_size = page_size
        self.temp_url_key = temp_url_key
        session.redactor.add(temp_url_key)

    def __repr__(self) -> str:
        return f"SwiftStorageOps({self.session!r})"

    # requests ---------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        operation: str = "",
    ) -> Flow[HttpResponse]:
        suffix = _query(query)
        sent = dict(headers or {})

        def build(base: str) -> HttpRequest:
            return HttpRequest(
                method, base + path + suffix, headers=sent, content=content, operation=operation
            )

        response: HttpResponse = yield from self.session.send(self.service_type, build)
        return response

    def _fail(self, response: HttpResponse, operation: str, missing: str) -> Exception:
        return storage_error(response, operation, missing, self.session.redactor)

    # containers -------------------------------------------------------------------------------
    def iterate_containers(self) -> StreamFlow[None]:
        marker: str | None = None
        while True:
            query = [("format", "json"), ("limit", str(self.page_size))]
            if marker:
                query.append(("marker", marker))
            response = yield from self._send("GET", "", query=query, operation="swift GET account")
            if response.status == 204:
                return
            if response.status != 200:
                raise self._fail(response, "swift GET account", "container")
            docs = _json_list(response, "swift GET account")
            yield Emit(
                [
                    self._container(
                        str(doc.get("name", "")),
                        object_count=doc.get("count"),
                        bytes=doc.get("bytes"),
                        last_modified=doc.get("last_modified"),
                    )
                    for doc in docs
                ]
            )
            if len(docs) < self.page_size:
                return
            marker = str(docs[-1].get("name", ""))

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        operation = f"swift HEAD container {container_name}"
        response = yield from self._send(
            "HEAD", container_path(container_name), operation=operation
        )
        if response.status not in (200, 204):
            raise self._fail(response, operation, "container")
        headers = response.headers
        return self._container(
            container_name,
            object_count=_int(headers.get("x-container-object-count")),
            bytes=_int(headers.get("x-container-bytes-used")),
            meta_data=_meta(headers, "x-container-meta-"),
        )

    def create_container(self, container_name: str) -> StreamFlow[Container]:
        operation = f"swift PUT container {container_name}"
        response = yield from self._send("PUT", container_path(container_name), operation=operation)
        if response.status == 202:  # Swift's answer to creating a container that exists
            raise ContainerAlreadyExistsError(
                f"{operation}: container {container_name!r} exists already",
                status=202,
                provider="openstack_swift",
            )
        if response.status not in (200, 201, 204):
            raise self._fail(response, operation, "container")
        return self._container(container_name, object_count=0, bytes=0)

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        operation = f"swift DELETE container {container.name}"
        response = yield from self._send(
            "DELETE", container_path(container.name), operation=operation
        )
        if response.status not in (200, 204):
            raise self._fail(response, operation, "container")
        return True

    # listing ----------------------------------------------------------------------------------
    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        path = container_path(container.name)
        operation = f"swift GET container {container.name}"
        marker: str | None = None
        while True:
            query = [("format", "json"), ("limit", str(self.page_size))]
            if prefix:
                query.append(("prefix", prefix))
            if delimiter:
                query.append(("delimiter", delimiter))
            if marker:
                query.append(("marker", marker))
            response = yield from self._send("GET", path, query=query, operation=operation)
            if response.status == 204:
                return
            if response.status != 200:
                raise self._fail(response, operation, "container")
            docs = _json_list(response, operation)
            yield Emit([self._listed(container, doc) for doc in docs])
            if len(docs) < self.page_size:
                return
            last = docs[-1]
            next_marker = str(last.get("name") or last.get("subdir") or "")
            if not next_marker or next_marker == marker:
                raise MalformedResponseError(f"{operation}: a full page without a new marker")
            marker = next_marker

    def _listed(self, container: Container, doc: dict[str, Any]) -> Object:
        if "subdir" in doc:
            return Object(
                name=str(doc["subdir"]),
                size=0,
                hash=None,
                extra={"is_prefix": True},
                container=container,
                driver=self.driver,
            )
        etag = str(doc.get("hash") or "") or None
        return Object(
            name=str(doc.get("name", "")),
            size=int(doc.get("bytes") or 0),
            hash=etag,
            extra={
                "etag": etag,
                "content_type": doc.get("content_type"),
                "last_modified": doc.get("last_modified"),
                "slo": "slo_etag" in doc,
            },
            container=container,
            driver=self.driver,
        )

    # objects ----------------------------------------------------------------------------------
    def _from_headers(self, container: Container, name: str, headers: Any) -> Object:
        etag = headers.get("etag", "").strip().strip('"') or None
        slo = headers.get("x-static-large-object", "").lower() == "true"
        return Object(
            name=name,
            size=int(headers.get("content-length", 0) or 0),
            hash=etag,
            extra={
                "content_type": headers.get("content-type"),
                "etag": etag,
                "last_modified": headers.get("last-modified"),
                "timestamp": headers.get("x-timestamp"),
                "slo": slo,
            },
            meta_data=_meta(headers, META_PREFIX),
            container=container,
            driver=self.driver,
        )

    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        operation = f"swift HEAD {object_name}"
        response = yield from self._send(
            "HEAD", object_path(container_name, object_name), operation=operation
        )
        if response.status != 200:
            raise self._fail(response, operation, "object")
        return self._from_headers(self._container(container_name), object_name, response.headers)

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        headers = {"Content-Type": request.content_type, **request.headers}
        for key, value in request.meta_data.items():
            headers["X-Object-Meta-" + key] = value
        result = yield from upload_flow(
            self.session,
            self.settings,
            source,
            request.container.name,
            request.object_name,
            headers,
        )
        return Object(
            name=request.object_name,
            size=result.size,
            hash=result.etag,
            extra={
                "content_type": request.content_type,
                "etag": result.etag,
                "segments": result.segments,
                "slo": result.segments > 0,
            },
            meta_data=dict(request.meta_data),
            container=request.container,
            driver=self.driver,
        )

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        headers: dict[str, str] = {}
        ranged = start > 0 or end is not None
        if ranged:
            headers["Range"] = byte_range(start, end)
        stream = yield from self._open_get(obj, headers, (200, 206))
        length = stream.headers.get("content-length")
        quoted = stream.headers.get("etag", "")
        etag = quoted.strip().strip('"')
        slo = stream.headers.get("x-static-large-object", "").lower() == "true"
        md5 = etag if not ranged and not slo and _is_md5(etag) else None

        def resume(received: int) -> StreamFlow[OpenedObject]:
            """The rest of this very version (If-Match) after ``received`` bytes."""
            rest = {"Range": byte_range(start + received, end)}
            if quoted:
                rest["If-Match"] = quoted
            again = yield from self._open_get(obj, rest, (206,))
            return OpenedObject(reader=again, size=None, md5=None)

        size = int(length) if length else None
        opened = OpenedObject(reader=stream, size=size, md5=md5, resume=resume)
        if slo and not ranged:
            try:
                opened.expected = yield from self._slo_expected(obj, quoted)
            except BaseException:
                yield Close(stream)
                raise
        return opened

    def _slo_expected(self, obj: Object, quoted: str) -> StreamFlow[Expected | None]:
        """What a static large object's bytes hash to, segment by segment: its manifest lists
        each segment's MD5 and size. Segments of one size (all but the last, as this driver
        writes them) make it the digest :class:`StreamDigest` computes; other layouts (nested
        manifests, ranges, mixed sizes) are not checked (None)."""
        operation = f"swift GET {obj.name} (SLO manifest)"
        response = yield from self._send(
            "GET",
            object_path(obj.container_name, obj.name),
            query=[("multipart-manifest", "get")],
            operation=operation,
        )
        if response.status != 200:
            return None
        # the manifest must be the one of the version being read (the object's ETag is the MD5
        # of its segments' MD5s): else it was replaced meanwhile, and nothing is checked
        if response.headers.get("x-static-large-object", "").lower() != "true":
            return None
        try:
            segments = _json_list(response, operation)
            hashes = [bytes.fromhex(str(seg["hash"])) for seg in segments]
            sizes = [int(seg["bytes"]) for seg in segments]
        except (MalformedResponseError, KeyError, TypeError, ValueError):
            return None
        if not segments or any("range" in seg or seg.get("sub_slo") for seg in segments):
            return None
        if len(set(sizes[:-1])) > 1 or (len(sizes) > 1 and sizes[-1] > sizes[0]):
            return None
        listed = "".join(h.hex() for h in hashes).encode("ascii")
        if quoted and hashlib.md5(listed, usedforsecurity=False).hexdigest() != quoted.strip('"'):
            return None
        combined = hashlib.md5(b"".join(hashes), usedforsecurity=False).hexdigest()
        return Expected(
            "md5", f"{combined}-{len(hashes)}", "segment MD5s of the SLO manifest", sizes[0]
        )

    def _open_get(
        self, obj: Object, headers: dict[str, str], expected: tuple[int, ...]
    ) -> StreamFlow[Any]:
        """Open a GET of the object's body (:func:`~omnicloud.storage._get.open_for_reading`),
        once more with a new token after a 401."""
        session = self.session
        path = object_path(obj.container_name, obj.name)
        operation = f"swift GET {obj.name}"
        token: Any = None
        fetched = renewed = False

        def build() -> Flow[HttpRequest]:
            nonlocal token, fetched
            if not fetched:  # the session's token, asked once; a 401 renews it (refused)
                token, fetched = (yield from session.current_token()), True
            return session.signed(
                lambda base: HttpRequest("GET", base + path, headers=headers, operation=operation),
                token,
                self.service_type,
            )

        def refused(stream: Any, request: HttpRequest) -> StreamFlow[Verdict]:
            nonlocal token, renewed
            if stream.status == 401 and not renewed and session.can_renew(token):
                renewed = True
                token = yield from session.reauthenticate(token)
                return AGAIN
            if stream.status == 412 and "If-Match" in headers:
                raise IntegrityError(f"{operation}: the object changed during the download")
            return None

        return (
            yield from open_for_reading(
                build, session.retry, expected, range_header="Range", headers=headers,
                label=operation, refused=refused,
                fail=lambda response: self._fail(response, operation, "object"),
            )
        )  # fmt: skip

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        operation = f"swift DELETE {obj.name}"
        path = object_path(obj.container_name, obj.name)
        if obj.extra.get("slo"):
            response = yield from self._send(
                "DELETE",
                path,
                query=[("multipart-manifest", "delete")],
                headers={"Accept": "application/json"},
                operation=operation,
            )
            if response.status == 200 and response.content:
                _check_bulk(response, operation, self.session.redactor)
                return True
        else:
            response = yield from self._send("DELETE", path, operation=operation)
        if response.status not in (200, 204):
            raise self._fail(response, operation, "object")
        return True

    # account and temp URLs --------------------------------------------------------------------
    def account_headers(self) -> Flow[Any]:
        """The account's headers (``HEAD`` on the storage URL)."""
        response = yield from self._send("HEAD", "", operation="swift HEAD account")
        if response.status not in (200, 204):
            raise self._fail(response, "swift HEAD account", "container")
        return response.headers

    def set_temp_url_key(self, key: str) -> Flow[bool]:
        """Set the account's ``X-Account-Meta-Temp-URL-Key`` (needs an admin of the account)."""
        if not key:
            raise ValidationError("the temp URL key must not be empty")
        self.session.redactor.add(key)
        operation = "swift POST account (temp URL key)"
        response = yield from self._send(
            "POST", "", headers={"X-Account-Meta-Temp-URL-Key": key}, operation=operation
        )
        if response.status not in (200, 201, 202, 204):
            raise self._fail(response, operation, "container")
        self.temp_url_key = key
        return True

    def temp_url(
        self, obj: Object, method: str, timeout: int, digest: str, key: str | None = None
    ) -> Flow[str]:
        """A temp URL granting ``method`` on ``obj`` for ``timeout`` seconds."""
        base = yield from self.session.endpoint(self.service_type)
        key = key or self.temp_url_key
        if not key:
            headers = yield from self.account_headers()
            key = headers.get(TEMP_URL_KEY) or headers.get(TEMP_URL_KEY + "-2")
            if not key:
                raise UnsupportedOperationError(
                    "the account has no temp URL key: set one with "
                    "ex_set_account_metadata_temp_url_key() first"
                )
            self.session.redactor.add(key)
            self.temp_url_key = key
        return self._signed_url(base, obj, method, timeout, digest, key)

    def _signed_url(
        self, base: str, obj: Object, method: str, timeout: int, digest: str, key: str
    ) -> str:
        if timeout <= 0:
            raise ValidationError("a temp URL's timeout must be a positive number of seconds")
        encoded = object_path(obj.container_name, obj.name)
        path = unquote(urlsplit(base).path + encoded)
        query = temp_url_query(key, method, path, int(time.time()) + int(timeout), digest)
        return f"{base}{encoded}?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query)

    def presigned_url(
        self, obj: Object, method: str, expires: int, headers: dict[str, str] | None
    ) -> str:
        key = self.temp_url_key
        token = self.session.token
        base = self.session.overrides.get(self.service_type)
        if base is None and token is not None:
            base = self.session.endpoint_of(token, self.service_type)
        if not key or base is None:
            raise UnsupportedOperationError(
                "a Swift temp URL needs the account's temp URL key and storage URL: pass "
                "ex_temp_url_key= (and authenticate once), or use ex_get_object_temp_url()"
            )
        return self._signed_url(base, obj, method, expires, "sha256", key)


def _query(query: list[tuple[str, str]] | None) -> str:
    if not query:
        return ""
    return "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)


def _json_list(response: HttpResponse, operation: str) -> list[dict[str, Any]]:
    docs = response.json()
    if not isinstance(docs, list) or not all(isinstance(doc, dict) for doc in docs):
        raise MalformedResponseError(f"{operation}: the listing is not a JSON list of objects")
    return docs


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _meta(headers: Any, prefix: str) -> dict[str, str]:
    return {
        str(k).lower()[len(prefix) :]: v
        for k, v in headers.items()
        if str(k).lower().startswith(prefix)
    }


def _check_bulk(response: HttpResponse, operation: str, redactor: Redactor) -> None:
    """Raise for a failed ``?multipart-manifest=delete`` (its status is in the JSON body)."""
    try:
        doc = response.json()
    except MalformedResponseError:
        return
    status = str(doc.get("Response Status", "200")) if isinstance(doc, dict) else "200"
    code = int(status.split(" ", 1)[0]) if status[:3].isdigit() else 200
    if code >= 300:
        failed = HttpResponse(status=code, headers={}, content=b"")
        raise storage_error(failed, f"{operation}: {status}", "object", redactor)


def _make_ops(
    key: str | None,
    secret: str | None,
    *,
    secure: bool,
    host: str | None,
    port: int | None,
    region: str | None,
    auth: AuthSettings | None,
    segment_size: int,
    concurrency: int,
    segment_container: str | None,
    large_objects: bool,
    temp_url_key: str | None,
    http: HttpConfig | None,
    refresh_margin: float,
    options: dict[str, Any],
) -> tuple[SwiftStorageOps, HttpConfig, Redactor]:
    config = http or HttpConfig()
    redactor = Redactor()
    if options.get("ex_force_auth_url") is None and host and auth is None:
        scheme = "https" if secure else "http"
        options = {
            **options,
            "ex_force_auth_url": f"{scheme}://{host}" + (f":{port}" if port else ""),
        }
    session, service = session_from_options(
        key, secret, service_type=SERVICE, auth=auth, region=region, retry=config.retry,
        redactor=redactor, refresh_margin=refresh_margin, **options,
    )  # fmt: skip
    settings = SegmentSettings(
        segment_size=segment_size,
        concurrency=concurrency,
        segment_container=segment_container,
        large_objects=large_objects,
    )
    ops = SwiftStorageOps(session, settings, service_type=service, temp_url_key=temp_url_key)
    return ops, config, redactor


class SwiftExtras:
    """The Swift driver's own members, written once for the sync and the async driver."""

    _ops: StorageOps

    @property
    def _swift(self) -> SwiftStorageOps:
        ops: SwiftStorageOps = self._ops  # type: ignore[assignment]
        return ops

    @property
    def ex_session(self) -> OpenStackSession:
        """The authenticated identity (token reuse, catalog, endpoint choice); never secrets."""
        return self._swift.session

    @stream_operation
    def ex_get_object_temp_url(
        self, obj: Object, method: str = "GET", timeout: int = 60, ex_digest: str = "sha256"
    ) -> StreamFlow[str]:
        """A temp URL granting ``method`` on ``obj`` for ``timeout`` seconds, signed with the
        account's temp URL key (read from the account when not known) by HMAC-``ex_digest``
        (``"sha256"``, ``"sha512"`` or the deprecated ``"sha1"``)."""
        return (yield from self._swift.temp_url(obj, method, timeout, ex_digest))

    @stream_operation
    def ex_set_account_metadata_temp_url_key(self, temp_url_key: str) -> StreamFlow[bool]:
        """Set the account's temp URL key (``X-Account-Meta-Temp-URL-Key``)."""
        return (yield from self._swift.set_temp_url_key(temp_url_key))

    @stream_operation
    def ex_get_account_metadata(self) -> StreamFlow[dict[str, str]]:
        """The account's ``X-Account-*`` headers (object count, bytes used, metadata), with
        the temp URL keys left out."""
        headers = yield from self._swift.account_headers()
        return {
            str(k).lower(): v
            for k, v in headers.items()
            if str(k).lower().startswith("x-account-") and "temp-url-key" not in str(k).lower()
        }


class OpenStackSwiftStorageDriver(StorageDriver, SwiftExtras):
    """OpenStack Swift, sync. ``key``/``secret`` are the user and password (the tempauth
    ``account:user`` and key for auth 1.0, the application credential id and secret for
    ``3.x_appcred``); the rest are Libcloud's ``ex_*`` arguments (see the module) or ``auth=``
    (an :class:`~omnicloud.openstack.AuthSettings`).

    ``segment_size`` and ``concurrency`` tune static large object uploads (segments go to
    ``segment_container``, default ``<container>_segments``); ``large_objects=False`` sends
    data of ``segment_size`` or more in one chunked PUT instead; ``temp_url_key`` lets
    :meth:`get_object_presigned_url` sign without asking the account.
    """

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        region: str | None = None,
        *,
        auth: AuthSettings | None = None,
        ex_force_auth_url: str | None = None,
        ex_force_auth_version: str | None = None,
        ex_tenant_name: str | None = None,
        ex_tenant_id: str | None = None,
        ex_domain_name: str | None = None,
        ex_domain_id: str | None = None,
        ex_user_domain_name: str | None = None,
        ex_project_domain_name: str | None = None,
        ex_force_service_region: str | None = None,
        ex_force_service_type: str | None = None,
        ex_force_service_name: str | None = None,
        ex_force_service_interface: str | None = None,
        ex_force_base_url: str | None = None,
        ex_force_auth_token: str | None = None,
        segment_size: int = 16 * 1024 * 1024,
        concurrency: int = 4,
        segment_container: str | None = None,
        large_objects: bool = True,
        temp_url_key: str | None = None,
        refresh_margin: float = 60.0,
        http: HttpConfig | None = None,
    ) -> None:
        options = {
            name: value
            for name, value in locals().items()
            if name.startswith("ex_") and value is not None
        }
        ops, config, redactor = _make_ops(
            key, secret, secure=secure, host=host, port=port, region=region, auth=auth,
            segment_size=segment_size, concurrency=concurrency,
            segment_container=segment_container, large_objects=large_objects,
            temp_url_key=temp_url_key, http=http,
            refresh_margin=refresh_margin, options=options,
        )  # fmt: skip
        super().__init__(ops, StreamingSyncHttp(config, redactor))


class AsyncOpenStackSwiftStorageDriver(AsyncStorageDriver, SwiftExtras):
    """Async twin of :class:`OpenStackSwiftStorageDriver` (same arguments; segments of large
    uploads go up in parallel)."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        region: str | None = None,
        *,
        auth: AuthSettings | None = None,
        ex_force_auth_url: str | None = None,
        ex_force_auth_version: str | None = None,
        ex_tenant_name: str | None = None,
        ex_tenant_id: str | None = None,
        ex_domain_name: str | None = None,
        ex_domain_id: str | None = None,
        ex_user_domain_name: str | None = None,
        ex_project_domain_name: str | None = None,
        ex_force_service_region: str | None = None,
        ex_force_service_type: str | None = None,
        ex_force_service_name: str | None = None,
        ex_force_service_interface: str | None = None,
        ex_force_base_url: str | None = None,
        ex_force_auth_token: str | None = None,
        segment_size: int = 16 * 1024 * 1024,
        concurrency: int = 4,
        segment_container: str | None = None,
        large_objects: bool = True,
        temp_url_key: str | None = None,
        refresh_margin: float = 60.0,
        http: HttpConfig | None = None,
    ) -> None:
        options = {
            name: value
            for name, value in locals().items()
            if name.startswith("ex_") and value is not None
        }
        ops, config, redactor = _make_ops(
            key, secret, secure=secure, host=host, port=port, region=region, auth=auth,
            segment_size=segment_size, concurrency=concurrency,
            segment_container=segment_container, large_objects=large_objects,
            temp_url_key=temp_url_key, http=http,
            refresh_margin=refresh_margin, options=options,
        )  # fmt: skip
        super().__init__(ops, StreamingAsyncHttp(config, redactor))
