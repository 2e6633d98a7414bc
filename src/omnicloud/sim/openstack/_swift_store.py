"""Swift's storage: an index in SQLite and object bytes in files, never whole objects in memory.

Beside a state file ``os.db`` the object store is the folder ``os.db.swift/`` (0700): its index
``index.db`` (accounts, containers, objects and their metadata) and one file per object under
``data/``. A state in memory gets a private temporary folder instead, removed when the state is
garbage-collected. A body is streamed to ``tmp/`` while it arrives and moved into ``data/`` only
once complete, then indexed in one transaction: an interrupted upload leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.jsonio import dumps_text, loads
from ..core.store import SqliteStore
from ._state import Cloud

__all__ = ["Blob", "ObjectRow", "SwiftStore", "swift_store"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (
    account TEXT PRIMARY KEY, created REAL NOT NULL, meta TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS containers (
    account TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL, meta TEXT NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE IF NOT EXISTS objects (
    account TEXT NOT NULL, container TEXT NOT NULL, name TEXT NOT NULL,
    size INTEGER NOT NULL, etag TEXT NOT NULL, content_type TEXT NOT NULL,
    modified REAL NOT NULL, meta TEXT NOT NULL, file TEXT NOT NULL,
    manifest TEXT, slo_etag TEXT,
    PRIMARY KEY (account, container, name)
);
"""

_OBJECT_COLUMNS = "name, size, etag, content_type, modified, meta, file, manifest, slo_etag"


@dataclass(slots=True)
class ObjectRow:
    """One stored object. ``size``/``etag`` are those of its bytes on disk, except for a static
    large object (``manifest`` set: the segment list), whose ``size`` is the sum of its segments'
    and ``slo_etag`` the MD5 of their MD5s; ``etag`` is then the MD5 of the stored manifest."""

    name: str
    size: int
    etag: str
    content_type: str
    modified: float
    meta: dict[str, str]
    file: str
    manifest: list[dict[str, Any]] | None = None
    slo_etag: str | None = None

    @property
    def is_slo(self) -> bool:
        """Whether this is a static large object manifest."""
        return self.manifest is not None


@dataclass(slots=True)
class Blob:
    """A body being written to ``tmp/``: its path, and later its name under ``data/``."""

    path: Path
    file: str


def _row(values: tuple[Any, ...]) -> ObjectRow:
    name, size, etag, content_type, modified, meta, file, manifest, slo_etag = values
    return ObjectRow(
        name=str(name),
        size=int(size),
        etag=str(etag),
        content_type=str(content_type),
        modified=float(modified),
        meta=dict(loads(meta)),
        file=str(file),
        manifest=None if manifest is None else list(loads(manifest)),
        slo_etag=None if slo_etag is None else str(slo_etag),
    )


