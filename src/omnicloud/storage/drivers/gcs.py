"""Google Cloud Storage on its JSON API (Libcloud's ``Provider.GOOGLE_STORAGE``).

Credentials: a service account's JSON key (``service_account=`` a path, JSON text or dict, or
Libcloud's ``key=<client_email>, secret=<key file, JSON or PEM>``, or the file named by
``GOOGLE_APPLICATION_CREDENTIALS``), an access token (``ex_token=``), or none against an
emulator (``endpoint=``). With an HMAC interoperability key (Libcloud's ``key="GOOG...",
secret=...``) the driver speaks the XML API instead, signed like S3 (:mod:`.gcs_hmac`).

``Object.hash`` is the MD5 of the content in hex (Cloud Storage's ``md5Hash`` decoded); composite
objects have none (``hash`` is None) and are checked by CRC32C instead. Uploads and downloads are
checked (see :mod:`.gcs_upload` and ``docs/gcs.md``).
"""

from __future__ import annotations

import base64
import os
from typing import Any

from omnicloud._flow import Emit
from omnicloud._shell import stream_operation
from omnicloud.errors import (
    ConfigurationError,
    MalformedResponseError,
    NotSupportedError,
    ValidationError,
)
from omnicloud.gcp import _crc32c
from omnicloud.gcp._storage import (
    DEFAULT_ENDPOINT,
    GcsClient,
    bucket_name,
    error_from_response,
    json_when_ok,
    object_name,
)
from omnicloud.gcp.auth import (
    DEFAULT_SCOPES,
    AccessToken,
    Anonymous,
    ServiceAccount,
    TokenSource,
    load_service_account,
)
from omnicloud.http._config import HttpConfig
from omnicloud.http._models import HttpRequest
from omnicloud.http._redact import Redactor
from omnicloud.http._streaming import Close, StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._get import AGAIN, Verdict, open_for_reading
from omnicloud.storage._hashing import Expected
from omnicloud.storage._models import Container, Object
from omnicloud.storage._ops import OpenedObject, StorageOps, UploadRequest
from omnicloud.storage._ranges import RangeIgnoredError, byte_range, pinned_reads
from omnicloud.storage.base import AsyncStorageDriver, StorageDriver
from omnicloud.storage.drivers.gcs_hmac import GcsXmlOps, is_hmac_key, make_hmac_ops
from omnicloud.storage.drivers.gcs_upload import UploadSettings, upload_flow
from omnicloud.storage.errors import IntegrityError, ObjectHashMismatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._flow import Flow
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = [
    "AsyncGoogleStorageDriver",
    "GoogleStorageDriver",
    "GoogleStorageExtras",
    "GoogleStorageOps",
]

#: The most one ranged GET of a parallel download asks for (``concurrency`` are held at once;
#: 8 MiB held 61 MiB more for a 256 MiB object on fake-gcs-server, 4 MiB 37 MiB, at one speed).
RANGE_SIZE = 4 * 1024 * 1024


def _total_size(content_range: str) -> int | None:
    _, _, total = content_range.rpartition("/")
    return int(total) if total.isdigit() else None


def parse_goog_hash(value: str) -> dict[str, str]:
    """``x-goog-hash: crc32c=...,md5=...`` (one header or several joined) as a dict."""
    found: dict[str, str] = {}
    for part in value.split(","):
        algorithm, sep, digest = part.strip().partition("=")
        if sep and digest:
            found[algorithm.strip().lower()] = digest.strip()
    return found


def _prefer_crc32c(stated: dict[str, str]) -> bool:
    """Whether a whole download is checked by its CRC32C rather than its MD5: when Cloud
    Storage states one and the C implementation is there (several times faster than MD5, and
    what Google's own client checks); else MD5, or the pure-Python CRC32C for composite objects
    only (see :meth:`GoogleStorageOps._expect`)."""
    return _crc32c.FAST and bool(stated.get("crc32c"))


def _md5_hex(b64: str | None) -> str | None:
    if not b64:
        return None
    try:
        raw = base64.b64decode(b64, validate=True)
    except ValueError:
        return None
    return raw.hex() if len(raw) == 16 else None


