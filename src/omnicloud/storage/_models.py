"""Container and Object: the values every storage driver returns (Libcloud's field names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DEFAULT_CONTENT_TYPE", "Container", "Object"]

DEFAULT_CONTENT_TYPE = "application/octet-stream"


@dataclass(slots=True, eq=False)
class Container:
    """A container (S3 bucket, local directory).

    The convenience methods forward to ``driver``; with an async driver they return awaitables
    (or async iterators), exactly as the driver method does.
    """

    name: str
    extra: dict[str, Any] = field(default_factory=dict)
    driver: Any = field(default=None, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Container) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def iterate_objects(self, prefix: str | None = None, delimiter: str | None = None) -> Any:
        """The objects in this container, lazily."""
        return self.driver.iterate_container_objects(self, prefix=prefix, delimiter=delimiter)

    def list_objects(self, prefix: str | None = None, delimiter: str | None = None) -> Any:
        """The objects in this container, as a list."""
        return self.driver.list_container_objects(self, prefix=prefix, delimiter=delimiter)

    def get_object(self, object_name: str) -> Any:
        """One object by name."""
        return self.driver.get_object(self.name, object_name)

    def upload_object(self, file_path: str, object_name: str, **kwargs: Any) -> Any:
        """Upload a file as ``object_name``."""
        return self.driver.upload_object(file_path, self, object_name, **kwargs)

    def upload_object_via_stream(self, iterator: Any, object_name: str, **kwargs: Any) -> Any:
        """Upload from an iterator or file object as ``object_name``."""
        return self.driver.upload_object_via_stream(iterator, self, object_name, **kwargs)

    def delete(self) -> Any:
        """Delete this (empty) container."""
        return self.driver.delete_container(self)


@dataclass(slots=True, eq=False)
class Object:
    """An object (blob) in a container.

    ``hash`` is the provider's content hash as a string; what it means depends on the provider
    (see ``docs/storage.md``): S3 gives the ETag without quotes (the MD5 hex of a single-part
    upload, ``"<md5 of part md5s>-<parts>"`` for multipart), the local driver the MD5 hex of the
    content. ``extra`` holds ``content_type``, ``etag``, ``last_modified`` and provider fields;
    ``meta_data`` the user metadata (S3 ``x-amz-meta-*``).
    """

    name: str
    size: int
    hash: str | None
    extra: dict[str, Any] = field(default_factory=dict)
    meta_data: dict[str, str] = field(default_factory=dict)
    container: Container | None = None
    driver: Any = field(default=None, repr=False)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Object)
            and other.name == self.name
            and other.container == self.container
            and other.size == self.size
            and other.hash == self.hash
        )

    def __hash__(self) -> int:
        return hash((self.name, self.container.name if self.container else None))

    @property
    def container_name(self) -> str:
        """The name of the container holding this object."""
        if self.container is None:
            raise ValueError(f"object {self.name!r} is not attached to a container")
        return self.container.name

    @property
    def content_type(self) -> str | None:
        """The stored media type, when the provider reported it."""
        value = self.extra.get("content_type")
        return value if isinstance(value, str) else None

    @property
    def is_prefix(self) -> bool:
        """True for a common prefix ("directory") reported by a listing with a delimiter."""
        return bool(self.extra.get("is_prefix"))

    def download(self, destination_path: str, **kwargs: Any) -> Any:
        """Save this object to ``destination_path``."""
        return self.driver.download_object(self, destination_path, **kwargs)

    def as_stream(self, chunk_size: int | None = None) -> Any:
        """This object's bytes as an iterator of chunks."""
        return self.driver.download_object_as_stream(self, chunk_size=chunk_size)

    def download_range(
        self, destination_path: str, start_bytes: int, end_bytes: int | None = None, **kwargs: Any
    ) -> Any:
        """Save bytes ``start_bytes`` to ``end_bytes`` (exclusive) to a file."""
        return self.driver.download_object_range(
            self, destination_path, start_bytes, end_bytes, **kwargs
        )

    def range_as_stream(
        self, start_bytes: int, end_bytes: int | None = None, chunk_size: int | None = None
    ) -> Any:
        """Bytes ``start_bytes`` to ``end_bytes`` (exclusive) as an iterator of chunks."""
        return self.driver.download_object_range_as_stream(
            self, start_bytes, end_bytes, chunk_size=chunk_size
        )

    def delete(self) -> Any:
        """Delete this object."""
        return self.driver.delete_object(self)
