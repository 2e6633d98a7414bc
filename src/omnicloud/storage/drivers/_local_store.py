"""The local store's blocking file work (the flows in :mod:`.local` call into it).

Layout under the root directory::

    <container>/<object name>                  the bytes (object names may contain "/")
    .omnicloud/meta/<container>/<hh>/<sha256>.json  content type, metadata, MD5, the name
    .omnicloud/tmp/                            uploads in progress (renamed into place when done)
    .omnicloud/locks/<container>.lock          one lock file per container, removed with it

A commit (data rename + metadata rename) holds the container's lock exclusively; reading a
description or opening an object holds it shared, so data and metadata always match. Readers never
see partial objects because data only appears by ``os.replace``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from omnicloud.storage._hashing import MD5Hasher, md5_hasher
from omnicloud.storage._names import check_container_name, check_object_name
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidObjectNameError,
    ObjectDoesNotExistError,
)

__all__ = ["LocalReader", "LocalStore", "LocalWriter", "ObjectInfo"]

HIDDEN = ".omnicloud"


class ObjectInfo:
    """What the store knows about one object (turned into an Object by the flows)."""

    __slots__ = ("content_type", "md5", "meta_data", "modified", "name", "size")

    def __init__(
        self,
        name: str,
        size: int,
        modified: float,
        md5: str | None,
        content_type: str | None,
        meta_data: dict[str, str],
    ) -> None:
        self.name = name
        self.size = size
        self.modified = modified
        self.md5 = md5
        self.content_type = content_type
        self.meta_data = meta_data

    @property
    def last_modified(self) -> str:
        """Modification time as ISO 8601 UTC."""
        return datetime.fromtimestamp(self.modified, UTC).isoformat()


class LocalStore:
    """Containers as directories under ``root``; see the module docstring for the layout."""

    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        self.root = os.path.abspath(os.fspath(root))
        if create:
            os.makedirs(self.root, exist_ok=True)
        elif not os.path.isdir(self.root):
            raise ContainerDoesNotExistError(f"storage root {self.root} does not exist")
        self._hidden = os.path.join(self.root, HIDDEN)
        for sub in ("meta", "tmp", "locks"):
            os.makedirs(os.path.join(self._hidden, sub), exist_ok=True)

    # paths -------------------------------------------------------------------------------
    def container_path(self, container: str) -> str:
        return os.path.join(self.root, check_container_name(container))

    def object_path(self, container: str, name: str) -> str:
        return os.path.join(self.container_path(container), *check_object_name(name).split("/"))

    def _meta_path(self, container: str, name: str) -> str:
        digest = hashlib.sha256(name.encode()).hexdigest()
        return os.path.join(self._hidden, "meta", container, digest[:2], digest + ".json")

    @contextlib.contextmanager
    def _locked(self, container: str, exclusive: bool) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock on Windows: renames stay atomic
            yield
            return
        path = os.path.join(self._hidden, "locks", container + ".lock")
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    def _require_container(self, container: str) -> str:
        path = self.container_path(container)
        if not os.path.isdir(path):
            raise ContainerDoesNotExistError(f"container {container!r} does not exist")
        return path

    # containers ----------------------------------------------------------------------------
    def list_containers(self) -> list[tuple[str, float]]:
        found = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    found.append((entry.name, entry.stat().st_mtime))
        return sorted(found)

    def get_container(self, container: str) -> float:
        return os.stat(self._require_container(container)).st_mtime

    def create_container(self, container: str) -> float:
        path = self.container_path(container)
        try:
            os.mkdir(path)
        except FileExistsError:
            raise ContainerAlreadyExistsError(
                f"container {container!r} exists already", code="ContainerAlreadyExists"
            ) from None
        return os.stat(path).st_mtime

    def delete_container(self, container: str) -> None:
        import shutil

        path = self._require_container(container)
        with self._locked(container, exclusive=True):
            for _dirpath, _dirs, files in os.walk(path):
                if files:
                    raise ContainerIsNotEmptyError(
                        f"container {container!r} is not empty", code="ContainerNotEmpty"
                    )
            shutil.rmtree(path)
            shutil.rmtree(os.path.join(self._hidden, "meta", container), ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self._hidden, "locks", container + ".lock"))

    # objects -------------------------------------------------------------------------------
    def list_names(self, container: str, prefix: str) -> list[str]:
        """Every object name in the container that starts with ``prefix``, sorted."""
        base = self._require_container(container)
        start = base
        head = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if head:
            candidate = os.path.join(base, *head.split("/"))
            if not os.path.isdir(candidate) or os.path.islink(candidate):
                return []
            start = candidate
        names = []
        for dirpath, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(dirpath, d))]
            rel = os.path.relpath(dirpath, base)
            stem = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for file in files:
                name = stem + file
                if name.startswith(prefix) and not os.path.islink(os.path.join(dirpath, file)):
                    names.append(name)
        names.sort()
        return names

    def describe(self, container: str, name: str) -> ObjectInfo:
        """The object's size, time, MD5, content type and metadata."""
        self._require_container(container)
        path = self.object_path(container, name)
        with self._locked(container, exclusive=False):
            return self._describe(container, name, path)

    def _describe(self, container: str, name: str, path: str) -> ObjectInfo:
        try:
            stat = os.stat(path, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            stat = None
        if stat is None or not _is_regular(stat.st_mode):
            raise ObjectDoesNotExistError(
                f"object {name!r} does not exist in container {container!r}", code="NoSuchKey"
            )
        meta = self._read_meta(container, name)
        return ObjectInfo(
            name=name,
            size=stat.st_size,
            modified=stat.st_mtime,
            md5=meta.get("md5"),
            content_type=meta.get("content_type"),
            meta_data=dict(meta.get("meta_data") or {}),
        )

    def describe_many(self, container: str, names: list[str]) -> list[ObjectInfo]:
        """Descriptions for a page of listed names (vanished ones are skipped)."""
        out = []
        with self._locked(container, exclusive=False):
            for name in names:
                try:
                    out.append(self._describe(container, name, self.object_path(container, name)))
                except ObjectDoesNotExistError:
                    continue
        return out

    def _read_meta(self, container: str, name: str) -> dict[str, Any]:
        try:
            with open(self._meta_path(container, name), "rb") as handle:
                meta = json.load(handle)
        except (FileNotFoundError, NotADirectoryError, ValueError):
            return {}
        return meta if isinstance(meta, dict) and meta.get("name") == name else {}

    def open(self, container: str, name: str, start: int, end: int | None) -> LocalReader:
        """A reader over bytes ``start`` to ``end`` (exclusive), pinned to the current version."""
        self._require_container(container)
        path = self.object_path(container, name)
        with self._locked(container, exclusive=False):
            info = self._describe(container, name, path)
            handle = open(path, "rb")  # noqa: SIM115 - closed by LocalReader
        stop = info.size if end is None else min(end, info.size)
        if start > info.size or (start == info.size and info.size > 0):
            handle.close()
            from omnicloud.storage.errors import InvalidRangeError

            raise InvalidRangeError(f"range start {start} is beyond the object's {info.size} bytes")
        handle.seek(start)
        whole = start == 0 and stop == info.size
        return LocalReader(handle, max(0, stop - start), info.md5 if whole else None)

    def begin_write(self, container: str, name: str) -> LocalWriter:
        """A temporary file to stream into; :meth:`LocalWriter.commit` renames it into place."""
        self._require_container(container)
        final = self.object_path(container, name)
        fd, temp = tempfile.mkstemp(prefix="up-", dir=os.path.join(self._hidden, "tmp"))
        return LocalWriter(self, container, name, final, os.fdopen(fd, "wb"), temp)

    def import_file(
        self,
        container: str,
        name: str,
        path: str,
        content_type: str,
        meta_data: dict[str, str],
        *,
        hashed: bool = False,
    ) -> ObjectInfo:
        """Copy a file in: with the kernel's copy (the object's hash stays unknown), or
        ``hashed`` through user space with its MD5 computed beside the copy."""
        writer = self.begin_write(container, name)
        try:
            writer.size = writer.copy_hashed_from(path) if hashed else writer.copy_from(path)
            writer.close_file()
            return self.commit(writer, content_type, meta_data, hashed=hashed)
        except BaseException:
            writer.discard()
            raise

    def commit(
        self,
        writer: LocalWriter,
        content_type: str,
        meta_data: dict[str, str],
        *,
        hashed: bool = True,
    ) -> ObjectInfo:
        meta = {
            "name": writer.name,
            "md5": writer.md5.hexdigest() if hashed else None,
            "size": writer.size,
            "content_type": content_type,
            "meta_data": meta_data,
        }
        meta_path = self._meta_path(writer.container, writer.name)
        os.makedirs(os.path.dirname(meta_path), exist_ok=True)
        fd, meta_temp = tempfile.mkstemp(prefix="meta-", dir=os.path.join(self._hidden, "tmp"))
        with os.fdopen(fd, "w") as handle:
            json.dump(meta, handle)
        try:
            with self._locked(writer.container, exclusive=True):
                self._require_container(writer.container)
                self._make_parents(writer)
                if os.path.isdir(writer.final) and not os.path.islink(writer.final):
                    raise InvalidObjectNameError(
                        f"object name {writer.name!r} is a directory of other objects here"
                    )
                os.chmod(writer.temp, 0o644)
                os.replace(writer.temp, writer.final)
                os.replace(meta_temp, meta_path)
                return self._describe(writer.container, writer.name, writer.final)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(meta_temp)

    def _make_parents(self, writer: LocalWriter) -> None:
        parent = os.path.dirname(writer.final)
        try:
            os.makedirs(parent, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise InvalidObjectNameError(
                f"object name {writer.name!r} lies below an existing object"
            ) from None

    def delete(self, container: str, name: str) -> None:
        base = self._require_container(container)
        path = self.object_path(container, name)
        with self._locked(container, exclusive=True):
            self._describe(container, name, path)
            os.unlink(path)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._meta_path(container, name))
            parent = os.path.dirname(path)
            while parent != base:
                try:
                    os.rmdir(parent)
                except OSError:
                    break
                parent = os.path.dirname(parent)


class LocalWriter:
    """A temporary file being filled; hashed as it is written."""

    def __init__(
        self, store: LocalStore, container: str, name: str, final: str, handle: Any, temp: str
    ) -> None:
        self.store = store
        self.container = container
        self.name = name
        self.final = final
        self.temp = temp
        self._handle = handle
        self.md5: MD5Hasher = MD5Hasher()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._handle.write(chunk)
        self.md5.update(chunk)
        self.size += len(chunk)

    def commit(self, content_type: str, meta_data: dict[str, str]) -> ObjectInfo:
        self._handle.close()
        return self.store.commit(self, content_type, meta_data)

    def copy_from(self, path: str) -> int:
        """Fill the (still empty) file with a kernel copy of ``path``; the bytes copied.

        The copy goes into the descriptor ``mkstemp`` opened: reopening the file with truncation
        would make ext4 (``auto_da_alloc``) flush it to disk on close, doubling the time.
        """
        return _kernel_copy(path, self._handle)

    def copy_hashed_from(self, path: str) -> int:
        """Fill the (still empty) file with ``path``'s bytes, hashing them in a worker thread
        (``hashlib`` releases the GIL) while the next piece is read and written."""
        with open(path, "rb", buffering=0) as source:
            self.md5 = md5_hasher(os.fstat(source.fileno()).st_size)
            try:
                while piece := source.read(_COPY_PIECE):
                    self._handle.write(piece)
                    self.md5.update(piece)
                    self.size += len(piece)
                self.md5.hexdigest()  # waits for the worker
            finally:
                self.md5.close()
        return self.size

    def close_file(self) -> None:
        self._handle.close()

    def discard(self) -> None:
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)


