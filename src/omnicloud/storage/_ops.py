"""The contract a storage provider implements: every operation as a flow, written once.

A provider subclasses :class:`StorageOps`; :class:`~omnicloud.storage.base.StorageCore` declares
the Libcloud methods over them once, and its sync and async shells (``StorageDriver``,
``AsyncStorageDriver``) run the same flows with a sync or an async streaming runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from omnicloud.storage._hashing import Expected
from omnicloud.storage._models import Container, Object
from omnicloud.storage.errors import UnsupportedOperationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._streaming import StreamFlow
    from omnicloud.storage._source import ChunkSource

__all__ = ["OpenedObject", "RangeAccess", "StorageOps", "UploadRequest"]


@dataclass(slots=True)
class UploadRequest:
    """What to store: where, under which name, with which type and metadata."""

    container: Container
    object_name: str
    content_type: str
    meta_data: dict[str, str]
    extra: dict[str, Any]
    headers: dict[str, str]


@dataclass(slots=True)
class OpenedObject:
    """An object (or a range of it) ready to be read.

    ``reader`` has ``read``/``aread`` and ``close``/``aclose``. ``size`` is the number of bytes the
    reader will give; ``md5`` the MD5 hex they must hash to, when the provider states one.
    ``resume``, when the provider can, opens the rest of the same object version after
    ``received`` bytes, so that a connection lost mid-body costs no restart. ``ranges`` is set by
    :meth:`StorageOps.open_whole` when ``reader`` gives only the first span of an object of
    ``size`` bytes.

    ``expected`` states a digest other than the plain MD5 (a multipart ETag or a stored
    checksum, maybe computed part by part); ``md5`` is the shorthand for the plain MD5. When
    ``expected`` assumes a part layout the provider did not fully state, ``confirm`` checks that
    layout after a mismatch: True means the mismatch is real, False that the bytes could not be
    verified after all.
    """

    reader: Any
    size: int | None
    md5: str | None
    resume: Callable[[int], StreamFlow[OpenedObject]] | None = None
    ranges: RangeAccess | None = None
    expected: Expected | None = None
    confirm: Callable[[], StreamFlow[bool]] | None = None


@dataclass(slots=True)
class RangeAccess:
    """How the rest of an object opened by its first ``span`` bytes is read (see
    :mod:`omnicloud.storage._ranges`): ``fetch(first, last)`` reads bytes ``first`` to ``last``
    (exclusive) of the same version whole (as pieces), ``window`` of them at a time;
    ``restart()`` opens that version again with a plain GET, from its first byte."""

    fetch: Callable[[int, int], StreamFlow[list[bytes]]]
    restart: Callable[[], StreamFlow[OpenedObject]]
    window: int
    span: int


class StorageOps:
    """Provider operations as flows. ``driver`` is set by the driver that runs them."""

    name = "storage"
    hash_type = "md5"

    def __init__(self) -> None:
        self.driver: Any = None

    def close(self) -> None:
        """Release provider resources that are not HTTP connections."""

    def iterate_containers(self) -> StreamFlow[None]:
        """Emit every :class:`Container`."""
        raise NotImplementedError

    def get_container(self, container_name: str) -> StreamFlow[Container]:
        """One container by name."""
        raise NotImplementedError

    def create_container(self, container_name: str) -> StreamFlow[Container]:
        """Create a container."""
        raise NotImplementedError

    def delete_container(self, container: Container) -> StreamFlow[bool]:
        """Delete an empty container."""
        raise NotImplementedError

    def iterate_container_objects(
        self, container: Container, prefix: str | None, delimiter: str | None
    ) -> StreamFlow[None]:
        """Emit the container's objects in name order (and common prefixes, with a delimiter)."""
        raise NotImplementedError

    def get_object(self, container_name: str, object_name: str) -> StreamFlow[Object]:
        """One object's description."""
        raise NotImplementedError

    def upload(self, source: ChunkSource, request: UploadRequest) -> StreamFlow[Object]:
        """Store everything ``source`` gives as one object, all or nothing."""
        raise NotImplementedError

    def upload_file(
        self, path: str, request: UploadRequest, verify_hash: bool
    ) -> StreamFlow[Object]:
        """Store a file; by default streamed through :meth:`upload` (always hashed)."""
        from omnicloud._flow import Call
        from omnicloud.storage._source import ChunkSource

        handle = yield Call(open, (path, "rb"))
        try:
            return (yield from self.upload(ChunkSource(handle), request))
        finally:
            yield Call(handle.close)

    def open_object(self, obj: Object, start: int, end: int | None) -> StreamFlow[OpenedObject]:
        """Open bytes ``start`` to ``end`` (exclusive; ``None`` = to the end) for reading."""
        raise NotImplementedError

    def open_whole(self, obj: Object) -> StreamFlow[OpenedObject]:
        """Open the whole object for a download; a provider that reads ranges in parallel may
        open just its first span and set :attr:`OpenedObject.ranges` for the rest."""
        return (yield from self.open_object(obj, 0, None))

    def delete_object(self, obj: Object) -> StreamFlow[bool]:
        """Delete an object."""
        raise NotImplementedError

    def presigned_url(
        self, obj: Object, method: str, expires: int, headers: dict[str, str] | None
    ) -> str:
        """A URL that grants ``method`` on ``obj`` for ``expires`` seconds without credentials."""
        raise UnsupportedOperationError(f"{self.name} has no presigned URLs")

    def cdn_url(self, obj: Object) -> str:
        """A URL (or path) where the object can be read."""
        return self.presigned_url(obj, "GET", 86400, None)

    def _container(self, name: str, **extra: Any) -> Container:
        return Container(name=name, extra=dict(extra), driver=self.driver)
