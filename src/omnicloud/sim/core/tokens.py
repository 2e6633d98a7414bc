"""Access tokens in a simulator's store, kept by their SHA-256 digest, never in the clear.

A simulator whose tokens carry nothing but an expiry builds its store on :class:`TokenStore`
and adds :data:`TOKENS_TABLE` to its ``SCHEMA`` and ``"tokens"`` to its ``TABLES``. One whose
tokens carry more (OpenStack's principals) keeps its own table and uses :func:`token_digest`.
"""

from __future__ import annotations

import hashlib

from .store import SqliteStore

__all__ = ["TOKENS_TABLE", "TokenStore", "token_digest"]

TOKENS_TABLE = (
    "CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, expires REAL NOT NULL);\n"
)
"""The ``tokens`` table :class:`TokenStore` reads and writes."""


def token_digest(token: str) -> str:
    """The key a token is stored under: the hex SHA-256 digest of its UTF-8 text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore(SqliteStore):
    """A :class:`SqliteStore` with a ``tokens (digest, expires)`` table."""

    def put_token(self, digest: str, expires: float) -> None:
        """Remember a token by its digest."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO tokens (digest, expires) VALUES (?, ?)", (digest, expires)
            )

    def token_expiry(self, digest: str) -> float | None:
        """When a token expires, or None for an unknown one."""
        with self._lock:
            row = self._db.execute(
                "SELECT expires FROM tokens WHERE digest = ?", (digest,)
            ).fetchone()
        return None if row is None else float(row[0])

    def purge_tokens(self, now: float) -> None:
        """Forget tokens that expired before ``now``."""
        with self._lock:
            self._db.execute("DELETE FROM tokens WHERE expires < ?", (now,))