class LocalReader:
    """Reads a bounded range from an open file; ``aread`` runs the read in a worker thread."""

    def __init__(self, handle: Any, remaining: int, md5: str | None) -> None:
        self._handle = handle
        self.remaining = remaining
        self.size = remaining
        self.md5 = md5

    def read(self, size: int) -> bytes:
        if self.remaining <= 0:
            return b""
        data: bytes = self._handle.read(min(size, self.remaining))
        self.remaining -= len(data)
        return data

    async def aread(self, size: int) -> bytes:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.read, size)

    def close(self) -> None:
        self._handle.close()

    async def aclose(self) -> None:
        self._handle.close()


_COPY_PIECE = 1024 * 1024


def _kernel_copy(source: str, target: Any) -> int:
    """Copy ``source`` into the open binary file ``target`` with ``copy_file_range`` (falling
    back to shutil where the kernel or file system cannot)."""
    import shutil

    target.flush()
    out = target.fileno()
    with open(source, "rb") as src:
        size = os.fstat(src.fileno()).st_size
        copied = 0
        try:
            while copied < size:
                step = os.copy_file_range(src.fileno(), out, size - copied)
                if step == 0:
                    break
                copied += step
        except (AttributeError, OSError):
            src.seek(copied)
            target.seek(copied)
            shutil.copyfileobj(src, target, 1024 * 1024)
            target.flush()
            copied = target.tell()
    return copied


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)
