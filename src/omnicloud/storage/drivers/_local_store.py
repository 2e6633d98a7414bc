"""The local store's blocking file work (the flows in :mod:`.local` call into it).

Layout under the root directory::

    <container>/<object name>                  the bytes (object names may contain "/")
    .omnicloud/meta/<container>/<hh>/<sha256>.json  content type, metadata, MD5, the name
    .omnicloud/tmp/                            uploads in progress (renamed into place when done)
    .omnicloud/locks/<container>.lock          one lock file per container, removed with it

A commit (data rename + metadata rename) holds the container's lock exclusively; reading a
description or opening an object holds it shared, so data and metadata always match. Readers never
see partial objects because data only appears by ``os.replace``.

Nothing below the root is reached through a symbolic link (:mod:`._local_fs`): a linked container
raises :class:`InvalidContainerNameError`, a linked object or a link on an object's way
:class:`InvalidObjectNameError`, and listings neither show links nor descend through them.
Temporary files carry their writer's identity and are reclaimed once it is gone
(:mod:`._local_temp`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from omnicloud.errors import ConfigurationError
from omnicloud.storage._hashing import MD5Hasher, md5_hasher
from omnicloud.storage._names import MAX_NAME, check_container_name, check_object_name
from omnicloud.storage.drivers._local_fs import (
    LinkRefusedError,
    dir_chain,
    holds_non_directories,
    lstat_at,
    open_dir,
    open_file,
    open_root,
    scan_files,
)
from omnicloud.storage.drivers._local_temp import create_temp, reclaim
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    ContainerIsNotEmptyError,
    InvalidContainerNameError,
    InvalidObjectNameError,
    ObjectDoesNotExistError,
    StorageError,
)

__all__ = ["LocalReader", "LocalStore", "LocalWriter", "ObjectInfo"]

HIDDEN = ".omnicloud"
RECLAIM_EVERY = 60.0  # seconds between two sweeps of stale temporary files by one store
_NO_LINKS = "local storage does not follow symbolic links"


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


def _prepare_root(root: str, create: bool) -> None:
    """Check (or, when ``create``, make) the root and its hidden directories."""
    try:
        found = os.stat(root)
    except FileNotFoundError:
        if not create:
            raise ConfigurationError(f"storage root {root} does not exist") from None
        try:
            os.makedirs(root, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(f"cannot create storage root {root}: {exc.strerror}") from None
    except NotADirectoryError:
        raise ConfigurationError(f"storage root {root} is not a directory") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot use storage root {root}: {exc.strerror}") from None
    else:
        if not stat.S_ISDIR(found.st_mode):
            raise ConfigurationError(f"storage root {root} is not a directory")
    try:
        root_fd = open_root(root)
        try:
            with dir_chain(root_fd, [HIDDEN], create=True) as hidden:
                for sub in ("meta", "tmp", "locks"):
                    try:
                        os.close(open_dir(hidden, sub, create=True))
                    except LinkRefusedError:
                        raise LinkRefusedError(1) from None
        finally:
            os.close(root_fd)
    except LinkRefusedError:
        raise ConfigurationError(
            f"storage root {root}: {HIDDEN} or a folder in it is a symbolic link ({_NO_LINKS})"
        ) from None
    except OSError as exc:
        raise ConfigurationError(f"cannot use storage root {root}: {exc.strerror}") from None


def _missing(container: str, name: str) -> ObjectDoesNotExistError:
    return ObjectDoesNotExistError(
        f"object {name!r} does not exist in container {container!r}", code="NoSuchKey"
    )


def _link_error(name: str, depth: int | None = None) -> InvalidObjectNameError:
    parts = name.split("/")
    if depth is None or depth >= len(parts) - 1:
        return InvalidObjectNameError(f"object {name!r} is a symbolic link ({_NO_LINKS})")
    where = "/".join(parts[: depth + 1])
    return InvalidObjectNameError(
        f"object name {name!r} goes through the symbolic link {where!r} ({_NO_LINKS})"
    )


def _is_valid_name(name: str) -> bool:
    try:
        check_object_name(name)
    except InvalidObjectNameError:
        return False
    return True


class LocalStore:
    """Containers as directories under ``root``; see the module docstring for the layout.

    ``create=False`` refuses a missing root (:class:`ConfigurationError`) instead of making it.
    """

    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        self.root = os.path.abspath(os.fspath(root))
        _prepare_root(self.root, create)
        self._hidden = os.path.join(self.root, HIDDEN)
        self._tmp = os.path.join(self._hidden, "tmp")
        self._reclaim_due = 0.0

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
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _container(self, container: str) -> Iterator[int]:
        """The container directory's descriptor (never through a link)."""
        check_container_name(container)
        root_fd = open_root(self.root)
        try:
            fd = open_dir(root_fd, container)
        except LinkRefusedError:
            raise InvalidContainerNameError(
                f"container {container!r} is a symbolic link ({_NO_LINKS})"
            ) from None
        except (FileNotFoundError, NotADirectoryError):
            raise ContainerDoesNotExistError(f"container {container!r} does not exist") from None
        finally:
            os.close(root_fd)
        try:
            yield fd
        finally:
            os.close(fd)

    @contextlib.contextmanager
    def _parent(
        self, base: int, container: str, name: str, *, create: bool = False
    ) -> Iterator[tuple[int, str]]:
        """The descriptor of the directory holding object ``name`` and the name's last segment;
        directories on the way are made when ``create``."""
        parts = check_object_name(name).split("/")
        stack = contextlib.ExitStack()
        try:
            fd = stack.enter_context(dir_chain(base, parts[:-1], create=create))
        except LinkRefusedError as exc:
            raise _link_error(name, exc.depth) from None
        except (FileNotFoundError, NotADirectoryError):
            if create:
                raise InvalidObjectNameError(
                    f"object name {name!r} lies below an existing object"
                ) from None
            raise _missing(container, name) from None
        with stack:
            yield fd, parts[-1]

    # containers ----------------------------------------------------------------------------
    def list_containers(self) -> list[tuple[str, float]]:
        found = []
        root_fd = open_root(self.root)
        try:
            with os.scandir(root_fd) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                        continue
                    try:
                        check_container_name(entry.name)
                    except InvalidContainerNameError:
                        continue  # not UTF-8, say: it could not be asked for by name
                    found.append((entry.name, entry.stat(follow_symlinks=False).st_mtime))
        finally:
            os.close(root_fd)
        return sorted(found)

    def get_container(self, container: str) -> float:
        with self._container(container) as fd:
            return os.fstat(fd).st_mtime

    def create_container(self, container: str) -> float:
        check_container_name(container)
        root_fd = open_root(self.root)
        try:
            try:
                os.mkdir(container, 0o777, dir_fd=root_fd)
            except FileExistsError:
                raise ContainerAlreadyExistsError(
                    f"container {container!r} exists already", code="ContainerAlreadyExists"
                ) from None
            return os.stat(container, dir_fd=root_fd, follow_symlinks=False).st_mtime
        finally:
            os.close(root_fd)

    def delete_container(self, container: str) -> None:
        import shutil

        with self._container(container) as fd, self._locked(container, exclusive=True):
            if holds_non_directories(fd):
                raise ContainerIsNotEmptyError(
                    f"container {container!r} is not empty", code="ContainerNotEmpty"
                )
            root_fd = open_root(self.root)
            try:
                shutil.rmtree(container, dir_fd=root_fd)  # never follows links
            finally:
                os.close(root_fd)
            shutil.rmtree(os.path.join(self._hidden, "meta", container), ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self._hidden, "locks", container + ".lock"))

    # objects -------------------------------------------------------------------------------
    def list_names(self, container: str, prefix: str) -> list[str]:
        """Every object name in the container that starts with ``prefix``, sorted (regular
        files only, found without following links)."""
        head = prefix.rpartition("/")[0]
        parts = head.split("/") if head else []
        with self._container(container) as base:
            if any(part in ("", ".", "..") for part in parts):
                return []
            try:
                with dir_chain(base, parts) as start:
                    found = list(scan_files(start, head + "/" if head else "", MAX_NAME, prefix))
            except (LinkRefusedError, FileNotFoundError, NotADirectoryError, ValueError):
                return []  # a link, nothing, a file or an impossible name on the prefix's way
        return sorted(name for name in found if name.startswith(prefix) and _is_valid_name(name))

    def describe(self, container: str, name: str) -> ObjectInfo:
        """The object's size, time, MD5, content type and metadata."""
        check_object_name(name)  # before the lock file is made
        with self._container(container) as base, self._locked(container, exclusive=False):
            with self._parent(base, container, name) as (fd, leaf):
                return self._describe_at(fd, leaf, container, name)

    def _describe_at(self, fd: int, leaf: str, container: str, name: str) -> ObjectInfo:
        found = lstat_at(fd, leaf)
        if found is not None and stat.S_ISLNK(found.st_mode):
            raise _link_error(name)
        if found is None or not stat.S_ISREG(found.st_mode):
            raise _missing(container, name)
        return self._info(container, name, found)

    def _info(self, container: str, name: str, found: os.stat_result) -> ObjectInfo:
        meta = self._read_meta(container, name)
        return ObjectInfo(
            name=name,
            size=found.st_size,
            modified=found.st_mtime,
            md5=meta.get("md5"),
            content_type=meta.get("content_type"),
            meta_data=dict(meta.get("meta_data") or {}),
        )

    def describe_many(self, container: str, names: list[str]) -> list[ObjectInfo]:
        """Descriptions for a page of listed names (vanished ones are skipped)."""
        out = []
        with self._container(container) as base, self._locked(container, exclusive=False):
            for parent, group in itertools.groupby(names, lambda name: name.rpartition("/")[0]):
                with contextlib.ExitStack() as stack:
                    try:
                        fd = stack.enter_context(
                            dir_chain(base, parent.split("/") if parent else [])
                        )
                    except (LinkRefusedError, FileNotFoundError, NotADirectoryError):
                        continue  # the folder vanished or became a link since the listing
                    for name in group:
                        try:
                            leaf = name.rpartition("/")[2]
                            out.append(self._describe_at(fd, leaf, container, name))
                        except (ObjectDoesNotExistError, InvalidObjectNameError):
                            continue
        return out

    def _read_meta(self, container: str, name: str) -> dict[str, Any]:
        try:
            fd = os.open(self._meta_path(container, name), os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as handle:
                meta = json.load(handle)
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) and meta.get("name") == name else {}

    def _write_meta(self, container: str, name: str, temp: str) -> None:
        digest = hashlib.sha256(name.encode()).hexdigest()
        root_fd = open_root(self.root)
        try:
            with dir_chain(root_fd, [HIDDEN, "meta", container, digest[:2]], create=True) as fd:
                os.replace(temp, digest + ".json", dst_dir_fd=fd)
        except LinkRefusedError:
            raise StorageError(
                f"storage root {self.root}: a metadata folder is a symbolic link ({_NO_LINKS})"
            ) from None
        finally:
            os.close(root_fd)

    def open(self, container: str, name: str, start: int, end: int | None) -> LocalReader:
        """A reader over bytes ``start`` to ``end`` (exclusive), pinned to the current version."""
        check_object_name(name)  # before the lock file is made
        with self._container(container) as base, self._locked(container, exclusive=False):
            with self._parent(base, container, name) as (fd, leaf):
                try:
                    file_fd = open_file(fd, leaf)
                except LinkRefusedError:
                    raise _link_error(name) from None
                if file_fd is None:
                    raise _missing(container, name)
                try:
                    info = self._info(container, name, os.fstat(file_fd))
                except BaseException:
                    os.close(file_fd)
                    raise
        handle = os.fdopen(file_fd, "rb")
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
        self._check_writable(container, name)
        self._reclaim_stale()
        fd, temp = create_temp(self._tmp, "up")
        return LocalWriter(self, container, name, os.fdopen(fd, "wb"), temp)

    def _check_writable(self, container: str, name: str) -> None:
        """Refuse early (before any data is read) what the commit would refuse."""
        parts = check_object_name(name).split("/")
        with self._container(container) as base, contextlib.ExitStack() as opened:
            current = base
            for depth, part in enumerate(parts):
                found = lstat_at(current, part)
                if found is None:
                    return
                if stat.S_ISLNK(found.st_mode):
                    raise _link_error(name, depth)
                if depth == len(parts) - 1:
                    if stat.S_ISDIR(found.st_mode):
                        raise InvalidObjectNameError(
                            f"object name {name!r} is a directory of other objects here"
                        )
                    return
                if not stat.S_ISDIR(found.st_mode):
                    raise InvalidObjectNameError(
                        f"object name {name!r} lies below an existing object"
                    )
                try:
                    current = open_dir(current, part, depth=depth)
                except LinkRefusedError:
                    raise _link_error(name, depth) from None
                except (FileNotFoundError, NotADirectoryError):
                    return  # changed meanwhile: the commit decides
                opened.callback(os.close, current)

    def _reclaim_stale(self) -> None:
        now = time.monotonic()
        if now >= self._reclaim_due:
            self._reclaim_due = now + RECLAIM_EVERY
            reclaim(self._tmp)

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
        container, name = writer.container, writer.name
        meta = {
            "name": name,
            "md5": writer.md5.hexdigest() if hashed else None,
            "size": writer.size,
            "content_type": content_type,
            "meta_data": meta_data,
        }
        fd, meta_temp = create_temp(self._tmp, "meta")
        with os.fdopen(fd, "w") as handle:
            json.dump(meta, handle)
        try:
            with self._locked(container, exclusive=True), self._container(container) as base:
                with self._parent(base, container, name, create=True) as (parent, leaf):
                    found = lstat_at(parent, leaf)
                    if found is not None and stat.S_ISLNK(found.st_mode):
                        raise _link_error(name)
                    if found is not None and stat.S_ISDIR(found.st_mode):
                        raise InvalidObjectNameError(
                            f"object name {name!r} is a directory of other objects here"
                        )
                    try:
                        os.replace(writer.temp, leaf, dst_dir_fd=parent)
                    except FileNotFoundError:
                        if os.path.lexists(writer.temp):
                            raise
                        raise StorageError(
                            f"the temporary file of the upload of {name!r} was removed "
                            "(stale temporary files are reclaimed after 24 hours unchanged)"
                        ) from None
                    self._write_meta(container, name, meta_temp)
                    return self._describe_at(parent, leaf, container, name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(meta_temp)

    def delete(self, container: str, name: str) -> None:
        parts = check_object_name(name).split("/")
        with self._container(container) as base, self._locked(container, exclusive=True):
            with self._parent(base, container, name) as (fd, leaf):
                self._describe_at(fd, leaf, container, name)
                os.unlink(leaf, dir_fd=fd)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._meta_path(container, name))
            for depth in range(len(parts) - 1, 0, -1):  # empty folders that held it, deepest first
                try:
                    with dir_chain(base, parts[: depth - 1]) as fd:
                        os.rmdir(parts[depth - 1], dir_fd=fd)
                except (LinkRefusedError, OSError):
                    break


class LocalWriter:
    """A temporary file being filled; hashed as it is written."""

    def __init__(
        self, store: LocalStore, container: str, name: str, handle: Any, temp: str
    ) -> None:
        self.store = store
        self.container = container
        self.name = name
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
