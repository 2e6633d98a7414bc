"""SQLite storage for the GCE simulator: documents by (kind, scope, name), due transitions, tokens.

``scope`` is ``zones/{z}``, ``regions/{r}`` or ``global``. A document whose status changes later
has a row in ``pending`` with the time of its next step, so settling reads only what is due.
``instance_cpus`` mirrors what each instance counts against its region's ``CPUS`` quota (kept
by :meth:`Store.put` and :meth:`Store.delete`), so quota checks do not read every instance.
Tokens are kept by their SHA-256 digest, never in the clear.
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
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, scope TEXT NOT NULL,
    name TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (kind, scope, name)
);
CREATE INDEX IF NOT EXISTS objects_kind ON objects (kind, name);
CREATE TABLE IF NOT EXISTS pending (
    kind TEXT NOT NULL, scope TEXT NOT NULL, name TEXT NOT NULL, due REAL NOT NULL,
    PRIMARY KEY (kind, scope, name)
);
CREATE INDEX IF NOT EXISTS pending_due ON pending (due);
CREATE TABLE IF NOT EXISTS instance_cpus (
    scope TEXT NOT NULL, name TEXT NOT NULL, region TEXT NOT NULL, cpus REAL NOT NULL,
    PRIMARY KEY (scope, name)
);
CREATE INDEX IF NOT EXISTS instance_cpus_region ON instance_cpus (region);
"""
    + TOKENS_TABLE
)


class Store(TokenStore):
    """Documents of the simulated project. Safe to call from any thread."""

    KIND = "GCE"
    SCHEMA = _SCHEMA
    TABLES = ("settings", "objects", "pending", "tokens")

    def get(self, kind: str, scope: str, name: str) -> Doc | None:
        """One document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE kind = ? AND scope = ? AND name = ?",
                (kind, scope, name),
            ).fetchone()
        return None if row is None else dict(loads(row[0]))

    def all(self, kind: str, scope: str | None = None) -> list[Doc]:
        """Documents of ``kind`` (in ``scope``, or every scope) sorted by scope and name."""
        with self._lock:
            if scope is None:
                rows = self._db.execute(
                    "SELECT data FROM objects WHERE kind = ? ORDER BY scope, name", (kind,)
                ).fetchall()
            else:
                rows = self._db.execute(
                    "SELECT data FROM objects WHERE kind = ? AND scope = ? ORDER BY name",
                    (kind, scope),
                ).fetchall()
        return [loads(row[0]) for row in rows]

    def put(self, kind: str, scope: str, doc: Doc) -> None:
        """Insert or replace ``doc`` (keyed by its ``name``)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (kind, scope, name, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, scope, name) DO UPDATE SET data = excluded.data",
                (kind, scope, doc["name"], dumps_text(doc)),
            )
            if kind == "instance":
                counted = 0.0 if doc.get("status") == "TERMINATED" else float(doc["_cpus"])
                self._db.execute(
                    "INSERT INTO instance_cpus (scope, name, region, cpus) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(scope, name) DO UPDATE SET cpus = excluded.cpus",
                    (scope, doc["name"], doc["_region"], counted),
                )

    def delete(self, kind: str, scope: str, name: str) -> bool:
        """Remove a document (and its pending step); whether it existed."""
        with self._lock:
            self._db.execute(
                "DELETE FROM pending WHERE kind = ? AND scope = ? AND name = ?",
                (kind, scope, name),
            )
            cursor = self._db.execute(
                "DELETE FROM objects WHERE kind = ? AND scope = ? AND name = ?",
                (kind, scope, name),
            )
            if kind == "instance":
                self._db.execute(
                    "DELETE FROM instance_cpus WHERE scope = ? AND name = ?", (scope, name)
                )
        return cursor.rowcount > 0

    def cpus_in_use(self, region: str) -> float:
        """vCPUs of the instances of ``region`` that are not TERMINATED."""
        with self._lock:
            row = self._db.execute(
                "SELECT SUM(cpus) FROM instance_cpus WHERE region = ?", (region,)
            ).fetchone()
        return float(row[0] or 0)

    # transitions ------------------------------------------------------------------------------

    def schedule(self, kind: str, scope: str, name: str, due: float | None) -> None:
        """Set (or with None clear) when a document's next step is due."""
        with self._lock:
            if due is None:
                self._db.execute(
                    "DELETE FROM pending WHERE kind = ? AND scope = ? AND name = ?",
                    (kind, scope, name),
                )
            else:
                self._db.execute(
                    "INSERT INTO pending (kind, scope, name, due) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(kind, scope, name) DO UPDATE SET due = excluded.due",
                    (kind, scope, name, due),
                )

    def due(self, now: float) -> list[tuple[str, str, str]]:
        """(kind, scope, name) of the documents with a step due at ``now``, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, scope, name FROM pending WHERE due <= ? ORDER BY due", (now,)
            ).fetchall()
        return [(str(a), str(b), str(c)) for a, b, c in rows]
