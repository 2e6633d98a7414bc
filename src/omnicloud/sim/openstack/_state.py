"""``OpenStackState``: the simulator's persistent world (SQLite), seeded on first use.

Identity (one domain, the ``demo`` and ``admin`` projects, the ``admin`` user), tokens and
every service's documents live in one store. Long operations are settled lazily: a document in
transition carries the core's ``_until``/``_next`` fields, plus ``_task`` (Nova's task_state
meanwhile) and ``_after`` (fields to set when it settles); a document whose next status is
:data:`GONE` is deleted when it settles.
"""

from __future__ import annotations

import hmac
import os
import secrets
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.clock import SYSTEM_CLOCK, Clock, begin, settle
from ..core.tokens import token_digest
from ._store import Doc, Store

__all__ = [
    "DOMAIN_ID",
    "DOMAIN_NAME",
    "GONE",
    "PASSWORD_ENV",
    "REGION",
    "Cloud",
    "Principal",
    "iso",
    "public",
]

PASSWORD_ENV = "OMNICLOUD_SIM_OPENSTACK_PASSWORD"
USERNAME = "admin"
PROJECT = "demo"
ADMIN_PROJECT = "admin"
DOMAIN_ID = "default"
DOMAIN_NAME = "Default"
REGION = "RegionOne"
GONE = "_gone"
"""The status that deletes a document when its transition settles."""


