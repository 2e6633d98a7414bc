"""SQLite storage of the Azure simulator: resources by id, operations, tokens.

Built on :class:`~omnicloud.sim.core.store.SqliteStore`. Resources are keyed by their ARM id
lower-cased (ARM ids are case-insensitive) and carry their kind and resource group for listing;
tokens are kept by their SHA-256 digest, never in the clear.
"""

from __future__ import annotations

from typing import Any

from ..core.jsonio import dumps_text, loads
from ..core.tokens import TOKENS_TABLE, TokenStore

__all__ = ["Doc", "Store"]

Doc = dict[str, Any]

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    grp TEXT NOT NULL, loc TEXT NOT NULL, cores INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_usage ON resources (kind, loc, cores);
CREATE INDEX IF NOT EXISTS resources_kind ON resources (kind, seq);
CREATE INDEX IF NOT EXISTS resources_grp ON resources (grp, kind, seq);
CREATE TABLE IF NOT EXISTS operations (
    id TEXT PRIMARY KEY, due REAL NOT NULL, done INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operations_due ON operations (done, due);
"""
    + TOKENS_TABLE
)


class Store(TokenStore):
    """Resources, operations and tokens. Safe to call from any thread."""

    KIND = "Azure"
    SCHEMA = _SCHEMA
    TABLES = ("settings", "resources", "operations", "tokens")

    # resources --------------------------------------------------------------------------------

    def get(self, rid: str) -> Doc | None:
        """The resource with ARM id ``rid`` (any case), or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM resources WHERE key = ?", (rid.lower(),)
            ).fetchone()
        return None if row is None else dict(loads(row[0]))

    def put(self, kind: str, group: str, doc: Doc) -> None:
        """Insert or replace ``doc`` (keyed by its ``id``), keeping its place in listings; its
        ``_kind`` and ``_group`` fields are set for :meth:`save`."""
        doc["_kind"], doc["_group"] = kind, group
        row = (
            str(doc["id"]).lower(),
            kind,
            group.lower(),
            str(doc.get("location", "")),
            int(doc.get("_cores", 0)),
            dumps_text(doc),
        )
        with self._lock:
            self._db.execute(
                "INSERT INTO resources (key, kind, grp, loc, cores, data) "
                "VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET loc = excluded.loc, cores = excluded.cores, "
                "data = excluded.data",
                row,
            )

    def save(self, doc: Doc) -> None:
        """Store a document read from here again."""
        self.put(doc["_kind"], doc["_group"], doc)

    def delete(self, rid: str) -> bool:
        """Remove a resource; whether it existed."""
        with self._lock:
            cursor = self._db.execute("DELETE FROM resources WHERE key = ?", (rid.lower(),))
        return cursor.rowcount > 0

    def listing(
        self, kind: str | None, group: str | None, offset: int = 0, limit: int = -1
    ) -> list[Doc]:
        """Resources of ``kind`` (None: every kind) in ``group`` (None: every group), oldest
        first, ``limit`` of them (-1: all) from ``offset``."""
        where, params = _where(kind, group)
        with self._lock:
            rows = self._db.execute(
                f"SELECT data FROM resources {where} ORDER BY seq LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [loads(row[0]) for row in rows]

    def usage(self, kind: str, location: str) -> tuple[int, int]:
        """(how many resources of ``kind`` are in ``location``, the sum of their ``_cores``),
        from indexed columns: quota checks run on every create."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*), SUM(cores) FROM resources WHERE kind = ? AND loc = ?",
                (kind, location),
            ).fetchone()
        return int(row[0]), int(row[1] or 0)

    def drop_group(self, group: str) -> None:
        """Remove every resource of a resource group."""
        with self._lock:
            self._db.execute("DELETE FROM resources WHERE grp = ?", (group.lower(),))

    # operations -------------------------------------------------------------------------------

    def put_operation(self, doc: Doc) -> None:
        """Insert or replace an operation (keyed by ``id``; ``due`` and ``done`` indexed)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO operations (id, due, done, data) VALUES (?, ?, ?, ?)",
                (doc["id"], float(doc["due"]), int(bool(doc.get("done"))), dumps_text(doc)),
            )

    def get_operation(self, ident: str) -> Doc | None:
        """One operation, or None."""
        with self._lock:
            row = self._db.execute("SELECT data FROM operations WHERE id = ?", (ident,)).fetchone()
        return None if row is None else dict(loads(row[0]))

    def due_operations(self, now: float) -> list[Doc]:
        """Unfinished operations due at ``now``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM operations WHERE done = 0 AND due <= ? ORDER BY due", (now,)
            ).fetchall()
        return [loads(row[0]) for row in rows]

    def purge_operations(self, before: float) -> None:
        """Forget finished operations that were due before ``before``."""
        with self._lock:
            self._db.execute("DELETE FROM operations WHERE done = 1 AND due < ?", (before,))


def _where(kind: str | None, group: str | None) -> tuple[str, tuple[str, ...]]:
    clauses: list[str] = []
    params: list[str] = []
    if kind is not None:
        clauses.append("kind = ?")
        params.append(kind)
    if group is not None:
        clauses.append("grp = ?")
        params.append(group.lower())
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)
