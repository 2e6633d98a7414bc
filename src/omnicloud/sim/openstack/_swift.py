"""Swift (the object store) as a raw ASGI app under ``/swift``: ``/swift/v1/AUTH_<project id>``.

Request bodies are streamed to disk (see :mod:`._swift_store`), answers streamed from it. A
request carries a Keystone token of the account's project (``X-Auth-Token``; 401 without, 403
for another project's account), or is a temp URL (``temp_url_sig``/``temp_url_expires``, HMAC
SHA-1/SHA-256/SHA-512 under the account's or container's ``Temp-URL-Key``). ``GET /swift/info``
is Swift's capabilities document. Errors are Swift's pages; every answer has ``X-Trans-Id``.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, unquote_to_bytes

import anyio
from starlette.types import Receive, Scope, Send

from ..core.app import drop_connection
from ..core.faults import Faults
from ..core.jsonio import dumps_bytes
from ._config import SimConfig
from ._state import Cloud
from ._swift_http import (
    Answer,
    SwiftError,
    SwiftReq,
    http_date,
    listing_time,
    send_answer,
    title,
    trans_id,
)
from ._swift_objects import copy_object, delete_object, get_object, post_object, put_object
from ._swift_store import SwiftStore, swift_store

__all__ = ["PREFIX", "SwiftApp"]

PREFIX = "swift"
"""The path under the origin where the object store is mounted."""

MAX_CONTAINER_NAME = 256
LISTING_LIMIT = 10000
_TEMP_URL_METHODS = ("GET", "HEAD", "PUT")
_DIGESTS: dict[str, Callable[..., Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
_HEX_DIGESTS = {40: "sha1", 64: "sha256", 128: "sha512"}

INFO: dict[str, Any] = {
    "swift": {
        "version": "2.33.0",
        "max_file_size": 5368709122,
        "max_meta_name_length": 128,
        "max_meta_value_length": 256,
        "max_meta_count": 90,
        "max_object_name_length": 1024,
        "container_listing_limit": LISTING_LIMIT,
        "account_listing_limit": LISTING_LIMIT,
        "max_container_name_length": MAX_CONTAINER_NAME,
        "max_account_name_length": 256,
        "extra_header_count": 0,
        "strict_cors_mode": True,
        "policies": [{"name": "Policy-0", "default": True}],
        "allow_account_management": False,
        "account_autocreate": True,
    },
    "slo": {
        "max_manifest_segments": 1000,
        "max_manifest_size": 8388608,
        "min_segment_size": 1,
        "yield_frequency": 10,
        "allow_async_delete": False,
    },
    "tempurl": {
        "methods": list(_TEMP_URL_METHODS),
        "incoming_remove_headers": ["x-timestamp"],
        "incoming_allow_headers": [],
        "outgoing_remove_headers": ["x-object-meta-*"],
        "outgoing_allow_headers": ["x-object-meta-public-*"],
        "allowed_digests": ["sha1", "sha256", "sha512"],
        "deprecated_digests": ["sha1"],
    },
    "bulk_delete": {"max_deletes_per_request": 10000, "max_failed_deletes": 1000},
    "account_quotas": {},
    "container_quotas": {},
    "tempauth": {"account_acls": True},
    "keystoneauth": {},
}


class SwiftApp:
    """The object store of one simulated cloud (a raw ASGI app)."""

    def __init__(self, cloud: Cloud, config: SimConfig, faults: Faults) -> None:
        self.cloud = cloud
        self.config = config
        self.faults = faults
        self.store: SwiftStore = swift_store(cloud)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        txid = trans_id()
        method = str(scope["method"]).upper()
        if self.faults.should_reset():
            await drop_connection(scope, receive)
            return
        delay = self.faults.delay()
        try:
            answer = await self._answer(scope, receive, method)
        except SwiftError as error:
            answer = error.answer()
        if delay > 0:
            await anyio.sleep(delay)
        await send_answer(send, answer, head=method == "HEAD", txid=txid)

    async def _answer(self, scope: Scope, receive: Receive, method: str) -> Answer:
        raw_path = scope.get("raw_path")
        try:
            path = (
                unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("utf-8")
                if raw_path
                else str(scope["path"])
            )
        except UnicodeDecodeError:
            raise SwiftError(412, "Invalid UTF8 or contains NULL") from None
        if "\x00" in path:
            raise SwiftError(412, "Invalid UTF8 or contains NULL")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
        if rest in ("info", "info/") and method in ("GET", "HEAD"):
            return Answer(200, {"Content-Type": "application/json; charset=utf-8"}, _info())
        self._faults()
        version, _, tail = rest.partition("/")
        account, _, tail = tail.partition("/")
        if version != "v1" or not account:
            raise SwiftError(404)
        container, _, obj = tail.partition("/")
        host = headers.get("host", "127.0.0.1")
        req = SwiftReq(
            method=method,
            account=account,
            container=container or None,
            obj=obj or None,
            query=parse_qs(scope.get("query_string", b"").decode("latin-1"), True),
            headers=headers,
            origin=f"{scope.get('scheme', 'http')}://{host}",
            paths=(path, path[len(PREFIX) + 1 :]),
            receive=receive,
            now=self.cloud.now(),
        )
        if req.q("temp_url_sig") is not None or req.q("temp_url_expires") is not None:
            return await self._temp_url(req)
        self._authorize(req)
        return await self._route(req)

    def _faults(self) -> None:
        wait = self.faults.over_limit("swift", time.monotonic())
        if wait is not None:
            seconds = max(1, math.ceil(wait / 1000))
            raise SwiftError(498, "Slow down", headers={"Retry-After": str(seconds)})
        if self.faults.error_draw() is not None:
            raise SwiftError(503)

    # authentication ---------------------------------------------------------------------------

    def _authorize(self, req: SwiftReq) -> None:
        principal = self.cloud.principal(req.headers.get("x-auth-token", ""))
        if principal is None:
            raise SwiftError(
                401, headers={"Www-Authenticate": f'Keystone uri="{req.origin}/identity"'}
            )
        if principal.project_id is None or req.account != f"AUTH_{principal.project_id}":
            raise SwiftError(403)

    async def _temp_url(self, req: SwiftReq) -> Answer:
        """A request signed by a temp URL: GET, HEAD or PUT of one object, no token."""
        if req.container is None or req.obj is None or req.method not in _TEMP_URL_METHODS:
            raise SwiftError(401, "401 Unauthorized: Temp URL invalid\n")
        signature, expires = req.q("temp_url_sig") or "", _expires(req.q("temp_url_expires"))
        if expires is None or expires < time.time():
            raise SwiftError(401, "401 Unauthorized: Temp URL invalid\n")
        keys = self._temp_url_keys(req)
        methods = ("GET", "HEAD", "PUT") if req.method == "HEAD" else (req.method,)
        stamp = req.q("temp_url_expires") or ""
        if not any(
            _signed(key, method, stamp, path, signature)
            for key in keys
            for method in methods
            for path in req.paths
        ):
            raise SwiftError(401, "401 Unauthorized: Temp URL invalid\n")
        if req.method == "PUT":
            return await put_object(self.store, req, req.container, req.obj)
        return get_object(self.store, req, req.container, req.obj, temp_url=True)

    def _temp_url_keys(self, req: SwiftReq) -> list[str]:
        keys: list[str] = []
        with self.store.transaction():
            _, account_meta = self.store.account(req.account, req.now)
            found = self.store.container(req.account, req.container or "")
        for source, kind in ((account_meta, "account"), (found[1] if found else {}, "container")):
            for suffix in ("", "-2"):
                key = source.get(f"x-{kind}-meta-temp-url-key{suffix}")
                if key:
                    keys.append(key)
        return keys

    # dispatch ---------------------------------------------------------------------------------

    async def _route(self, req: SwiftReq) -> Answer:
        store, method = self.store, req.method
        if req.container is None:
            if method in ("GET", "HEAD"):
                return self._account_get(req)
            if method == "POST":
                return self._account_post(req)
            if method in ("PUT", "DELETE"):
                raise SwiftError(403)
            raise SwiftError(405)
        container = req.container
        if req.obj is None:
            if method == "PUT":
                return self._container_put(req, container)
            if method in ("GET", "HEAD"):
                return self._container_get(req, container)
            if method == "DELETE":
                return self._container_delete(req, container)
            if method == "POST":
                return self._container_post(req, container)
            raise SwiftError(405)
        name = req.obj
        if method == "PUT":
            return await put_object(store, req, container, name)
        if method in ("GET", "HEAD"):
            return get_object(store, req, container, name)
        if method == "DELETE":
            return delete_object(store, req, container, name)
        if method == "POST":
            return post_object(store, req, container, name)
        if method == "COPY":
            return await _copy(store, req, container, name)
        raise SwiftError(405)

    # account ----------------------------------------------------------------------------------

    def _account_get(self, req: SwiftReq) -> Answer:
        store = self.store
        limit = _limit(req)
        with store.transaction():
            created, meta = store.account(req.account, req.now)
            containers, objects, used = store.account_usage(req.account)
            listed = (
                store.containers(
                    req.account,
                    req.q("marker") or "",
                    req.q("end_marker") or None,
                    req.q("prefix") or "",
                    limit,
                )
                if req.method == "GET"
                else []
            )
        headers = {
            "X-Account-Container-Count": str(containers),
            "X-Account-Object-Count": str(objects),
            "X-Account-Bytes-Used": str(used),
            "X-Account-Storage-Policy-Policy-0-Container-Count": str(containers),
            "X-Account-Storage-Policy-Policy-0-Object-Count": str(objects),
            "X-Account-Storage-Policy-Policy-0-Bytes-Used": str(used),
            "X-Timestamp": f"{created:.5f}",
            "X-Put-Timestamp": f"{created:.5f}",
        }
        headers.update({title(k): v for k, v in meta.items()})
        docs = [
            {"name": name, "count": count, "bytes": size, "last_modified": listing_time(made)}
            for name, made, count, size in listed
        ]
        return _listing(req, headers, docs, "name")

    def _account_post(self, req: SwiftReq) -> Answer:
        values, removed = req.meta("account")
        with self.store.transaction():
            _, meta = self.store.account(req.account, req.now)
            meta.update(values)
            for key in removed:
                meta.pop(key, None)
            self.store.set_account_meta(req.account, meta)
        return Answer(204, {"Content-Type": "text/html; charset=UTF-8"})

    # containers -------------------------------------------------------------------------------

    def _container_put(self, req: SwiftReq, container: str) -> Answer:
        size = len(container.encode("utf-8"))
        if size > MAX_CONTAINER_NAME:
            raise SwiftError(
                400, f"Container name length of {size} longer than {MAX_CONTAINER_NAME}"
            )
        values, removed = req.meta("container")
        store = self.store
        with store.transaction():
            store.account(req.account, req.now)
            found = store.container(req.account, container)
            meta = dict(found[1]) if found else {}
            meta.update(values)
            for key in removed:
                meta.pop(key, None)
            store.put_container(req.account, container, req.now, meta)
        return Answer(202 if found else 201, {"Content-Type": "text/html; charset=UTF-8"})

    def _container_get(self, req: SwiftReq, container: str) -> Answer:
        store = self.store
        with store.transaction():
            found = store.container(req.account, container)
            if found is None:
                raise SwiftError(404)
            created, meta = found
            count, used = store.container_usage(req.account, container)
            docs = self._objects(req, container) if req.method == "GET" else []
        headers = {
            "X-Container-Object-Count": str(count),
            "X-Container-Bytes-Used": str(used),
            "X-Timestamp": f"{created:.5f}",
            "X-Put-Timestamp": f"{created:.5f}",
            "X-Storage-Policy": "Policy-0",
            "Last-Modified": http_date(created),
        }
        headers.update({title(k): v for k, v in meta.items()})
        return _listing(req, headers, docs, "name")

    def _objects(self, req: SwiftReq, container: str) -> list[dict[str, Any]]:
        """A listing page, as Swift's container server builds it (subdirs with a delimiter)."""
        limit = _limit(req)
        prefix = req.q("prefix") or ""
        delimiter = req.q("delimiter") or ""
        end_marker = req.q("end_marker") or None
        original = marker = req.q("marker") or ""
        docs: list[dict[str, Any]] = []
        while len(docs) < limit:
            rows = self.store.objects(req.account, container, marker, end_marker, prefix, limit)
            if not rows:
                break
            for row in rows:
                marker = row.name
                if not row.name.startswith(prefix):
                    return docs
                if delimiter:
                    end = row.name.find(delimiter, len(prefix))
                    if end >= 0:
                        subdir = row.name[: end + len(delimiter)]
                        marker = row.name[:end] + chr(ord(delimiter[0]) + 1)
                        if subdir != original:
                            docs.append({"subdir": subdir})
                        break
                docs.append(_object_doc(row))
                if len(docs) >= limit:
                    break
        return docs

    def _container_delete(self, req: SwiftReq, container: str) -> Answer:
        store = self.store
        with store.transaction():
            if store.container(req.account, container) is None:
                raise SwiftError(404)
            if store.container_usage(req.account, container)[0]:
                raise SwiftError(409)
            store.delete_container(req.account, container)
        return Answer(204, {"Content-Type": "text/html; charset=UTF-8"})

    def _container_post(self, req: SwiftReq, container: str) -> Answer:
        values, removed = req.meta("container")
        store = self.store
        with store.transaction():
            found = store.container(req.account, container)
            if found is None:
                raise SwiftError(404)
            created, meta = found
            meta.update(values)
            for key in removed:
                meta.pop(key, None)
            store.put_container(req.account, container, created, meta)
        return Answer(204, {"Content-Type": "text/html; charset=UTF-8"})


