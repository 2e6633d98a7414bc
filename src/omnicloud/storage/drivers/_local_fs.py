"""File system steps for the local store that never follow a symbolic link.

Every path below the storage root is resolved one component at a time, each opened relative to
its parent's descriptor with ``O_NOFOLLOW``, so a link planted anywhere (a container, a directory
on the way, the object itself) is refused instead of followed, and nothing swapped in between a
check and a use can redirect the operation. POSIX only (``dir_fd`` and ``O_NOFOLLOW``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator, Sequence

__all__ = [
    "LinkRefusedError",
    "dir_chain",
    "holds_non_directories",
    "lstat_at",
    "open_dir",
    "open_file",
    "open_root",
    "scan_files",
]

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC


class LinkRefusedError(Exception):
    """Component ``depth`` (0-based) of the path asked for is a symbolic link."""

    def __init__(self, depth: int) -> None:
        super().__init__(depth)
        self.depth = depth


def lstat_at(dir_fd: int, name: str) -> os.stat_result | None:
    """``name``'s own status in the directory (a link is not followed); ``None`` if missing."""
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except (FileNotFoundError, NotADirectoryError):
        return None


def _is_link(dir_fd: int, name: str) -> bool:
    found = lstat_at(dir_fd, name)
    return found is not None and stat.S_ISLNK(found.st_mode)


def open_root(path: str) -> int:
    """A descriptor of the storage root (the root itself may be reached through links)."""
    return os.open(path, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)


def open_dir(dir_fd: int, name: str, *, create: bool = False, depth: int = 0) -> int:
    """The directory ``name`` inside ``dir_fd`` (made first when ``create``), not through a link.

    A link raises :class:`LinkRefusedError`; a missing entry ``FileNotFoundError``; anything else
    in the way ``NotADirectoryError``.
    """
    for _attempt in range(2):
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except FileNotFoundError:
            if not create:
                raise
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o777, dir_fd=dir_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK) and _is_link(dir_fd, name):
                raise LinkRefusedError(depth) from None
            raise
    return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)  # made meanwhile: the error is the answer


@contextlib.contextmanager
def dir_chain(base: int, parts: Sequence[str], *, create: bool = False) -> Iterator[int]:
    """The descriptor of ``base/parts[0]/.../parts[-1]`` (``base`` itself for no parts), each
    component opened with :func:`open_dir`; closed on exit."""
    opened: list[int] = []
    try:
        current = base
        for depth, part in enumerate(parts):
            current = open_dir(current, part, create=create, depth=depth)
            opened.append(current)
        yield current
    finally:
        for fd in opened:
            os.close(fd)


def open_file(dir_fd: int, name: str, *, depth: int = 0) -> int | None:
    """A blocking read descriptor of the regular file ``name``; ``None`` when it is missing or not
    a regular file (a FIFO is opened without blocking, seen and closed). A link raises
    :class:`LinkRefusedError`."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP or _is_link(dir_fd, name):
            raise LinkRefusedError(depth) from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):  # a socket, say
            return None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    os.set_blocking(fd, True)
    return fd


def scan_files(dir_fd: int, stem: str, max_len: int, wanted: str = "") -> Iterator[str]:
    """``stem`` + the relative path of every regular file below ``dir_fd``, descending only into
    real directories (links of any kind are skipped) and only while a name could still be at most
    ``max_len`` bytes and start with ``wanted``."""
    with os.scandir(dir_fd) as entries:
        found = list(entries)
    for entry in found:
        name = stem + entry.name
        if entry.is_file(follow_symlinks=False):
            yield name
        elif entry.is_dir(follow_symlinks=False):
            folder = name + "/"
            if len(os.fsencode(folder)) >= max_len:
                continue
            if not (folder.startswith(wanted) or wanted.startswith(folder)):
                continue
            try:
                sub = open_dir(dir_fd, entry.name)
            except (LinkRefusedError, OSError):
                continue  # replaced by a link or removed meanwhile
            try:
                yield from scan_files(sub, folder, max_len, wanted)
            finally:
                os.close(sub)


def holds_non_directories(dir_fd: int) -> bool:
    """Whether anything but (real, possibly nested) directories lies below ``dir_fd``: files,
    links, FIFOs... (links are entries here, not followed)."""
    with os.scandir(dir_fd) as entries:
        found = list(entries)
    for entry in found:
        if not entry.is_dir(follow_symlinks=False):
            return True
        try:
            sub = open_dir(dir_fd, entry.name)
        except (LinkRefusedError, OSError):
            return True
        try:
            if holds_non_directories(sub):
                return True
        finally:
            os.close(sub)
    return False
