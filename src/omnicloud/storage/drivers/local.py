"""Local filesystem storage: containers are directories, objects are files.

The operations are flows whose file work is a :class:`~omnicloud.http._streaming.Call` into
:class:`._local_store.LocalStore`: the sync driver calls it directly, the async driver in a worker
thread. ``Object.hash`` is the MD5 hex of the content, computed while writing and kept in a sidecar
file (``None`` for files put there by other tools).
"""

from __future__ import annotations

import functools
import os
from typing import Any

from omnicloud._flow import Emit
from omnicloud.http._streaming import Call, Read, StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._models import Container, Object
from omnicloud.storage._ops import OpenedObject, StorageOps, UploadRequest
from omnicloud.storage.base import AsyncStorageDriver, StorageDriver
from omnicloud.storage.drivers._local_store import LocalStore, ObjectInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = ["AsyncLocalStorageDriver", "LocalStorageDriver", "LocalStorageOps"]

WRITE_CHUNK = 1024 * 1024
PAGE = 1000


class LocalStorageOps(StorageOps):
    """Storage operations over a :class:`LocalStore`."""

    name = "Local Storage"

    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        super().__init__()
        self.store = LocalStore(root, create=create)

    def __repr__(self) -> str:
        return f"LocalStorageOps(root={self.store.root!r})"

    def _object(self, container: Container, info: ObjectInfo) -> Object:
        return Object(
            name=info.name,
            size=info.size,
            hash=info.md5,
            extra={
                "content_type": info.content_type,
                "last_modified": info.last_modified,
                "modify_time": info.modified,
                "md5": info.md5,
            },
            meta_data=info.meta_data,
            container=container,
            driver=self.driver,
        )

    def iterate_containers(self) -> StreamFlow[None]:
        found = yield Call(self.store.list_containers)
        yield Emit([self._container(name, modify_time=mtime) for name, mtime in found])

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        mtime = yield Call(self.store.get_container, (container_name,))
        return self._container(container_name, modify_time=mtime)

    def create_container(self, container_name: str) -> StreamFlow[Container]:
        mtime = yield Call(self.store.create_container, (container_name,))
        return self._container(container_name, modify_time=mtime)

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        yield Call(self.store.delete_container, (container.name,))
        return True

    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        prefix = prefix or ""
        names: list[str] = yield Call(self.store.list_names, (container.name, prefix))
        seen: set[str] = set()
        page: list[str] = []
        for name in names:
            if delimiter:
                cut = name.find(delimiter, len(prefix))
                if cut >= 0:
                    common = name[: cut + len(delimiter)]
                    if common not in seen:
                        seen.add(common)
                        if page:
                            yield from self._emit_page(container, page)
                            page = []
                        yield Emit([self._prefix(container, common)])
                    continue
            page.append(name)
            if len(page) >= PAGE:
                yield from self._emit_page(container, page)
                page = []
        if page:
            yield from self._emit_page(container, page)

    def _emit_page(self, container: Container, names: list[str]) -> StreamFlow[None]:
        infos = yield Call(self.store.describe_many, (container.name, names))
        yield Emit([self._object(container, info) for info in infos])

    def _prefix(self, container: Container, name: str) -> Object:
        return Object(
            name=name,
            size=0,
            hash=None,
            extra={"is_prefix": True},
            container=container,
            driver=self.driver,
        )

    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        info = yield Call(self.store.describe, (container_name, object_name))
        return self._object(self._container(container_name), info)

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        name = request.container.name
        writer = yield Call(self.store.begin_write, (name, request.object_name))
        try:
            while chunk := (yield Read(source, WRITE_CHUNK)):
                yield Call(writer.write, (chunk,))
            info = yield Call(writer.commit, (request.content_type, request.meta_data))
        except Exception:
            yield Call(writer.discard)
            raise
        return self._object(request.container, info)

    def upload_file(
        self, path: str, request: UploadRequest, verify_hash: bool
    ) -> StreamFlow[Object]:
        info = yield Call(
            functools.partial(self.store.import_file, hashed=verify_hash),
            (request.container.name, request.object_name, path, request.content_type,
             request.meta_data),
        )  # fmt: skip
        return self._object(request.container, info)

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        reader = yield Call(self.store.open, (obj.container_name, obj.name, start, end))
        return OpenedObject(reader=reader, size=reader.size, md5=reader.md5)

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        yield Call(self.store.delete, (obj.container_name, obj.name))
        return True

    def cdn_url(self, obj: Object) -> str:
        """The object's file path (Libcloud's local driver does the same)."""
        return self.store.object_path(obj.container_name, obj.name)


class LocalStorageDriver(StorageDriver):
    """Local filesystem storage. ``key`` is the root directory (created when missing)."""

    def __init__(
        self, key: str | os.PathLike[str], secret: Any = None, *, create: bool = True
    ) -> None:
        super().__init__(LocalStorageOps(key, create=create), StreamingSyncHttp())


class AsyncLocalStorageDriver(AsyncStorageDriver):
    """Async twin of :class:`LocalStorageDriver` (file work runs in worker threads)."""

    def __init__(
        self, key: str | os.PathLike[str], secret: Any = None, *, create: bool = True
    ) -> None:
        super().__init__(LocalStorageOps(key, create=create), StreamingAsyncHttp())
