"""SQLite storage for the OpenStack simulator: documents by kind and id, tokens, image data.

Built on :class:`~omnicloud.sim.core.store.SqliteStore`; each request runs in one transaction.
Tokens are kept by their SHA-256 digest, never in the clear.
"""

from __future__ import annotations

from typing import Any

from ..core.jsonio import dumps_text, loads
from ..core.store import SqliteStore

__all__ = ["Doc", "Store"]

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL,
    data TEXT NOT NULL, UNIQUE (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_kind ON objects (kind, seq);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY, expires REAL NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


class Store(SqliteStore):
    """Documents by (kind, id) in insertion order. Safe to call from any thread."""

    KIND = "OpenStack"
    SCHEMA = _SCHEMA
    TABLES = ("settings", "objects", "tokens", "blobs")

    # documents --------------------------------------------------------------------------------

    def get(self, kind: str, ident: str) -> Doc | None:
        """One document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, ident)
            ).fetchone()
        return None if row is None else dict(loads(row[0]))

    def all(self, kind: str) -> list[Doc]:
        """Every document of ``kind`` in creation order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [loads(row[0]) for row in rows]

    def tally(
        self, kind: str, owner_field: str, owner: str, summed: tuple[str, ...] = ()
    ) -> tuple[int, list[int]]:
        """How many documents of ``kind`` ``owner`` has (``owner_field`` names it), and the sums
        of the numeric fields at the JSON paths ``summed`` (``"_flavor.ram"``): counted by the
        database, without reading every document (quota checks run on every create)."""
        columns = "".join(f", SUM(json_extract(data, '$.{path}'))" for path in summed)
        with self._lock:
            row = self._db.execute(
                f"SELECT COUNT(*){columns} FROM objects "  # the JSON paths are ours, not input
                f"WHERE kind = ? AND json_extract(data, '$.{owner_field}') = ?",
                (kind, owner),
            ).fetchone()
        return int(row[0]), [int(value or 0) for value in row[1:]]

    def put(self, kind: str, doc: Doc) -> None:
        """Insert or replace ``doc`` (keyed by its ``id``), keeping its position."""
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (kind, id, data) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data",
                (kind, str(doc["id"]), dumps_text(doc)),
            )

    def delete(self, kind: str, ident: str) -> bool:
        """Remove a document; whether it existed."""
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM objects WHERE kind = ? AND id = ?", (kind, ident)
            )
        return cursor.rowcount > 0

    # tokens -----------------------------------------------------------------------------------

    def put_token(self, digest: str, expires: float, data: Doc) -> None:
        """Remember a token by its digest."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tokens (digest, expires, data) VALUES (?, ?, ?)",
                (digest, expires, dumps_text(data)),
            )

    def get_token(self, digest: str) -> tuple[float, Doc] | None:
        """(expiry, data) of a token, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT expires, data FROM tokens WHERE digest = ?", (digest,)
            ).fetchone()
        return None if row is None else (float(row[0]), dict(loads(row[1])))

    def drop_token(self, digest: str) -> bool:
        """Revoke a token; whether it existed."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM tokens WHERE digest = ?", (digest,))
        return cursor.rowcount > 0

    def purge_tokens(self, now: float) -> None:
        """Forget expired tokens."""
        with self._lock:
            self._db.execute("DELETE FROM tokens WHERE expires < ?", (now,))

    # image data -------------------------------------------------------------------------------

    def put_blob(self, ident: str, data: bytes) -> None:
        """Store an image's data."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO blobs (id, data) VALUES (?, ?)", (ident, data))

    def get_blob(self, ident: str) -> bytes | None:
        """An image's data, or None."""
        with self._lock:
            row = self._db.execute("SELECT data FROM blobs WHERE id = ?", (ident,)).fetchone()
        return None if row is None else bytes(row[0])

    def drop_blob(self, ident: str) -> None:
        """Forget an image's data."""
        with self._lock:
            self._db.execute("DELETE FROM blobs WHERE id = ?", (ident,))
