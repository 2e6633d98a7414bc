"""SQLite storage for the CloudSigma simulator: objects as JSON documents, by kind and uuid.

Built on :class:`~omnicloud.sim.core.store.SqliteStore` (one connection, transactions, the
``settings`` table); each request runs in one transaction.
"""

from __future__ import annotations

from typing import Any

from ..core.jsonio import dumps_text, loads
from ..core.paging import Window
from ..core.store import SqliteStore

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


class Store(SqliteStore):
    """Documents by (kind, uuid) in insertion order. Safe to call from any thread."""

    KIND = "CloudSigma"
    SCHEMA = _SCHEMA
    TABLES = ("settings", "objects")  # what every state file of this simulator holds
    SETTINGS_TABLE = "settings"

    def get(self, kind: str, uuid: str) -> Doc | None:
        """One document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? AND uuid = ?", (kind, uuid)
            ).fetchone()
        return None if row is None else dict(loads(row[0]))

    def all(self, kind: str) -> list[Doc]:
        """Every document of ``kind`` in creation order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [loads(row[0]) for row in rows]

    def page(self, kind: str, offset: int, limit: int | None) -> tuple[int, list[Doc]]:
        """(total, documents ``offset`` .. ``offset + limit``) without loading the rest."""
        with self._lock:
            total = self._db.execute(
                "SELECT COUNT(*) FROM objects WHERE kind = ?", (kind,)
            ).fetchone()[0]
            rows = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY seq LIMIT ? OFFSET ?",
                (kind, *Window(offset, limit).sql()),
            ).fetchall()
        return int(total), [loads(row[0]) for row in rows]

    def put(self, kind: str, doc: Doc) -> None:
        """Insert or replace ``doc`` (keyed by its ``uuid``), keeping its position."""
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (kind, uuid, data) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, uuid) DO UPDATE SET data = excluded.data",
                (kind, str(doc["uuid"]), dumps_text(doc)),
            )

    def put_many(self, kind: str, docs: list[Doc]) -> None:
        """Insert many documents at once (bulk seeding)."""
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO objects (kind, uuid, data) VALUES (?, ?, ?)",
                [(kind, str(doc["uuid"]), dumps_text(doc)) for doc in docs],
            )

    def delete(self, kind: str, uuid: str) -> bool:
        """Remove a document; whether it existed."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM objects WHERE kind = ? AND uuid = ?", (kind, uuid)
            )
        return cursor.rowcount > 0
