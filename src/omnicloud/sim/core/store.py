"""The state store every simulator builds on: one SQLite connection, transactions, settings.

A simulator subclasses :class:`SqliteStore`, naming its ``KIND`` (for messages), its ``SCHEMA``
and the ``TABLES`` every state file of it has, and adds typed access to its own tables. The base
gives it:

- an in-memory database (``path=None``) or a state file opened by :func:`.statefile.open_state`
  (0600, never someone else's file, WAL);
- :meth:`~SqliteStore.transaction`: hold a re-entrant lock and run the block in one SQLite
  transaction (nested blocks join it; the outermost commits, or rolls back on an exception);
- :meth:`~SqliteStore.savepoint`: inside a transaction, undo only the block's own writes when it
  raises;
- hooks for memory caches kept beside the database: :meth:`~SqliteStore._began` after a
  transaction began, :meth:`~SqliteStore._rolled_back` after writes were undone,
  :meth:`~SqliteStore._committed` after a commit;
- :meth:`~SqliteStore.setting` / :meth:`~SqliteStore.set_setting` over a key/value table.

Documents are stored as compact JSON (:mod:`.jsonio`).
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import ClassVar

from .statefile import open_state

__all__ = ["SqliteStore"]


class _Transaction:
    """What ``transaction()`` returns: re-entrant, the outermost block commits or rolls back.

    A plain class rather than ``@contextmanager``: every request enters several of these.
    """

    __slots__ = ("_store",)

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        self._store._begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._store._end(exc_type is not None)


class _Savepoint:
    """What ``savepoint()`` returns: a SQLite savepoint inside the store's transaction."""

    __slots__ = ("_store",)

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        store = self._store
        store._begin()
        try:
            store._db.execute("SAVEPOINT step")
        except BaseException:
            store._end(True)
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        store = self._store
        try:
            if exc_type is None:
                store._db.execute("RELEASE step")
            else:
                store._db.execute("ROLLBACK TO step")
                store._db.execute("RELEASE step")
                store._rolled_back()
        except BaseException:
            store._end(True)
            raise
        store._end(exc_type is not None)


class SqliteStore:
    """A simulator's SQLite database. All methods are safe to call from any thread."""

    KIND: ClassVar[str] = "simulator"
    """The simulator's name in messages about its state file (``"CloudStack"``)."""
    SCHEMA: ClassVar[str] = ""
    """``CREATE TABLE IF NOT EXISTS ...`` statements, applied on every open."""
    TABLES: ClassVar[tuple[str, ...]] = ()
    """Tables every state file of this simulator has: a database without them is refused."""
    SETTINGS_TABLE: ClassVar[str] = "settings"
    """The ``(key TEXT PRIMARY KEY, value TEXT)`` table behind :meth:`setting`."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._db.executescript(self.SCHEMA)
        else:
            self._db = open_state(path, kind=self.KIND, tables=self.TABLES, schema=self.SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0
        self._transaction = _Transaction(self)

    # hooks for memory copies ------------------------------------------------------------------

    def _began(self) -> None:
        """Called when an outermost transaction has begun (the write lock is held)."""

    def _rolled_back(self) -> None:
        """Called after writes were undone (a rollback, or a savepoint rolled back to)."""

    def _committed(self) -> None:
        """Called after an outermost transaction committed."""

    # transactions -------------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        """Whether the calling thread is inside :meth:`transaction` (only it can be: the lock)."""
        return self._depth > 0

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the lock and run the block in one SQLite transaction (nested blocks join it)."""
        return self._transaction

    def savepoint(self) -> AbstractContextManager[None]:
        """Run the block so that an exception undoes only its own writes (inside a transaction)."""
        return _Savepoint(self)

    def _begin(self) -> None:
        self._lock.acquire()
        if self._depth:
            self._depth += 1
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._began()
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._lock.release()
            raise
        self._depth = 1

    def _end(self, failed: bool) -> None:
        try:
            if self._depth > 1:
                self._depth -= 1
            elif failed:
                self._rollback()
            else:
                try:
                    self._db.execute("COMMIT")
                except BaseException:
                    self._rollback()  # a failed COMMIT leaves the transaction open
                    raise
                self._depth = 0
                self._committed()
        finally:
            self._lock.release()

    def _rollback(self) -> None:
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        finally:
            self._depth = 0
            self._rolled_back()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # settings -----------------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self._lock:
            row = self._db.execute(
                f"SELECT value FROM {self.SETTINGS_TABLE} WHERE key = ?",
                (key,),
            ).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self._lock:
            self._db.execute(
                f"INSERT INTO {self.SETTINGS_TABLE} (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