async def _copy(store: SwiftStore, req: SwiftReq, container: str, name: str) -> Answer:
    """COPY with ``Destination: container/object``: the same as a PUT with X-Copy-From."""
    destination = unquote(req.headers.get("destination", "")).lstrip("/")
    target_container, _, target = destination.partition("/")
    if not target_container or not target:
        raise SwiftError(
            412, "Destination header must be of the form <container name>/<object name>"
        )
    if store.container(req.account, target_container) is None:
        raise SwiftError(404)
    return await copy_object(store, req, f"/{container}/{name}", target_container, target)


def _object_doc(row: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": row.name,
        "hash": row.etag,
        "bytes": row.size,
        "content_type": row.content_type,
        "last_modified": listing_time(row.modified),
    }
    if row.slo_etag:
        doc["slo_etag"] = f'"{row.slo_etag}"'
    return doc


def _limit(req: SwiftReq) -> int:
    given = req.q("limit")
    if given is None or given == "":
        return LISTING_LIMIT
    if not given.isdigit():
        raise SwiftError(412, f"Value of limit must be a positive integer: {given}")
    if int(given) > LISTING_LIMIT:
        raise SwiftError(412, f"Maximum limit is {LISTING_LIMIT}")
    return int(given)


def _listing(
    req: SwiftReq, headers: dict[str, str], docs: list[dict[str, Any]], key: str
) -> Answer:
    """A listing in the format asked (``format=json`` or ``Accept``; plain names otherwise:
    204 when empty)."""
    wanted = (req.q("format") or "").lower()
    accept = req.headers.get("accept", "")
    if wanted == "json" or (not wanted and "application/json" in accept):
        headers["Content-Type"] = "application/json; charset=utf-8"
        return Answer(200, headers, dumps_bytes(docs))
    headers["Content-Type"] = "text/plain; charset=utf-8"
    if not docs:
        return Answer(204, headers)
    names = "".join(f"{doc.get(key, doc.get('subdir'))}\n" for doc in docs)
    return Answer(200, headers, names.encode("utf-8"))


def _info() -> bytes:
    return dumps_bytes(INFO)


def _expires(value: str | None) -> int | None:
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:  # ISO 8601, as newer Swift accepts
        return calendar.timegm(datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").timetuple())
    except ValueError:
        return None


def _signed(key: str, method: str, expires: str, path: str, signature: str) -> bool:
    """Whether ``signature`` is the HMAC of ``METHOD\\nEXPIRES\\nPATH`` under ``key``."""
    if ":" in signature:
        name, _, encoded = signature.partition(":")
        digest = _DIGESTS.get(name)
        if digest is None:
            return False
        try:
            given = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            return False
        mac = hmac.new(key.encode(), f"{method}\n{expires}\n{path}".encode(), digest)
        return hmac.compare_digest(mac.digest(), given)
    algorithm = _HEX_DIGESTS.get(len(signature))
    if algorithm is None:
        return False
    mac = hmac.new(key.encode(), f"{method}\n{expires}\n{path}".encode(), _DIGESTS[algorithm])
    return hmac.compare_digest(mac.hexdigest(), signature.lower())
