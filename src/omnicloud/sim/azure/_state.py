"""``AzureState``: the simulator's persistent world (SQLite), seeded on first use.

One tenant with one application (client id and secret, random and kept in the state), one
subscription holding the resource group ``omnicloud-rg`` in ``eastus``. Access tokens are kept
by digest; resources and operations live in :mod:`._store`.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import UTC, datetime
from pathlib import Path

from ..core.clock import SYSTEM_CLOCK, Clock
from ..core.tokens import token_digest
from ._store import Doc, Store

__all__ = ["AzureState", "iso", "public"]

DEFAULT_GROUP = "omnicloud-rg"
DEFAULT_LOCATION = "eastus"


def public(doc: Doc) -> Doc:
    """``doc`` without its internal ``_``-prefixed fields."""
    return {key: value for key, value in doc.items() if not key.startswith("_")}


def iso(moment: float) -> str:
    """``2026-01-02T03:04:05.123456+00:00``, as ARM writes times."""
    return datetime.fromtimestamp(moment, UTC).isoformat()


class AzureState:
    """One simulated Azure tenant and subscription.

    ``path=None`` keeps everything in memory; a file persists it (0600, via the core store).
    ``tenant_id``, ``client_id``, ``client_secret`` and ``subscription_id`` are made on first
    use and kept; ``resource_group`` exists from the start, in ``location``.
    """

    def __init__(self, path: str | Path | None = None, *, clock: Clock | None = None) -> None:
        self.store = Store(path)
        self.clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        with self.store.transaction():
            if self.store.setting("seeded") is None:
                self._seed()
        self.tenant_id = self._setting("tenant_id")
        self.client_id = self._setting("client_id")
        self.client_secret = self._setting("client_secret")
        self.subscription_id = self._setting("subscription_id")
        self.resource_group = self._setting("resource_group")
        self.location = self._setting("location")

    def _setting(self, key: str) -> str:
        value = self.store.setting(key)
        return "" if value is None else value

    def _seed(self) -> None:
        store = self.store
        store.set_setting("tenant_id", str(uuid.uuid4()))
        store.set_setting("client_id", str(uuid.uuid4()))
        store.set_setting("client_secret", secrets.token_urlsafe(30))
        subscription = str(uuid.uuid4())
        store.set_setting("subscription_id", subscription)
        store.set_setting("resource_group", DEFAULT_GROUP)
        store.set_setting("location", DEFAULT_LOCATION)
        store.put("group", DEFAULT_GROUP, group_doc(subscription, DEFAULT_GROUP, DEFAULT_LOCATION))
        store.set_setting("seeded", "1")

    def __repr__(self) -> str:  # never the secret
        return (
            f"<AzureState {self.store.path or ':memory:'} tenant={self.tenant_id} "
            f"subscription={self.subscription_id}>"
        )

    @property
    def path(self) -> Path | None:
        """The state file, or None in memory."""
        return self.store.path

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    # credentials ------------------------------------------------------------------------------

    def check_secret(self, secret: str) -> bool:
        """Whether ``secret`` is the application's client secret (constant time)."""
        return hmac.compare_digest(secret.encode("utf-8"), self.client_secret.encode("utf-8"))

    def issue_token(self, ttl: float) -> tuple[str, float]:
        """A new access token and when it expires."""
        token = secrets.token_urlsafe(48)
        now = self.clock.now()
        with self.store.transaction():
            self.store.purge_tokens(now)
            self.store.put_token(token_digest(token), now + ttl)
        return token, now + ttl

    def token_expiry(self, token: str) -> float | None:
        """When ``token`` expires, or None when it was never issued here."""
        return self.store.token_expiry(token_digest(token))


def group_doc(subscription: str, name: str, location: str, tags: Doc | None = None) -> Doc:
    """A resource group document."""
    doc: Doc = {
        "id": f"/subscriptions/{subscription}/resourceGroups/{name}",
        "name": name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
    }
    if tags:
        doc["tags"] = tags
    return doc
