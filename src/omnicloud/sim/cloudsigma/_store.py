"""SQLite storage for the CloudSigma simulator: objects as JSON documents, by kind and uuid.

One connection guarded by a re-entrant lock; each request runs in one transaction. A file
database uses WAL so a restarted simulator sees committed state.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .._statefile import open_state

__all__ = ["Doc", "Store"]

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, uuid TEXT NOT NULL,
    data TEXT NOT NULL, UNIQUE (kind, uuid)
);
CREATE INDEX IF NOT EXISTS objects_kind ON objects (kind, seq);
"""


def _dumps(doc: Doc) -> str:
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


_TABLES = ("settings", "objects")  # what every state file of this simulator holds


class Store:
    """Documents by (kind, uuid) in insertion order. Safe to call from any thread."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        if path is None:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            self._db.executescript(_SCHEMA)
        else:
            self._db = open_state(path, kind="CloudSigma", tables=_TABLES, schema=_SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and run the block in one SQLite transaction (nested blocks join it)."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._depth = 0

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        with self._lock:
            self._db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def get(self, kind: str, uuid: str) -> Doc | None:
        """One document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? AND uuid = ?", (kind, uuid)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def all(self, kind: str) -> list[Doc]:
        """Every document of ``kind`` in creation order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def page(self, kind: str, offset: int, limit: int | None) -> tuple[int, list[Doc]]:
        """(total, documents ``offset`` .. ``offset + limit``) without loading the rest."""
        with self._lock:
            total = self._db.execute(
                "SELECT COUNT(*) FROM objects WHERE kind = ?", (kind,)
            ).fetchone()[0]
            rows = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY seq LIMIT ? OFFSET ?",
                (kind, -1 if limit is None else limit, offset),
            ).fetchall()
        return int(total), [json.loads(row[0]) for row in rows]

    def put(self, kind: str, doc: Doc) -> None:
        """Insert or replace ``doc`` (keyed by its ``uuid``), keeping its position."""
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (kind, uuid, data) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, uuid) DO UPDATE SET data = excluded.data",
                (kind, str(doc["uuid"]), _dumps(doc)),
            )

    def put_many(self, kind: str, docs: list[Doc]) -> None:
        """Insert many documents at once (bulk seeding)."""
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO objects (kind, uuid, data) VALUES (?, ?, ?)",
                [(kind, str(doc["uuid"]), _dumps(doc)) for doc in docs],
            )

    def delete(self, kind: str, uuid: str) -> bool:
        """Remove a document; whether it existed."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM objects WHERE kind = ? AND uuid = ?", (kind, uuid)
            )
        return cursor.rowcount > 0
