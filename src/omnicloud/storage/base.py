"""StorageDriver and AsyncStorageDriver: Libcloud's storage API over provider flows.

A provider supplies a :class:`~omnicloud.storage._ops.StorageOps` (its operations as flows).
:class:`StorageCore` declares the Libcloud methods once, with the shared shells of
:mod:`omnicloud._shell` (as compute does); :class:`StorageDriver` runs them with a sync streaming
runner and :class:`AsyncStorageDriver` with an async one. There is no provider logic here and no
method is written twice.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

from omnicloud._shell import AsyncShell, Items, SyncShell, emitted, listing, stream_operation
from omnicloud.http._streaming import StreamingAsyncHttp, StreamingSyncHttp
from omnicloud.storage._models import DEFAULT_CONTENT_TYPE, Container, Object
from omnicloud.storage._ops import StorageOps, UploadRequest
from omnicloud.storage._source import ChunkSource
from omnicloud.storage._transfer import download_to_file, stream_object

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud._stream_effects import StreamFlow

__all__ = ["AsyncStorageDriver", "Container", "Object", "StorageCore", "StorageDriver"]


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


class StorageCore:
    """Libcloud's storage methods over a provider's :class:`StorageOps`, each written once."""

    _ops: StorageOps

    def _attach(self, ops: StorageOps) -> None:
        self._ops = ops
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

    @listing
    def iterate_containers(self) -> Items[Container]:
        """Every container, lazily."""
        return Items(self._ops.iterate_containers())

    @stream_operation
    def list_containers(self) -> StreamFlow[list[Container]]:
        """Every container."""
        return (yield from emitted(self._ops.iterate_containers()))

    @stream_operation
    def get_container(self, container_name: str) -> StreamFlow[Container]:
        """One container (:class:`ContainerDoesNotExistError` when missing)."""
        return (yield from self._ops.get_container(container_name))

    @stream_operation
    def create_container(self, container_name: str) -> StreamFlow[Container]:
        """Create a container (:class:`ContainerAlreadyExistsError` when it exists)."""
        return (yield from self._ops.create_container(container_name))

    @stream_operation
    def delete_container(self, container: Container) -> StreamFlow[bool]:
        """Delete an empty container (:class:`ContainerIsNotEmptyError` otherwise)."""
        return (yield from self._ops.delete_container(container))

    @listing
    def iterate_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> Items[Object]:
        """The container's objects in name order, lazily (pages fetched as you go)."""
        return Items(self._ops.iterate_container_objects(container, prefix or ex_prefix, delimiter))

    @stream_operation
    def list_container_objects(
        self,
        container: Container,
        prefix: str | None = None,
        delimiter: str | None = None,
        ex_prefix: str | None = None,
    ) -> StreamFlow[list[Object]]:
        """The container's objects in name order."""
        flow = self._ops.iterate_container_objects(container, prefix or ex_prefix, delimiter)
        return (yield from emitted(flow))

    @stream_operation
    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        """One object's description (:class:`ObjectDoesNotExistError` when missing)."""
        return (yield from self._ops.get_object(container_name, object_name))

    @stream_operation
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
    ) -> StreamFlow[Object]:
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
        return (yield from self._ops.upload_file(os.fspath(file_path), request, verify_hash))

    @stream_operation
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
    ) -> StreamFlow[Object]:
        """Upload from an iterator of bytes (async ones too, in an async driver) or a binary file
        object, in bounded memory."""
        request = _upload_request(
            container,
            object_name,
            extra=extra,
            headers=headers,
            content_type=content_type,
            meta_data=meta_data,
        )
        return (yield from self._ops.upload(ChunkSource(iterator), request))

    @stream_operation
    def download_object(
        self,
        obj: Object,
        destination_path: str,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> StreamFlow[bool]:
        """Save the object to a file (written under a temporary name, then renamed)."""
        return (
            yield from download_to_file(
                self._ops,
                obj,
                destination_path,
                0,
                None,
                overwrite_existing=overwrite_existing,
                delete_on_failure=delete_on_failure,
            )
        )

    @listing
    def download_object_as_stream(self, obj: Object, chunk_size: int | None = None) -> Items[bytes]:
        """The object's bytes in chunks; size and (where known) MD5 are checked at the end."""
        return Items(stream_object(self._ops, obj, 0, None, chunk_size))

    @stream_operation
    def download_object_range(
        self,
        obj: Object,
        destination_path: str,
        start_bytes: int,
        end_bytes: int | None = None,
        overwrite_existing: bool = False,
        delete_on_failure: bool = True,
    ) -> StreamFlow[bool]:
        """Save bytes ``start_bytes`` to ``end_bytes`` (exclusive) to a file."""
        return (
            yield from download_to_file(
                self._ops,
                obj,
                destination_path,
                start_bytes,
                end_bytes,
                overwrite_existing=overwrite_existing,
                delete_on_failure=delete_on_failure,
            )
        )

    @listing
    def download_object_range_as_stream(
        self,
        obj: Object,
        start_bytes: int,
        end_bytes: int | None = None,
        chunk_size: int | None = None,
    ) -> Items[bytes]:
        """Bytes ``start_bytes`` to ``end_bytes`` (exclusive) in chunks."""
        return Items(stream_object(self._ops, obj, start_bytes, end_bytes, chunk_size))

    @stream_operation
    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        """Delete an object."""
        return (yield from self._ops.delete_object(obj))

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


class StorageDriver(SyncShell, StorageCore):
    """Synchronous storage driver with Libcloud's method names."""

    _http: StreamingSyncHttp

    def __init__(self, ops: StorageOps, http: StreamingSyncHttp | None = None) -> None:
        self._http = http or StreamingSyncHttp()
        self._attach(ops)

    def _iterate(self, flow: StreamFlow[None]) -> Iterator[Any]:
        # a consumer that stops early still gets the flow's clean-up (streams closed, files gone)
        return self._http.iterate_closing(flow)

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()
        self._ops.close()


class AsyncStorageDriver(AsyncShell, StorageCore):
    """Asynchronous twin of :class:`StorageDriver`: the same methods, awaited."""

    _http: StreamingAsyncHttp

    def __init__(self, ops: StorageOps, http: StreamingAsyncHttp | None = None) -> None:
        self._http = http or StreamingAsyncHttp()
        self._attach(ops)

    def _iterate(self, flow: StreamFlow[None]) -> AsyncIterator[Any]:
        return self._http.iterate_closing(flow)

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._http.aclose()
        self._ops.close()
