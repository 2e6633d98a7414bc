"""StorageDriver and AsyncStorageDriver: Libcloud's storage API over provider flows.

Both facades are generic: a provider supplies a :class:`~omnicloud.storage._ops.StorageOps` (its
operations as flows), and each facade method hands the flow to a sync or an async runner. There is
no provider logic here and none is written twice.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

from omnicloud.http._streaming import StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._models import DEFAULT_CONTENT_TYPE, Container, Object
from omnicloud.storage._ops import StorageOps, UploadRequest
from omnicloud.storage._source import ChunkSource
from omnicloud.storage._transfer import download_to_file, stream_object

__all__ = ["AsyncStorageDriver", "Container", "Object", "StorageDriver"]


def _upload_request(
    container: Container,
    object_name: str,
    *,
    extra: dict[str, Any] | None,
    headers: dict[str, str] | None,
    content_type: str | None,
    meta_data: dict[str, str] | None,
    file_path: str | None = None,
) -> UploadRequest:
    extra = dict(extra or {})
    meta = {**(extra.pop("meta_data", None) or {}), **(meta_data or {})}
    ctype = content_type or extra.pop("content_type", None)
    if not ctype:
        guessed = mimetypes.guess_type(file_path or object_name)[0]
        ctype = guessed or DEFAULT_CONTENT_TYPE
    return UploadRequest(
        container=container,
        object_name=object_name,
        content_type=ctype,
        # HTTP headers ignore case and S3 stores x-amz-meta-* names lower-case: every driver
        # lower-cases metadata keys, so a round trip gives the same dict on every provider.
        meta_data={str(k).lower(): str(v) for k, v in meta.items()},
        extra=extra,
        headers=dict(headers or {}),
    )


class StorageDriver:
    """Synchronous storage driver with Libcloud's method names."""

    def __init__(self, ops: StorageOps, http: StreamingSyncHttp | None = None) -> None:
        self._ops = ops
        self._http = http or StreamingSyncHttp()
        ops.driver = self

    @property
    def name(self) -> str:
        """The provider's display name."""
        return self._ops.name

    @property
    def hash_type(self) -> str:
        """What :attr:`Object.hash` is computed with (``"md5"``)."""
        return self._ops.hash_type

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._ops!r}>"

    def __enter__(self) -> StorageDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
        self._ops.close()

    def iterate_containers(self) -> Iterator[Container]:
        """Every container, lazily."""
        return self._http.iterate_closing(self._ops.iterate_containers())

    def list_containers(self) -> list[Container]:
        """Every container."""
        return list(self.iterate_containers())

    def get_container(self, container_name: str) -> Container:
        """One container (:class:`ContainerDoesNotExistError` when missing)."""
        return self._http.run(self._ops.get_container(container_name))

    def create_container(self, container_name: str) -> Container:
        """Create a container (:class:`ContainerAlreadyExistsError` when it exists)."""
        return self._http.run(self._ops.create_container(container_name))

    def delete_container(self, container: Container) -> bool:
        """Delete an empty container (:class:`ContainerIsNotEmptyError` otherwise)."""
        return self._http.run(self._ops.delete_container(container))

    def iterate_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> Iterator[Object]:
        """The container's objects in name order, lazily (pages fetched as you go)."""
        flow = self._ops.iterate_container_objects(container, prefix or ex_prefix, delimiter)
        return self._http.iterate_closing(flow)

    def list_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> list[Object]:
        """The container's objects in name order."""
        return list(self.iterate_container_objects(container, prefix, delimiter, ex_prefix))

    def get_object(self, container_name: str, object_name: str) -> Object:
        """One object's description (:class:`ObjectDoesNotExistError` when missing)."""
        return self._http.run(self._ops.get_object(container_name, object_name))

    def upload_object(
        self,
        file_path: str,
        container: Container,
        object_name: str,
        extra: dict[str, Any] | None = None,
        verify_hash: bool = True,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
        meta_data: dict[str, str] | None = None,
    ) -> Object:
        """Upload a file (streamed; multipart when large).

        The local driver with ``verify_hash=False`` copies in the kernel (as fast as ``cp``) and
        records no hash; with ``verify_hash=True`` it records the MD5, computed in a worker thread
        beside the copy. Other drivers hash while sending and check the provider's answer.
        """
        request = _upload_request(
            container,
            object_name,
            extra=extra,
            headers=headers,
            content_type=content_type,
            meta_data=meta_data,
            file_path=file_path,
        )
        return self._http.run(self._ops.upload_file(os.fspath(file_path), request, verify_hash))

    def upload_object_via_stream(
        self,
        iterator: Any,
        container: Container,
        object_name: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
        meta_data: dict[str, str] | None = None,
    ) -> Object:
        """Upload from an iterator of bytes or a binary file object, in bounded memory."""
        request = _upload_request(
            container,
            object_name,
            extra=extra,
            headers=headers,
            content_type=content_type,
            meta_data=meta_data,
        )
        return self._http.run(self._ops.upload(ChunkSource(iterator), request))

    def download_object(
        self,
        obj: Object,
        destination_path: str,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> bool:
        """Save the object to a file (written under a temporary name, then renamed)."""
        flow = download_to_file(
            self._ops,
            obj,
            destination_path,
            0,
            None,
            overwrite_existing=overwrite_existing,
            delete_on_failure=delete_on_failure,
        )
        return self._http.run(flow)

    def download_object_as_stream(
        self, obj: Object, chunk_size: int | None = None
    ) -> Iterator[bytes]:
        """The object's bytes in chunks; size and (where known) MD5 are checked at the end."""
        return self._http.iterate_closing(stream_object(self._ops, obj, 0, None, chunk_size))

    def download_object_range(
        self,
        obj: Object,
        destination_path: str,
        start_bytes: int,
        end_bytes: int | None = None,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> bool:
        """Save bytes ``start_bytes`` to ``end_bytes`` (exclusive) to a file."""
        flow = download_to_file(
            self._ops,
            obj,
            destination_path,
            start_bytes,
            end_bytes,
            overwrite_existing=overwrite_existing,
            delete_on_failure=delete_on_failure,
        )
        return self._http.run(flow)

    def download_object_range_as_stream(
        self,
        obj: Object,
        start_bytes: int,
        end_bytes: int | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[bytes]:
        """Bytes ``start_bytes`` to ``end_bytes`` (exclusive) in chunks."""
        flow = stream_object(self._ops, obj, start_bytes, end_bytes, chunk_size)
        return self._http.iterate_closing(flow)

    def delete_object(self, obj: Object) -> bool:
        """Delete an object."""
        return self._http.run(self._ops.delete_object(obj))

    def get_object_presigned_url(
        self,
        obj: Object,
        method: str = "GET",
        expires: int = 3600,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A URL granting ``method`` on ``obj`` for ``expires`` seconds (no I/O)."""
        return self._ops.presigned_url(obj, method, expires, headers)

    def get_object_cdn_url(self, obj: Object, ex_expiry: float | None = None) -> str:
        """Libcloud's name: a readable URL (presigned for ``ex_expiry`` hours on S3)."""
        if ex_expiry is None:
            return self._ops.cdn_url(obj)
        return self._ops.presigned_url(obj, "GET", int(ex_expiry * 3600), None)


class AsyncStorageDriver:
    """Asynchronous twin of :class:`StorageDriver`: the same methods, awaited."""

    def __init__(self, ops: StorageOps, http: StreamingAsyncHttp | None = None) -> None:
        self._ops = ops
        self._http = http or StreamingAsyncHttp()
        ops.driver = self

    @property
    def name(self) -> str:
        """The provider's display name."""
        return self._ops.name

    @property
    def hash_type(self) -> str:
        """What :attr:`Object.hash` is computed with (``"md5"``)."""
        return self._ops.hash_type

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._ops!r}>"

    async def __aenter__(self) -> AsyncStorageDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()
        self._ops.close()

    def iterate_containers(self) -> AsyncIterator[Container]:
        """Every container, lazily."""
        return self._http.iterate_closing(self._ops.iterate_containers())

    async def list_containers(self) -> list[Container]:
        """Every container."""
        return [item async for item in self.iterate_containers()]

    async def get_container(self, container_name: str) -> Container:
        """One container (:class:`ContainerDoesNotExistError` when missing)."""
        return await self._http.run(self._ops.get_container(container_name))

    async def create_container(self, container_name: str) -> Container:
        """Create a container (:class:`ContainerAlreadyExistsError` when it exists)."""
        return await self._http.run(self._ops.create_container(container_name))

    async def delete_container(self, container: Container) -> bool:
        """Delete an empty container (:class:`ContainerIsNotEmptyError` otherwise)."""
        return await self._http.run(self._ops.delete_container(container))

    def iterate_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> AsyncIterator[Object]:
        """The container's objects in name order, lazily (pages fetched as you go)."""
        flow = self._ops.iterate_container_objects(container, prefix or ex_prefix, delimiter)
        return self._http.iterate_closing(flow)

    async def list_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> list[Object]:
        """The container's objects in name order."""
        objects = self.iterate_container_objects(container, prefix, delimiter, ex_prefix)
        return [item async for item in objects]

    async def get_object(self, container_name: str, object_name: str) -> Object:
        """One object's description (:class:`ObjectDoesNotExistError` when missing)."""
        return await self._http.run(self._ops.get_object(container_name, object_name))

    async def upload_object(
        self,
        file_path: str,
        container: Container,
        object_name: str,
        extra: dict[str, Any] | None = None,
        verify_hash: bool = True,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
        meta_data: dict[str, str] | None = None,
    ) -> Object:
        """Upload a file (streamed; multipart when large).

        The local driver with ``verify_hash=False`` copies in the kernel (as fast as ``cp``) and
        records no hash; with ``verify_hash=True`` it records the MD5, computed in a worker thread
        beside the copy. Other drivers hash while sending and check the provider's answer.
        """
        request = _upload_request(
            container,
            object_name,
            extra=extra,
            headers=headers,
            content_type=content_type,
            meta_data=meta_data,
            file_path=file_path,
        )
        flow = self._ops.upload_file(os.fspath(file_path), request, verify_hash)
        return await self._http.run(flow)

    async def upload_object_via_stream(
        self,
        iterator: Any,
        container: Container,
        object_name: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        *,
        content_type: str | None = None,
        meta_data: dict[str, str] | None = None,
    ) -> Object:
        """Upload from an (async) iterator of bytes or a binary file object."""
        request = _upload_request(
            container,
            object_name,
            extra=extra,
            headers=headers,
            content_type=content_type,
            meta_data=meta_data,
        )
        return await self._http.run(self._ops.upload(ChunkSource(iterator), request))

    async def download_object(
        self,
        obj: Object,
        destination_path: str,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> bool:
        """Save the object to a file (written under a temporary name, then renamed)."""
        flow = download_to_file(
            self._ops,
            obj,
            destination_path,
            0,
            None,
            overwrite_existing=overwrite_existing,
            delete_on_failure=delete_on_failure,
        )
        return await self._http.run(flow)

    def download_object_as_stream(
        self, obj: Object, chunk_size: int | None = None
    ) -> AsyncIterator[bytes]:
        """The object's bytes in chunks; size and (where known) MD5 are checked at the end."""
        return self._http.iterate_closing(stream_object(self._ops, obj, 0, None, chunk_size))

    async def download_object_range(
        self,
        obj: Object,
        destination_path: str,
        start_bytes: int,
        end_bytes: int | None = None,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> bool:
        """Save bytes ``start_bytes`` to ``end_bytes`` (exclusive) to a file."""
        flow = download_to_file(
            self._ops,
            obj,
            destination_path,
            start_bytes,
            end_bytes,
            overwrite_existing=overwrite_existing,
            delete_on_failure=delete_on_failure,
        )
        return await self._http.run(flow)

    def download_object_range_as_stream(
        self,
        obj: Object,
        start_bytes: int,
        end_bytes: int | None = None,
        chunk_size: int | None = None,
    ) -> AsyncIterator[bytes]:
        """Bytes ``start_bytes`` to ``end_bytes`` (exclusive) in chunks."""
        flow = stream_object(self._ops, obj, start_bytes, end_bytes, chunk_size)
        return self._http.iterate_closing(flow)

    async def delete_object(self, obj: Object) -> bool:
        """Delete an object."""
        return await self._http.run(self._ops.delete_object(obj))

    def get_object_presigned_url(
        self,
        obj: Object,
        method: str = "GET",
        expires: int = 3600,
        headers: dict[str, str] | None = None,
    ) -> str:
        """A URL granting ``method`` on ``obj`` for ``expires`` seconds (no I/O)."""
        return self._ops.presigned_url(obj, method, expires, headers)

    def get_object_cdn_url(self, obj: Object, ex_expiry: float | None = None) -> str:
        """Libcloud's name: a readable URL (presigned for ``ex_expiry`` hours on S3)."""
        if ex_expiry is None:
            return self._ops.cdn_url(obj)
        return self._ops.presigned_url(obj, "GET", int(ex_expiry * 3600), None)