class SwiftStore(SqliteStore):
    """The object store of one simulated cloud: index (SQLite) and bytes (files)."""

    KIND = "OpenStack Swift"
    SCHEMA = _SCHEMA
    TABLES = ("settings", "accounts", "containers", "objects")

    def __init__(self, folder: Path, *, temporary: bool = False) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for sub in ("data", "tmp"):
            (folder / sub).mkdir(mode=0o700, exist_ok=True)
        super().__init__(folder / "index.db")
        self.folder = folder
        self._cleanup = weakref.finalize(self, _remove if temporary else _nothing, folder, self._db)

    def __repr__(self) -> str:
        return f"<SwiftStore {self.folder}>"

    # accounts ---------------------------------------------------------------------------------

    def account(self, account: str, now: float) -> tuple[float, dict[str, str]]:
        """(creation time, metadata) of ``account``, created on first use (autocreate)."""
        with self._lock:
            row = self._db.execute(
                "SELECT created, meta FROM accounts WHERE account = ?", (account,)
            ).fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO accounts (account, created, meta) VALUES (?, ?, '{}')",
                    (account, now),
                )
                return now, {}
        return float(row[0]), dict(loads(row[1]))

    def set_account_meta(self, account: str, meta: dict[str, str]) -> None:
        """Replace the account's metadata."""
        with self._lock:
            self._db.execute(
                "UPDATE accounts SET meta = ? WHERE account = ?", (dumps_text(meta), account)
            )

    def account_usage(self, account: str) -> tuple[int, int, int]:
        """(containers, objects, bytes) of ``account``."""
        with self._lock:
            containers = self._db.execute(
                "SELECT COUNT(*) FROM containers WHERE account = ?", (account,)
            ).fetchone()[0]
            objects, used = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM objects WHERE account = ?",
                (account,),
            ).fetchone()
        return int(containers), int(objects), int(used)

    def containers(
        self, account: str, after: str, before: str | None, prefix: str, limit: int
    ) -> list[tuple[str, float, int, int]]:
        """(name, created, objects, bytes) of containers after ``after`` in name order."""
        sql = (
            "SELECT c.name, c.created, COUNT(o.name), COALESCE(SUM(o.size), 0) "
            "FROM containers c LEFT JOIN objects o "
            "ON o.account = c.account AND o.container = c.name "
            "WHERE c.account = ? AND c.name > ? AND c.name >= ?"
        )
        args: list[Any] = [account, after, prefix]
        if before is not None:
            sql += " AND c.name < ?"
            args.append(before)
        sql += " GROUP BY c.name ORDER BY c.name LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [(str(n), float(c), int(k), int(b)) for n, c, k, b in rows if n.startswith(prefix)]

    # containers -------------------------------------------------------------------------------

    def container(self, account: str, name: str) -> tuple[float, dict[str, str]] | None:
        """(creation time, metadata) of a container, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT created, meta FROM containers WHERE account = ? AND name = ?",
                (account, name),
            ).fetchone()
        return None if row is None else (float(row[0]), dict(loads(row[1])))

    def put_container(self, account: str, name: str, now: float, meta: dict[str, str]) -> None:
        """Create a container or replace its metadata."""
        with self._lock:
            self._db.execute(
                "INSERT INTO containers (account, name, created, meta) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(account, name) DO UPDATE SET meta = excluded.meta",
                (account, name, now, dumps_text(meta)),
            )

    def delete_container(self, account: str, name: str) -> None:
        """Forget an (empty) container."""
        with self._lock:
            self._db.execute(
                "DELETE FROM containers WHERE account = ? AND name = ?", (account, name)
            )

    def container_usage(self, account: str, name: str) -> tuple[int, int]:
        """(objects, bytes) of a container."""
        with self._lock:
            count, used = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM objects "
                "WHERE account = ? AND container = ?",
                (account, name),
            ).fetchone()
        return int(count), int(used)

    # objects ----------------------------------------------------------------------------------

    def objects(
        self,
        account: str,
        container: str,
        after: str,
        before: str | None,
        prefix: str,
        limit: int,
    ) -> list[ObjectRow]:
        """Up to ``limit`` objects after ``after``, from ``prefix`` on (and before ``before``),
        in name order."""
        sql = (
            f"SELECT {_OBJECT_COLUMNS} FROM objects "
            "WHERE account = ? AND container = ? AND name > ? AND name >= ?"
        )
        args: list[Any] = [account, container, after, prefix]
        if before is not None:
            sql += " AND name < ?"
            args.append(before)
        sql += " ORDER BY name LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_row(tuple(row)) for row in rows]

    def get_object(self, account: str, container: str, name: str) -> ObjectRow | None:
        """One object, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {_OBJECT_COLUMNS} FROM objects "
                "WHERE account = ? AND container = ? AND name = ?",
                (account, container, name),
            ).fetchone()
        return None if row is None else _row(tuple(row))

    def put_object(self, account: str, container: str, row: ObjectRow) -> str | None:
        """Index ``row`` (replacing an object of that name); the replaced object's file."""
        with self._lock:
            old = self.get_object(account, container, row.name)
            self._db.execute(
                "INSERT OR REPLACE INTO objects (account, container, name, size, etag, "
                "content_type, modified, meta, file, manifest, slo_etag) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account,
                    container,
                    row.name,
                    row.size,
                    row.etag,
                    row.content_type,
                    row.modified,
                    dumps_text(row.meta),
                    row.file,
                    None if row.manifest is None else dumps_text(row.manifest),
                    row.slo_etag,
                ),
            )
        return None if old is None else old.file

    def delete_object(self, account: str, container: str, name: str) -> str | None:
        """Forget an object; its file (to remove once committed), or None if it was not there."""
        with self._lock:
            old = self.get_object(account, container, name)
            if old is None:
                return None
            self._db.execute(
                "DELETE FROM objects WHERE account = ? AND container = ? AND name = ?",
                (account, container, name),
            )
        return old.file

    # bytes ------------------------------------------------------------------------------------

    def new_blob(self) -> Blob:
        """A fresh file in ``tmp/`` to stream a body into."""
        file = uuid.uuid4().hex
        return Blob(self.folder / "tmp" / file, file)

    def path_of(self, file: str) -> Path:
        """Where an indexed object's bytes are."""
        return self.folder / "data" / file[:2] / file

    def keep(self, blob: Blob) -> None:
        """Move a complete body from ``tmp/`` to ``data/``."""
        target = self.path_of(blob.file)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(blob.path, target)

    def discard(self, file: str | None) -> None:
        """Remove an object's bytes (a file no longer indexed)."""
        if file:
            with contextlib.suppress(FileNotFoundError):
                self.path_of(file).unlink()

    def drop_temporary(self, blob: Blob) -> None:
        """Remove an unfinished body."""
        with contextlib.suppress(FileNotFoundError):
            blob.path.unlink()

    def read(self, file: str, start: int, end: int, step: int = 65536) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) of an object's file, ``step`` at a time."""
        with self.path_of(file).open("rb") as handle:
            handle.seek(start)
            left = end - start
            while left > 0:
                chunk = handle.read(min(step, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk


def _remove(folder: Path, db: Any) -> None:
    with contextlib.suppress(Exception):
        db.close()
    shutil.rmtree(folder, ignore_errors=True)


def _nothing(folder: Path, db: Any) -> None:
    with contextlib.suppress(Exception):
        db.close()


_STORES: weakref.WeakKeyDictionary[Cloud, SwiftStore] = weakref.WeakKeyDictionary()


def swift_store(cloud: Cloud) -> SwiftStore:
    """The object store of ``cloud``: beside its state file, or a private temporary folder
    (removed with the state) when the state is in memory. One per state object."""
    found = _STORES.get(cloud)
    if found is not None:
        return found
    path = cloud.store.path
    if path is None:
        store = SwiftStore(Path(tempfile.mkdtemp(prefix="omnicloud-swift-")), temporary=True)
    else:
        store = SwiftStore(path.with_name(path.name + ".swift"))
    _STORES[cloud] = store
    return store