class _Crc32cReader:
    """A response stream whose bytes are CRC32C-summed as they are read; at the end of the
    object the sum must be the stored one. A resumed stream shares the running sum."""

    def __init__(self, stream: Any, state: _CrcState) -> None:
        self.stream = stream
        self.state = state
        self.headers = stream.headers

    def _seen(self, piece: bytes) -> bytes:
        if piece:
            self.state.update(piece)
        else:
            self.state.finish()
        return piece

    def read(self, size: int) -> bytes:
        return self._seen(self.stream.read(size))

    async def aread(self, size: int) -> bytes:
        return self._seen(await self.stream.aread(size))

    def close(self) -> None:
        self.stream.close()

    async def aclose(self) -> None:
        await self.stream.aclose()


class _CrcState:
    def __init__(self, name: str, stored: str, size: int | None) -> None:
        self.name = name
        self.stored = stored
        self.size = size
        self.crc = _crc32c.Crc32c()
        self.received = 0

    def update(self, piece: bytes) -> None:
        self.crc.update(piece)
        self.received += len(piece)

    def finish(self) -> None:
        if self.size is not None and self.received != self.size:
            return  # the size check reports it
        if self.crc.base64() != self.stored:
            raise ObjectHashMismatchError(
                f"{self.name}: CRC32C of the received bytes {self.crc.base64()} differs from "
                f"the stored CRC32C {self.stored}"
            )


