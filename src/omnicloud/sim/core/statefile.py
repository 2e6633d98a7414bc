"""Opening a simulator's SQLite state file: private (0600), and never someone else's file.

The file holds API secrets and VM passwords, so a new one is created with mode 0600 before
SQLite opens it (SQLite gives its ``-wal``/``-shm``/``-journal`` files the database's mode). An
existing path must be a SQLite database holding this simulator's tables, or an empty file: any
other file (``/etc/passwd``, a directory, another program's database) is refused with
:class:`~omnicloud.errors.ConfigurationError` before a byte of it is written.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Collection
from pathlib import Path
from urllib.parse import quote

from omnicloud.errors import ConfigurationError

__all__ = ["open_state"]

_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _create(path: Path) -> bool:
    """Create ``path`` empty with mode 0600; False if something already exists there."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    except FileExistsError:
        return False
    except OSError as error:
        raise ConfigurationError(
            f"cannot create the simulator state file {path}: {error.strerror or error}"
        ) from None
    os.close(fd)
    return True


def _check_existing(path: Path) -> None:
    """Refuse anything but a regular file that is empty or starts like a SQLite database."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigurationError(f"{path} is a directory, not a simulator state file")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigurationError(f"{path} is not a regular file, not a simulator state file")
        with open(path, "rb") as handle:
            head = handle.read(len(_MAGIC))
    except OSError as error:
        raise ConfigurationError(
            f"cannot open the simulator state file {path}: {error.strerror or error}"
        ) from None
    if head and head != _MAGIC:
        raise ConfigurationError(
            f"{path} is not a SQLite database; refusing to use it as the simulator state"
        )


def _make_private(path: Path) -> None:
    """No group/other access to the database and its side files, where they are ours (the
    owner's bits are kept: a read-only file stays read-only)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:  # no POSIX modes to tighten (Windows)
        return
    for name in ("", *_SIDE_FILES):
        target = Path(f"{path}{name}")
        with contextlib.suppress(OSError):
            info = os.lstat(target)
            if stat.S_ISREG(info.st_mode) and info.st_uid == geteuid() and info.st_mode & 0o077:
                os.chmod(target, stat.S_IMODE(info.st_mode) & 0o700)


def open_state(
    path: str | Path, *, kind: str, tables: Collection[str], schema: str
) -> sqlite3.Connection:
    """A writable connection to the ``kind`` simulator's state at ``path`` with ``schema`` applied.

    A missing file is created 0600 (its directory must exist). ``tables`` are the ones a state
    file of this simulator always has: a database with tables but not these is refused.
    """
    where = Path(path)
    created = _create(where)
    if not created:
        _check_existing(where)
    try:
        return _connect(where, kind, tables, schema)
    except BaseException:
        if created:  # leave nothing behind
            for name in ("", *_SIDE_FILES):
                with contextlib.suppress(OSError):
                    os.unlink(f"{where}{name}")
        raise


def _connect(where: Path, kind: str, tables: Collection[str], schema: str) -> sqlite3.Connection:
    uri = f"file:{quote(str(where.absolute()))}?mode=rw"
    try:
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as error:
        raise ConfigurationError(f"cannot open the simulator state file {where}: {error}") from None
    try:
        names = {
            str(row[0]) for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if names and not set(tables) <= names:
            raise ConfigurationError(
                f"{where} is a SQLite database but not a {kind} simulator state file"
            )
        _make_private(where)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
        # prove the file is writable now rather than on the first request
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE omnicloud_write_probe (x)")
        db.execute("ROLLBACK")
        _make_private(where)
    except sqlite3.Error as error:
        db.close()
        raise ConfigurationError(
            f"cannot use {where} as the {kind} simulator state: {error}"
        ) from None
    except BaseException:
        db.close()
        raise
    return db