def public(doc: Doc) -> Doc:
    """``doc`` without its internal ``_``-prefixed fields."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def iso(moment: float, *, micro: bool = False) -> str:
    """``2026-01-02T03:04:05Z`` (``micro``: with ``.000000`` and no zone, as Cinder writes)."""
    stamp = datetime.fromtimestamp(moment, UTC)
    if micro:
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token speaks for."""

    user_id: str
    project_id: str | None
    roles: tuple[str, ...]
    methods: tuple[str, ...]
    issued: float
    expires: float
    audit_id: str
    app_credential: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether the token carries the admin role."""
        return "admin" in self.roles

    def __repr__(self) -> str:  # never the token
        return f"<Principal user={self.user_id} project={self.project_id}>"


class Cloud:
    """One simulated OpenStack cloud: identity, tokens and every service's documents.

    ``path=None`` keeps everything in memory; a file persists it. The ``admin`` password comes
    from ``password``, else ``OMNICLOUD_SIM_OPENSTACK_PASSWORD``, else a random one kept in the
    state (so a state file keeps it). ``seed`` fills a new state (see ``OpenStackState``).
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        password: str | None = None,
        clock: Clock | None = None,
        seed: Callable[[Cloud], None] | None = None,
    ) -> None:
        self.store = Store(path)
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        password = password or os.environ.get(PASSWORD_ENV) or None
        with self.store.transaction():
            if self.store.setting("seeded") is None:
                self.store.set_setting("password", password or secrets.token_urlsafe(18))
                if seed is not None:
                    seed(self)
                self.store.set_setting("seeded", "1")
            elif password:
                self.store.set_setting("password", password)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.store.path or ':memory:'} user={USERNAME}>"

    # identity ---------------------------------------------------------------------------------

    @property
    def username(self) -> str:
        """The seeded administrator's name."""
        return USERNAME

    @property
    def password(self) -> str:
        """The administrator's password."""
        return self.store.setting("password") or ""

    @property
    def project_name(self) -> str:
        """The project the banner names."""
        return PROJECT

    @property
    def domain_name(self) -> str:
        """The domain of the user and projects."""
        return DOMAIN_NAME

    def check_password(self, user: Doc, password: str) -> bool:
        """Whether ``password`` is ``user``'s (constant time)."""
        wanted = self.store.setting(f"password:{user['id']}") or self.password
        return hmac.compare_digest(password.encode("utf-8"), wanted.encode("utf-8"))

    def project_named(self, name: str) -> Doc | None:
        """A project by name."""
        return next((p for p in self.store.all("projects") if p["name"] == name), None)

    # tokens -----------------------------------------------------------------------------------

    def issue_token(
        self,
        user_id: str,
        project_id: str | None,
        methods: list[str],
        ttl: float,
        *,
        app_credential: str | None = None,
        expires: float | None = None,
        audit_id: str | None = None,
    ) -> tuple[str, Principal]:
        """A new token and who it speaks for."""
        now = self.clock.now()
        roles: tuple[str, ...] = ()
        if project_id is not None:
            granted = self.store.setting(f"roles:{user_id}:{project_id}") or ""
            roles = tuple(role for role in granted.split(",") if role)
        principal = Principal(
            user_id=user_id,
            project_id=project_id,
            roles=roles,
            methods=tuple(methods),
            issued=now,
            expires=min(now + ttl, expires) if expires is not None else now + ttl,
            audit_id=audit_id or secrets.token_urlsafe(16)[:22],
            app_credential=app_credential,
        )
        token = "gAAAAAB" + secrets.token_urlsafe(96)
        self.store.purge_tokens(now)
        self.store.put_token(
            token_digest(token),
            principal.expires,
            {
                "user_id": user_id,
                "project_id": project_id,
                "roles": list(roles),
                "methods": list(methods),
                "issued": principal.issued,
                "audit_id": principal.audit_id,
                "app_credential": app_credential,
            },
        )
        return token, principal

    def principal(self, token: str) -> Principal | None:
        """Who a token speaks for, or None when it is unknown or expired."""
        if not token:
            return None
        found = self.store.get_token(token_digest(token))
        if found is None:
            return None
        expires, data = found
        if expires <= self.clock.now():
            return None
        return Principal(
            user_id=data["user_id"],
            project_id=data["project_id"],
            roles=tuple(data["roles"]),
            methods=tuple(data["methods"]),
            issued=float(data["issued"]),
            expires=expires,
            audit_id=data["audit_id"],
            app_credential=data.get("app_credential"),
        )

    def revoke(self, token: str) -> bool:
        """Revoke a token; whether it was known."""
        return self.store.drop_token(token_digest(token))

    # documents --------------------------------------------------------------------------------

    @staticmethod
    def new_id(hexonly: bool = False) -> str:
        """A fresh UUID (Keystone's ids are bare hex)."""
        value = uuidlib.uuid4()
        return value.hex if hexonly else str(value)

    def now(self) -> float:
        """The state's clock."""
        return self.clock.now()

    def settle(self, kind: str, doc: Doc, now: float | None = None) -> Doc | None:
        """Apply a due transition and store it; None when it deleted the document."""
        if not settle(doc, self.clock.now() if now is None else now):
            return doc
        doc.pop("_task", None)
        doc.update(doc.pop("_after", None) or {})
        if doc.get("status") == GONE:
            self.store.delete(kind, str(doc["id"]))
            return None
        self.store.put(kind, doc)
        return doc

    def find(self, kind: str, ident: str) -> Doc | None:
        """A document (transitions settled), or None."""
        doc = self.store.get(kind, ident)
        return None if doc is None else self.settle(kind, doc)

    def all(self, kind: str) -> list[Doc]:
        """All documents of ``kind`` in creation order (transitions settled)."""
        now = self.clock.now()
        docs = (self.settle(kind, doc, now) for doc in self.store.all(kind))
        return [doc for doc in docs if doc is not None]

    def save(self, kind: str, doc: Doc) -> Doc:
        """Store ``doc``."""
        self.store.put(kind, doc)
        return doc

    def remove(self, kind: str, ident: str) -> bool:
        """Delete a document; whether it existed."""
        return self.store.delete(kind, ident)

    def transition(
        self,
        doc: Doc,
        status: str,
        then: str,
        seconds: float,
        *,
        task: str | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Put ``doc`` in ``status`` (``task`` meanwhile) and in ``then`` after ``seconds``,
        setting ``after``'s fields then (at once when ``seconds`` is 0)."""
        begin(doc, status, then, seconds, self.clock.now())
        if "_until" in doc:
            doc["_task"] = task
            doc["_after"] = dict(after or {})
        else:
            doc.pop("_task", None)
            doc.pop("_after", None)
            doc.update(after or {})

    def retire(
        self, kind: str, doc: Doc, seconds: float, *, status: str, task: str | None = None
    ) -> None:
        """Delete ``doc`` after ``seconds`` in ``status`` (``task`` meanwhile), or at once."""
        if seconds <= 0:
            self.store.delete(kind, str(doc["id"]))
            return
        self.transition(doc, status, GONE, seconds, task=task)
        self.store.put(kind, doc)

    def close(self) -> None:
        """Close the database."""
        self.store.close()
