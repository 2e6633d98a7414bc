"""SQLite storage for the simulator: resources as JSON documents, users, jobs and counters.

One connection guarded by a re-entrant lock; each API request runs in one transaction. A file
database uses WAL so a restart (or a second process reading it) sees committed state.

Documents, jobs and users read by id or key are kept in memory as well (write-through), so the
lookups every request makes (its caller, the zone, template and offering it names, the job it
polls) cost no SQL. Writes of a transaction that rolls back are dropped from memory, and a file
database written by another connection (``PRAGMA data_version`` moved) is forgotten wholesale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.jsonio import dumps_text, loads
from ..core.paging import Window
from ..core.store import SqliteStore

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
CREATE TABLE IF NOT EXISTS removed (id TEXT PRIMARY KEY, kind TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL,
    status INTEGER NOT NULL, due REAL NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_pending ON jobs (status, due);
CREATE INDEX IF NOT EXISTS jobs_account ON jobs (account_id, seq);
"""


_INSERT = "INSERT INTO resources (kind, id, owner, ref, name, data) VALUES (?, ?, ?, ?, ?, ?)"
# Job views kept in memory for listAsyncJobs and queryAsyncJobResult (the newest ones).
_MAX_JOB_VIEWS = 10_000


# Every internal (``_``-prefixed) field name ever written; ``public`` drops these by name, which is
# much cheaper than testing every key of every document in a large list.
_INTERNAL: set[str] = {
    "_owner",
    "_ref",
    "_number",
    "_password",
    "_userdata",
    "_zones",
    "_limits",
    "_command",
    "_params",
    "_payload",
    "_fail",
}
_SEEN: set[str] = set(_INTERNAL)  # every top-level field name _dumps has met


def _dumps(doc: Mapping[str, Any]) -> str:
    if not _SEEN.issuperset(doc):  # a new field name: the only case worth a look at each key
        new = doc.keys() - _SEEN
        _INTERNAL.update(key for key in new if key[:1] == "_")
        _SEEN.update(new)
    return dumps_text(doc)


def public(doc: Mapping[str, Any]) -> Doc:
    """``doc`` without its internal ``_``-prefixed fields (of names ever stored)."""
    view = dict(doc)
    for key in _INTERNAL:
        view.pop(key, None)
    return view