class GoogleStorageOps(StorageOps):
    """Cloud Storage operations as flows over a :class:`GcsClient`."""

    name = "Google Cloud Storage"

    def __init__(self, client: GcsClient, settings: UploadSettings, concurrency: int = 4) -> None:
        super().__init__()
        if concurrency < 1:
            raise ValidationError("concurrency must be at least 1")
        self.client = client
        self.settings = settings
        self.concurrency = concurrency
        self.page_size = 1000

    def __repr__(self) -> str:
        return f"GoogleStorageOps({self.client!r})"

    def _project(self) -> str:
        project = self.client.project
        if not project:
            raise ConfigurationError(
                "listing and creating buckets needs a project: pass project= (a service "
                "account key's project_id is used when given)"
            )
        return project

    def _fail(self, response: Any, operation: str, missing: str) -> Exception:
        return error_from_response(response, operation, missing, self.client.redactor)

    # containers -------------------------------------------------------------------------------
    def iterate_containers(self) -> StreamFlow[None]:
        token: str | None = None
        while True:
            query = [("project", self._project()), ("maxResults", str(self.page_size))]
            if token:
                query.append(("pageToken", token))
            response, doc = yield from self.client.send(
                "GET", "/storage/v1/b", query=query, operation="gcs list buckets",
                parse=json_when_ok,
            )  # fmt: skip
            if response.status != 200:
                raise self._fail(response, "gcs list buckets", "container")
            yield Emit([self._bucket(item) for item in _items(doc)])
            next_token = doc.get("nextPageToken")
            if not next_token or next_token == token:
                return
            token = str(next_token)

    def _bucket(self, doc: dict[str, Any]) -> Container:
        return self._container(
            str(doc.get("name", "")),
            location=doc.get("location"),
            storage_class=doc.get("storageClass"),
            creation_date=doc.get("timeCreated"),
            project_number=doc.get("projectNumber"),
            etag=doc.get("etag"),
        )

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        operation = f"gcs get bucket {container_name}"
        response, doc = yield from self.client.send(
            "GET", f"/storage/v1/b/{bucket_name(container_name)}", operation=operation,
            parse=json_when_ok,
        )  # fmt: skip
        if response.status != 200:
            raise self._fail(response, operation, "container")
        return self._bucket(doc)

    def create_container(
        self, container_name: str, location: str | None = None
    ) -> StreamFlow[Container]:
        operation = f"gcs create bucket {container_name}"
        bucket_name(container_name)
        body: dict[str, Any] = {"name": container_name}
        if location:
            body["location"] = location
        response, doc = yield from self.client.send(
            "POST", "/storage/v1/b", query=[("project", self._project())], json_body=body,
            operation=operation, idempotent=False, parse=json_when_ok,
        )  # fmt: skip
        if response.status not in (200, 201):
            raise self._fail(response, operation, "create")
        return self._bucket(doc)

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        operation = f"gcs delete bucket {container.name}"
        response = yield from self.client.send(
            "DELETE", f"/storage/v1/b/{bucket_name(container.name)}", operation=operation
        )
        if response.status not in (200, 204):
            raise self._fail(response, operation, "delete")
        return True

    # listing ----------------------------------------------------------------------------------
    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        operation = f"gcs list objects {container.name}"
        path = f"/storage/v1/b/{bucket_name(container.name)}/o"
        token: str | None = None
        while True:
            query = [("maxResults", str(self.page_size))]
            if prefix:
                query.append(("prefix", prefix))
            if delimiter:
                query.append(("delimiter", delimiter))
            if token:
                query.append(("pageToken", token))
            response, doc = yield from self.client.send(
                "GET", path, query=query, operation=operation, parse=json_when_ok
            )
            if response.status != 200:
                raise self._fail(response, operation, "container")
            found = [self._object(container, item) for item in _items(doc)]
            found += [
                Object(name=str(p), size=0, hash=None, extra={"is_prefix": True},
                       container=container, driver=self.driver)
                for p in doc.get("prefixes") or []
            ]  # fmt: skip
            found.sort(key=lambda obj: obj.name)
            yield Emit(found)
            next_token = doc.get("nextPageToken")
            if not next_token:
                return
            if next_token == token:
                raise MalformedResponseError(f"{operation}: the same page token twice")
            token = str(next_token)

    def _object(self, container: Container, doc: dict[str, Any]) -> Object:
        md5 = doc.get("md5Hash")
        meta = doc.get("metadata") or {}
        return Object(
            name=str(doc.get("name", "")),
            size=int(doc.get("size") or 0),
            hash=_md5_hex(md5),
            extra={
                "content_type": doc.get("contentType"),
                "etag": doc.get("etag"),
                "md5_hash": md5,
                "crc32c": doc.get("crc32c"),
                "generation": doc.get("generation"),
                "metageneration": doc.get("metageneration"),
                "last_modified": doc.get("updated"),
                "creation_date": doc.get("timeCreated"),
                "storage_class": doc.get("storageClass"),
                "component_count": doc.get("componentCount"),
                "content_encoding": doc.get("contentEncoding"),
                "cache_control": doc.get("cacheControl"),
                "media_link": doc.get("mediaLink"),
            },
            meta_data={str(k).lower(): str(v) for k, v in meta.items()},
            container=container,
            driver=self.driver,
        )

    # objects ----------------------------------------------------------------------------------
    def _object_path(self, container: str, name: str) -> str:
        return f"/storage/v1/b/{bucket_name(container)}/o/{object_name(name)}"

    def get_object(self, container_name: str, object_name_: str) -> StreamFlow[Object]:
        operation = f"gcs get object {object_name_}"
        response, doc = yield from self.client.send(
            "GET", self._object_path(container_name, object_name_), operation=operation,
            parse=json_when_ok,
        )  # fmt: skip
        if response.status != 200:
            raise self._fail(response, operation, "object")
        return self._object(self._container(container_name), doc)

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        extra = dict(request.extra)
        for header, field in (("cache-control", "cacheControl"),
                              ("content-disposition", "contentDisposition"),
                              ("content-encoding", "contentEncoding"),
                              ("content-language", "contentLanguage")):  # fmt: skip
            for given, value in request.headers.items():
                if given.lower() == header:
                    extra.setdefault(field, value)
        if extra.get("storage_class"):
            extra.setdefault("storageClass", str(extra["storage_class"]).upper())
        doc = yield from upload_flow(
            self.client, self.settings, source, request.container.name, request.object_name,
            request.content_type, request.meta_data, extra,
        )  # fmt: skip
        obj = self._object(request.container, doc)
        obj.extra["content_type"] = obj.extra.get("content_type") or request.content_type
        return obj

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        operation = f"gcs delete object {obj.name}"
        response = yield from self.client.send(
            "DELETE", self._object_path(obj.container_name, obj.name), operation=operation
        )
        if response.status not in (200, 204):
            raise self._fail(response, operation, "object")
        return True

    # downloads --------------------------------------------------------------------------------
    def _expect(self, opened: OpenedObject, obj: Object, headers: Any, size: int | None) -> None:
        """What the whole object's bytes must hash to, from ``x-goog-hash``: the MD5, or for a
        composite object (no MD5) the CRC32C, checked by the reader."""
        stated = parse_goog_hash(headers.get("x-goog-hash", ""))
        md5 = _md5_hex(stated.get("md5"))
        if _prefer_crc32c(stated):
            opened.expected = Expected("crc32c", stated["crc32c"], "x-goog-hash crc32c")
        elif md5:
            opened.md5 = md5
        elif stated.get("crc32c"):
            state = _CrcState(obj.name, stated["crc32c"], size)
            opened.reader = _Crc32cReader(opened.reader, state)
            resume = opened.resume
            if resume is not None:

                def resumed(received: int) -> StreamFlow[OpenedObject]:
                    again = yield from resume(received)
                    again.reader = _Crc32cReader(again.reader, state)
                    return again

                opened.resume = resumed

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        headers: dict[str, str] = {}
        ranged = start > 0 or end is not None
        if ranged:
            headers["Range"] = byte_range(start, end)
        stream = yield from self._open_get(obj, headers, (200, 206), None)
        generation = stream.headers.get("x-goog-generation")
        length = stream.headers.get("content-length")

        def resume(received: int) -> StreamFlow[OpenedObject]:
            """The rest of this very generation after ``received`` bytes."""
            rest = {"Range": byte_range(start + received, end)}
            again = yield from self._open_get(obj, rest, (206,), generation)
            return OpenedObject(reader=again, size=None, md5=None)

        size = int(length) if length else None
        opened = OpenedObject(reader=stream, size=size, md5=None, resume=resume)
        if not ranged and stream.status == 200 and not _transcoded(stream.headers):
            self._expect(opened, obj, stream.headers, size)
        return opened

    def open_whole(self, obj: Object) -> StreamFlow[OpenedObject]:
        """A large object opens as a GET of its first span; the rest comes as parallel ranged
        GETs of the same generation (or one stream), see :mod:`omnicloud.storage._ranges`."""
        span = min(self.settings.chunk_size, RANGE_SIZE)
        if (
            self.concurrency < 2
            or not obj.size
            or obj.size < 2 * span
            or not obj.hash  # no MD5 (a composite object): one stream, CRC32C-checked
        ):
            return (yield from self.open_object(obj, 0, None))
        try:
            stream = yield from self._open_get(obj, {"Range": byte_range(0, span)}, (206,), None)
        except RangeIgnoredError:
            return (yield from self.open_object(obj, 0, None))
        total = _total_size(stream.headers.get("content-range", ""))
        generation = stream.headers.get("x-goog-generation")
        if total is None:
            yield Close(stream)
            raise MalformedResponseError(f"gcs GET {obj.name}: a ranged answer without a size")

        resume, access = pinned_reads(
            lambda headers, expected: self._open_get(obj, headers, expected, generation),
            obj.name,
            range_header="Range",
            pin={},  # the generation is in every request's query
            window=self.concurrency,
            span=min(span, total),
        )
        opened = OpenedObject(reader=stream, size=total, md5=None, resume=resume, ranges=access)
        stated = parse_goog_hash(stream.headers.get("x-goog-hash", ""))
        md5 = _md5_hex(stated.get("md5"))
        if _transcoded(stream.headers):
            pass  # served decompressed: no stated hash covers these bytes
        elif _prefer_crc32c(stated):
            opened.expected = Expected("crc32c", stated["crc32c"], "x-goog-hash crc32c")
        elif md5:
            opened.md5 = md5
        return opened

    def _open_get(
        self,
        obj: Object,
        headers: dict[str, str],
        expected: tuple[int, ...],
        generation: str | None,
    ) -> StreamFlow[Any]:
        """Open ``GET ...?alt=media`` (of ``generation`` when given;
        :func:`~omnicloud.storage._get.open_for_reading`), once more with a new token after a
        401."""
        client = self.client
        operation = f"gcs GET {obj.name}"
        query = [("alt", "media")]
        if generation:
            query.append(("generation", generation))
        url = client.url(self._object_path(obj.container_name, obj.name), query)
        renewed = False
        token: str | None = None

        def build() -> Flow[HttpRequest]:
            nonlocal token
            sent = dict(headers)
            token = yield from client.authorize(sent)
            return HttpRequest("GET", url, headers=sent, operation=operation)

        def refused(stream: Any, request: HttpRequest) -> StreamFlow[Verdict]:
            nonlocal renewed
            if stream.status == 401 and not renewed and client.auth.can_renew(token):
                renewed = True
                client.auth.forget(token)
                return AGAIN
            if stream.status == 404 and generation:
                raise IntegrityError(f"{operation}: the object changed during the download")
            return None
            yield  # pragma: no cover - nothing to ask the service

        return (
            yield from open_for_reading(
                build, client.retry, expected, range_header="Range", headers=headers,
                label=operation, refused=refused,
                fail=lambda response: self._fail(response, operation, "object"),
            )
        )  # fmt: skip


