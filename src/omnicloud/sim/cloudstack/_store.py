"""SQLite storage for the simulator: resources as JSON documents, users, jobs and counters.

One connection guarded by a re-entrant lock; each API request runs in one transaction. A file
database uses WAL so a restart (or a second process reading it) sees committed state.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._json import dumps_text, loads

__all__ = ["Doc", "Store", "public"]

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, username TEXT NOT NULL,
    apikey TEXT NOT NULL UNIQUE, secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL UNIQUE,
    owner TEXT, ref TEXT, name TEXT, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_kind_seq ON resources (kind, seq);
CREATE INDEX IF NOT EXISTS resources_kind_owner ON resources (kind, owner, seq);
CREATE INDEX IF NOT EXISTS resources_kind_ref ON resources (kind, ref);
CREATE INDEX IF NOT EXISTS resources_kind_name ON resources (kind, name);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL,
    status INTEGER NOT NULL, due REAL NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (status, due);
CREATE INDEX IF NOT EXISTS jobs_account ON jobs (account_id, seq);
"""


_INSERT = "INSERT INTO resources (kind, id, owner, ref, name, data) VALUES (?, ?, ?, ?, ?, ?)"


# Every internal (``_``-prefixed) field name ever written; ``public`` drops these by name, which is
# much cheaper than testing every key of every document in a large list.
_INTERNAL: set[str] = {"_owner", "_ref", "_number", "_password", "_userdata", "_zones", "_limits"}


def _dumps(doc: Mapping[str, Any]) -> str:
    _INTERNAL.update(key for key in doc if key[:1] == "_")
    return dumps_text(doc)


def public(doc: Mapping[str, Any]) -> Doc:
    """``doc`` without its internal ``_``-prefixed fields (of names ever stored)."""
    view = dict(doc)
    for key in _INTERNAL:
        view.pop(key, None)
    return view