class Store(SqliteStore):
    """Typed access to the simulator's tables. All methods are safe to call from any thread."""

    KIND = "CloudStack"
    SCHEMA = _SCHEMA
    TABLES = ("meta", "users", "resources")  # what every state file of this simulator holds
    SETTINGS_TABLE = "meta"

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path)
        # memory copies: id -> (kind, JSON), job id -> JSON, api key / account id -> users
        self._docs: dict[str, tuple[str, str]] = {}
        self._job_texts: dict[str, str] = {}
        self._job_views: dict[str, tuple[str, Doc]] = {}  # job id -> (JSON, public view)
        self._counters: dict[str, int] = {}
        self._keys: dict[str, tuple[str, str, str, str]] = {}
        self._members: dict[str, list[tuple[str, str, str, str]]] = {}
        self._written: set[str] = set()  # ids written by the open transaction
        self._next_due = -math.inf  # no pending job is due before this (-inf: unknown)
        self._shared = path is not None  # other connections may write a file database
        self._version = self._data_version()

    # memory copies --------------------------------------------------------------------------

    def _data_version(self) -> int:
        if not self._shared:
            return 0
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _forget(self) -> None:
        """Drop every memory copy (the database changed behind them)."""
        self._docs.clear()
        self._job_texts.clear()
        self._counters.clear()
        self._keys.clear()
        self._members.clear()
        self._next_due = -math.inf

    def _sync(self) -> None:
        """Forget the memory copies if another connection committed since we last looked.

        Inside a transaction nobody else can commit (``BEGIN IMMEDIATE`` took the write lock and
        the check ran when it began), so only reads outside one, and a new transaction, check.
        """
        if self._shared and self._depth == 0:
            version = self._data_version()
            if version != self._version:
                self._version = version
                self._forget()

    def _wrote(self, key: str) -> None:
        if self._depth:
            self._written.add(key)

    def _undo_memory(self) -> None:
        """After a rollback: drop the copies the rolled-back writes may have changed."""
        for key in self._written:
            self._docs.pop(key, None)
            self._job_texts.pop(key, None)
            self._counters.pop(key, None)
        self._keys.clear()
        self._members.clear()
        self._next_due = -math.inf

    def _began(self) -> None:
        self._sync()

    def _rolled_back(self) -> None:
        self._undo_memory()
        if not self._depth:  # the whole transaction: nothing of it is pending any more
            self._written.clear()

    def _committed(self) -> None:
        self._written.clear()

    # counters ----------------------------------------------------------------------

    def next_value(self, name: str, count: int = 1) -> int:
        """Reserve ``count`` values of counter ``name``; returns the first (counters start at 1)."""
        with self.transaction():
            last = self._counters.get(name)
            if last is None:
                row = self._db.execute(
                    "SELECT value FROM counters WHERE name = ?", (name,)
                ).fetchone()
                last = 0 if row is None else int(row[0])
            self._db.execute(
                "INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)", (name, last + count)
            )
            self._counters[name] = last + count
            self._wrote(name)
        return last + 1

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
            self._keys.clear()
            self._members.clear()

    def set_user_keys(self, user_id: str, apikey: str, secret: str) -> None:
        """Replace a user's key pair."""
        with self._lock:
            self._db.execute(
                "UPDATE users SET apikey = ?, secret = ? WHERE id = ?", (apikey, secret, user_id)
            )
            self._keys.clear()
            self._members.clear()

    def user_by_key(self, apikey: str) -> tuple[str, str, str, str] | None:
        """(user id, account id, username, secret) for an API key."""
        with self._lock:
            self._sync()
            known = self._keys.get(apikey)
            if known is not None:
                return known
            row = self._db.execute(
                "SELECT id, account_id, username, secret FROM users WHERE apikey = ?", (apikey,)
            ).fetchone()
            if row is None:
                return None
            user = (str(row[0]), str(row[1]), str(row[2]), str(row[3]))
            self._keys[apikey] = user
        return user

    def users_of(self, account_id: str) -> list[tuple[str, str, str, str]]:
        """(user id, username, api key, secret) of every user of an account."""
        with self._lock:
            self._sync()
            known = self._members.get(account_id)
            if known is None:
                rows = self._db.execute(
                    "SELECT id, username, apikey, secret FROM users "
                    "WHERE account_id = ? ORDER BY rowid",
                    (account_id,),
                ).fetchall()
                known = [(str(a), str(b), str(c), str(d)) for a, b, c, d in rows]
                self._members[account_id] = known
        return list(known)

    # resources ------------------------------------------------------------------------------

    def put(self, kind: str, doc: Doc) -> Doc:
        """Insert a document; ``_owner`` and ``_ref`` feed the indexed columns."""
        text = _dumps(doc)
        with self._lock:
            self._db.execute(
                _INSERT,
                (kind, doc["id"], doc.get("_owner"), doc.get("_ref"), doc.get("name"), text),
            )
            self._docs[doc["id"]] = (kind, text)
            self._wrote(doc["id"])
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
        text = _dumps(doc)
        resource_id = doc["id"]
        with self._lock:
            self._db.execute(
                "UPDATE resources SET owner = ?, ref = ?, name = ?, data = ? WHERE id = ?",
                (doc.get("_owner"), doc.get("_ref"), doc.get("name"), text, resource_id),
            )
            known = self._docs.get(resource_id)
            if known is not None:
                self._docs[resource_id] = (known[0], text)
            self._wrote(resource_id)
        return doc

    def delete(self, resource_id: str) -> None:
        """Remove a document; its id and kind stay known (see :meth:`known`)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO removed (id, kind) "
                "SELECT id, kind FROM resources WHERE id = ?",
                (resource_id,),
            )
            self._db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))
            self._docs.pop(resource_id, None)
            self._wrote(resource_id)

    def known(self, kind: str, resource_id: str) -> bool:
        """Whether a document of ``kind`` has this id, now or before it was removed.

        CloudStack resolves uuid parameters including removed entities.
        """
        if self.kind_of(resource_id) == kind:
            return True
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM removed WHERE id = ? AND kind = ?", (resource_id, kind)
            ).fetchone()
        return row is not None

    def get(self, kind: str, resource_id: str) -> Doc | None:
        """The document of ``kind`` with this id, or None."""
        known = self._cached(resource_id)
        if known is None or known[0] != kind:
            return None
        doc: Doc = loads(known[1])
        return doc

    def kind_of(self, resource_id: str) -> str | None:
        """The kind of the document with this id."""
        known = self._cached(resource_id)
        return None if known is None else known[0]

    def _cached(self, resource_id: str) -> tuple[str, str] | None:
        """(kind, JSON) of a document, from memory or read into it."""
        with self._lock:
            self._sync()
            known = self._docs.get(resource_id)
            if known is None:
                row = self._db.execute(
                    "SELECT kind, data FROM resources WHERE id = ?", (resource_id,)
                ).fetchone()
                if row is None:
                    return None
                known = self._docs[resource_id] = (str(row[0]), str(row[1]))
        return known

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
                page_args.extend(Window(offset, limit).sql())
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
        text = _dumps(job)
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, account_id, status, due, data) VALUES (?, ?, ?, ?, ?)",
                (job["jobid"], job["accountid"], job["jobstatus"], due, text),
            )
            self._job_texts[job["jobid"]] = text
            self._wrote(job["jobid"])
            self._next_due = min(self._next_due, due)

    def save_job(self, job: Doc) -> None:
        """Write back a job."""
        text = _dumps(job)
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status = ?, data = ? WHERE id = ?",
                (job["jobstatus"], text, job["jobid"]),
            )
            if job["jobid"] in self._job_texts:
                self._job_texts[job["jobid"]] = text
            self._wrote(job["jobid"])

    def _job_text(self, job_id: str) -> str | None:
        with self._lock:
            self._sync()
            text = self._job_texts.get(job_id)
            if text is None:
                row = self._db.execute("SELECT data FROM jobs WHERE id = ?", (job_id,)).fetchone()
                if row is None:
                    return None
                text = self._job_texts[job_id] = str(row[0])
        return text

    def job(self, job_id: str) -> Doc | None:
        """A job by id."""
        text = self._job_text(job_id)
        if text is None:
            return None
        job: Doc = loads(text)
        return job

    def job_view(self, job_id: str) -> Doc | None:
        """The public fields of a job (a shared, read-only document), or None."""
        with self._lock:
            text = self._job_text(job_id)
            return None if text is None else self._view(job_id, text)

    def _view(self, job_id: str, text: str) -> Doc:
        known = self._job_views.get(job_id)
        if known is not None and known[0] == text:
            return known[1]
        view = public(loads(text))
        if len(self._job_views) >= _MAX_JOB_VIEWS:
            del self._job_views[next(iter(self._job_views))]
        self._job_views[job_id] = (text, view)
        return view

    def due_jobs(self, now: float) -> list[Doc]:
        """Pending jobs whose completion time has come, oldest due first.

        Without any, the earliest due time of the pending jobs is noted, and until then (or a new
        job, a rollback or another connection's write) the answer is known to be empty.
        """
        with self._lock:
            self._sync()
            if now < self._next_due:
                return []
            rows = self._db.execute(
                "SELECT data FROM jobs WHERE status = 0 AND due <= ? ORDER BY due, seq", (now,)
            ).fetchall()
            if rows:
                self._next_due = -math.inf  # unknown until these are saved
            else:
                (earliest,) = self._db.execute(
                    "SELECT MIN(due) FROM jobs WHERE status = 0"
                ).fetchone()
                self._next_due = math.inf if earliest is None else float(earliest)
        return [dict(loads(row[0])) for row in rows]

    def job_views(
        self, account_ids: Sequence[str] | None, offset: int, limit: int | None
    ) -> tuple[int, list[Doc]]:
        """(total, page) of the public views of jobs (shared, read-only documents), newest last,
        optionally of some accounts only."""
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
                f"SELECT id, data FROM jobs WHERE {condition} ORDER BY seq LIMIT ? OFFSET ?",
                [*args, *Window(offset, limit).sql()],
            ).fetchall()
            return total, [self._view(str(job_id), str(data)) for job_id, data in rows]