def _transcoded(headers: Any) -> bool:
    """Whether the bytes served are not the bytes stored (decompressive transcoding)."""
    stored = headers.get("x-goog-stored-content-encoding", "").lower()
    served = headers.get("content-encoding", "").lower()
    return bool(stored) and stored != "identity" and stored != served


def _items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    items = doc.get("items") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedResponseError("the listing's items are not a list of objects")
    return items


def _make_ops(
    key: str | None,
    secret: Any,
    *,
    project: str | None,
    secure: bool,
    host: str | None,
    port: int | None,
    endpoint: str | None,
    service_account: Any,
    ex_token: str | None,
    scopes: tuple[str, ...] | None,
    user_project: str | None,
    chunk_size: int,
    threshold: int,
    concurrency: int,
    refresh_margin: float,
    http: HttpConfig | None,
) -> tuple[StorageOps, HttpConfig, Redactor]:
    if endpoint is None and host:
        scheme = "https" if secure else "http"
        endpoint = f"{scheme}://{host}" + (f":{port}" if port else "")
    if is_hmac_key(key) and service_account is None and ex_token is None:
        return make_hmac_ops(
            str(key), secret, endpoint=endpoint, part_size=chunk_size, concurrency=concurrency,
            http=http,
        )  # fmt: skip
    config = http or HttpConfig()
    redactor = Redactor()
    emulator = endpoint is not None and endpoint.rstrip("/") != DEFAULT_ENDPOINT
    if service_account is None and secret is not None:
        service_account = _libcloud_key(key, secret)
    if service_account is None and ex_token is None and not emulator:
        named = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
        if named:
            service_account = named
    auth: TokenSource
    if ex_token is not None:
        auth = AccessToken(ex_token, redactor)
    elif service_account is not None:
        info = load_service_account(service_account)
        if info.get("type", "service_account") != "service_account":
            raise NotSupportedError(
                f"credentials of type {info.get('type')!r} are not supported: use a service "
                "account key or ex_token="
            )
        account = ServiceAccount(
            info, redactor, config.retry, scopes=scopes or DEFAULT_SCOPES,
            refresh_margin=refresh_margin,
        )  # fmt: skip
        project = project or account.project_id
        auth = account
    elif emulator:
        auth = Anonymous()
    else:
        raise ConfigurationError(
            "Google Cloud Storage needs credentials: a service account key "
            "(service_account=, or key=<client_email> and secret=<key file>), ex_token=, or "
            "endpoint= for an emulator"
        )
    client = GcsClient(
        endpoint or DEFAULT_ENDPOINT, auth, config.retry, redactor, project, user_project
    )
    settings = UploadSettings(chunk_size=chunk_size, threshold=threshold)
    return GoogleStorageOps(client, settings, concurrency), config, redactor