class Store:
    """Typed access to the simulator's tables. All methods are safe to call from any thread."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        self.path = None if path is None else Path(path)
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    # transactions ---------------------------------------------------------------------------

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

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run the block so that an exception undoes only its own writes (inside a transaction)."""
        with self.transaction():
            self._db.execute("SAVEPOINT step")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK TO step")
                self._db.execute("RELEASE step")
                raise
            self._db.execute("RELEASE step")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    # meta and counters ----------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a setting."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def next_value(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` values of counter ``name``; returns the first (counters start at 1)."""
        with self.transaction():
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
            first = 1 if row is None else int(row[0]) + 1
            self._db.execute(
                "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)",
                (name, first + count - 1),
            )
        return first

    # users ----------------------------------------------------------------------------------

    def add_user(
        self, user_id: str, account_id: str, username: str, apikey: str, secret: str
    ) -> None:
        """Create a user with its key pair."""
        with self._lock:
            self._db.execute(
                "INSERT INTO users (id, account_id, username, apikey, secret) "
                "VALUES (?, ?, ?, ?, ?)",
                (user_id, account_id, username, apikey, secret),
            )

    def set_user_keys(self, user_id: str, apikey: str, secret: str) -> None:
        """Replace a user's key pair."""
        with self._lock:
            self._db.execute(
                "UPDATE users SET apikey = ?, secret = ? WHERE id = ?", (apikey, secret, user_id)
            )

    def user_by_key(self, apikey: str) -> tuple[str, str, str, str] | None:
        """(user id, account id, username, secret) for an API key."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, account_id, username, secret FROM users WHERE apikey = ?", (apikey,)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), str(row[2]), str(row[3]))

    def users_of(self, account_id: str) -> list[tuple[str, str, str, str]]:
        """(user id, username, api key, secret) of every user of an account."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, username, apikey, secret FROM users "
                "WHERE account_id = ? ORDER BY rowid",
                (account_id,),
            ).fetchall()
        return [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]

    # resources ------------------------------------------------------------------------------

    def put(self, kind: str, doc: Doc) -> Doc:
        """Insert a document; ``_owner`` and ``_ref`` feed the indexed columns."""
        with self._lock:
            self._db.execute(
                _INSERT,
                (kind, doc["id"], doc.get("_owner"), doc.get("_ref"), doc.get("name"), _dumps(doc)),
            )
        return doc

    def put_many(self, kind: str, docs: Iterable[Doc]) -> None:
        """Insert many documents at once."""
        rows = (
            (kind, d["id"], d.get("_owner"), d.get("_ref"), d.get("name"), _dumps(d)) for d in docs
        )
        with self._lock:
            self._db.executemany(
                _INSERT,
                rows,
            )

    def save(self, doc: Doc) -> Doc:
        """Write back a changed document (its kind and id stay)."""
        with self._lock:
            self._db.execute(
                "UPDATE resources SET owner = ?, ref = ?, name = ?, data = ? WHERE id = ?",
                (doc.get("_owner"), doc.get("_ref"), doc.get("name"), _dumps(doc), doc["id"]),
            )
        return doc

    def delete(self, resource_id: str) -> None:
        """Remove a document."""
        with self._lock:
            self._db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))

    def get(self, kind: str, resource_id: str) -> Doc | None:
        """The document of ``kind`` with this id, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM resources WHERE id = ? AND kind = ?", (resource_id, kind)
            ).fetchone()
        return None if row is None else dict(loads(row[0]))

    def kind_of(self, resource_id: str) -> str | None:
        """The kind of the document with this id."""
        with self._lock:
            row = self._db.execute(
                "SELECT kind FROM resources WHERE id = ?", (resource_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def find(
        self,
        kind: str,
        *,
        owners: Sequence[str] | None = None,
        ref: str | None = None,
        ids: Sequence[str] | None = None,
        name: str | None = None,
        fields: Mapping[str, Any] | None = None,
        keyword: str | None = None,
        where: Sequence[tuple[str, Sequence[Any]]] = (),
        offset: int = 0,
        limit: int | None = None,
        with_total: bool = True,
    ) -> tuple[int, list[Doc]]:
        """(total matches, documents in ``[offset, offset+limit)``) in creation order.

        ``owners`` (None = any), ``fields`` compare top-level JSON fields for equality, ``where``
        adds raw SQL conditions over the columns ``id``, ``owner``, ``ref``, ``name``, ``data``.
        """
        clauses = ["kind = ?"]
        args: list[Any] = [kind]
        if owners is not None:
            if not owners:
                return 0, []
            clauses.append(f"owner IN ({','.join('?' * len(owners))})")
            args.extend(owners)
        if ref is not None:
            clauses.append("ref = ?")
            args.append(ref)
        if ids is not None:
            if not ids:
                return 0, []
            clauses.append(f"id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if name is not None:
            clauses.append("name = ?")
            args.append(name)
        for key, value in (fields or {}).items():
            clauses.append(f"json_extract(data, '$.{key}') = ?")
            args.append(value)
        if keyword:
            clauses.append("(name LIKE ? OR json_extract(data, '$.displayname') LIKE ?)")
            args.extend([f"%{keyword}%"] * 2)
        for sql, sql_args in where:
            clauses.append(f"({sql})")
            args.extend(sql_args)
        condition = " AND ".join(clauses)
        with self._lock:
            total = -1
            if with_total:
                total = int(
                    self._db.execute(
                        f"SELECT COUNT(*) FROM resources WHERE {condition}", args
                    ).fetchone()[0]
                )
            page_sql = f"SELECT data FROM resources WHERE {condition} ORDER BY seq"
            page_args = list(args)
            if limit is not None or offset:
                page_sql += " LIMIT ? OFFSET ?"
                page_args.extend([-1 if limit is None else limit, offset])
            rows = self._db.execute(page_sql, page_args).fetchall()
        docs = [dict(loads(row[0])) for row in rows]
        return (len(docs) if total < 0 else total), docs

    def count(
        self, kind: str, *, owner: str | None = None, where: str = "", args: Sequence[Any] = ()
    ) -> int:
        """How many documents of ``kind`` (of one owner) match an optional SQL condition."""
        sql = "SELECT COUNT(*) FROM resources WHERE kind = ?"
        params: list[Any] = [kind]
        if owner is not None:
            sql += " AND owner = ?"
            params.append(owner)
        if where:
            sql += f" AND ({where})"
            params.extend(args)
        with self._lock:
            return int(self._db.execute(sql, params).fetchone()[0])

    def total(self, kind: str, owner: str, expression: str, where: str = "") -> float:
        """SUM of a SQL expression over an owner's documents of ``kind``."""
        sql = f"SELECT COALESCE(SUM({expression}), 0) FROM resources WHERE kind = ? AND owner = ?"
        if where:
            sql += f" AND ({where})"
        with self._lock:
            return float(self._db.execute(sql, (kind, owner)).fetchone()[0])

    # jobs -----------------------------------------------------------------------------------

    def add_job(self, job: Doc, due: float) -> None:
        """Record a new pending job."""
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, account_id, status, due, data) VALUES (?, ?, ?, ?, ?)",
                (job["jobid"], job["accountid"], job["jobstatus"], due, _dumps(job)),
            )

    def save_job(self, job: Doc) -> None:
        """Write back a job."""
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = ?, data = ? WHERE id = ?",
                (job["jobstatus"], _dumps(job), job["jobid"]),
            )

    def job(self, job_id: str) -> Doc | None:
        """A job by id."""
        with self._lock:
            row = self._db.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return None if row is None else dict(loads(row[0]))

    def due_jobs(self, now: float) -> list[Doc]:
        """Pending jobs whose completion time has come, oldest due first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT data FROM jobs WHERE status = 0 AND due <= ? ORDER BY due, seq", (now,)
            ).fetchall()
        return [dict(loads(row[0])) for row in rows]

    def jobs(
        self, account_ids: Sequence[str] | None, offset: int, limit: int | None
    ) -> tuple[int, list[Doc]]:
        """(total, page) of jobs, newest last, optionally of some accounts only."""
        condition = "1 = 1"
        args: list[Any] = []
        if account_ids is not None:
            if not account_ids:
                return 0, []
            condition = f"account_id IN ({','.join('?' * len(account_ids))})"
            args = list(account_ids)
        with self._lock:
            total = int(
                self._db.execute(f"SELECT COUNT(*) FROM jobs WHERE {condition}", args).fetchone()[0]
            )
            rows = self._db.execute(
                f"SELECT data FROM jobs WHERE {condition} ORDER BY seq LIMIT ? OFFSET ?",
                [*args, -1 if limit is None else limit, offset],
            ).fetchall()
        return total, [dict(loads(row[0])) for row in rows]