def _libcloud_key(key: str | None, secret: Any) -> Any:
    """Libcloud's ``key=client_email, secret=...``: the secret is a key file's path, its JSON
    (text or dict) or a PEM private key."""
    if isinstance(secret, dict):
        return {"client_email": key, **secret} if key else secret
    text = str(secret)
    if not text.lstrip().startswith("{") and "PRIVATE KEY-----" in text:
        if not key:
            raise ConfigurationError("a PEM private key needs key=<the service account's email>")
        return {"type": "service_account", "client_email": key, "private_key": text}
    info = load_service_account(text)
    if key and "client_email" not in info:
        info["client_email"] = key
    return info


class GoogleStorageExtras:
    """The Cloud Storage driver's own members, written once for the sync and async driver."""

    _ops: StorageOps

    @property
    def _gcs(self) -> GoogleStorageOps:
        if not isinstance(self._ops, GoogleStorageOps):
            raise NotSupportedError(
                "this driver signs with an HMAC key (GOOG...) on the XML API: it has no OAuth "
                "token source and lists buckets of the key's own project"
            )
        return self._ops

    @property
    def ex_hmac(self) -> bool:
        """Whether requests go to the XML API signed with an HMAC key (``key="GOOG..."``)."""
        return isinstance(self._ops, GcsXmlOps)

    @property
    def project(self) -> str | None:
        """The project buckets are listed in and created in (None with an HMAC key: the
        key's own project)."""
        return None if isinstance(self._ops, GcsXmlOps) else self._gcs.client.project

    @property
    def ex_auth(self) -> TokenSource:
        """Where the access tokens come from (never a secret in its ``repr``)."""
        return self._gcs.client.auth

    @stream_operation
    def ex_create_container(
        self, container_name: str, ex_location: str | None = None
    ) -> StreamFlow[Container]:
        """Create a bucket in ``ex_location`` (``"EU"``, ``"us-central1"``...)."""
        if isinstance(self._ops, GcsXmlOps):
            return (yield from self._ops.create_container(container_name, ex_location))
        return (yield from self._gcs.create_container(container_name, ex_location))


class GoogleStorageDriver(StorageDriver, GoogleStorageExtras):
    """Google Cloud Storage, sync (the JSON API).

    ``key``/``secret`` are Libcloud's: a service account's e-mail and its key (a file's path,
    its JSON, or a PEM key); ``service_account=`` takes the JSON key alone (path, text or dict);
    ``ex_token=`` an OAuth2 access token; ``endpoint=`` (or ``host``/``port``/``secure``) an
    emulator such as fake-gcs-server, used without credentials. ``project`` is where buckets
    are listed and created (the key's ``project_id`` by default).

    Objects of ``threshold`` bytes or more go up through a resumable session in chunks of
    ``chunk_size`` (a multiple of 256 KiB); large downloads read ``concurrency`` ranges in
    parallel.
    """

    def __init__(
        self,
        key: str | None = None,
        secret: Any = None,
        project: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        *,
        endpoint: str | None = None,
        service_account: Any = None,
        ex_token: str | None = None,
        scopes: tuple[str, ...] | None = None,
        user_project: str | None = None,
        chunk_size: int = 8 * 1024 * 1024,
        threshold: int = 8 * 1024 * 1024,
        concurrency: int = 4,
        refresh_margin: float = 300.0,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, project=project, secure=secure, host=host, port=port,
            endpoint=endpoint, service_account=service_account, ex_token=ex_token,
            scopes=scopes, user_project=user_project, chunk_size=chunk_size,
            threshold=threshold, concurrency=concurrency, refresh_margin=refresh_margin,
            http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingSyncHttp(config, redactor))


class AsyncGoogleStorageDriver(AsyncStorageDriver, GoogleStorageExtras):
    """Async twin of :class:`GoogleStorageDriver` (same arguments)."""

    def __init__(
        self,
        key: str | None = None,
        secret: Any = None,
        project: str | None = None,
        secure: bool = True,
        host: str | None = None,
        port: int | None = None,
        *,
        endpoint: str | None = None,
        service_account: Any = None,
        ex_token: str | None = None,
        scopes: tuple[str, ...] | None = None,
        user_project: str | None = None,
        chunk_size: int = 8 * 1024 * 1024,
        threshold: int = 8 * 1024 * 1024,
        concurrency: int = 4,
        refresh_margin: float = 300.0,
        http: HttpConfig | None = None,
    ) -> None:
        ops, config, redactor = _make_ops(
            key, secret, project=project, secure=secure, host=host, port=port,
            endpoint=endpoint, service_account=service_account, ex_token=ex_token,
            scopes=scopes, user_project=user_project, chunk_size=chunk_size,
            threshold=threshold, concurrency=concurrency, refresh_margin=refresh_margin,
            http=http,
        )  # fmt: skip
        super().__init__(ops, StreamingAsyncHttp(config, redactor))
