"""The shared driver shells (:mod:`omnicloud._shell`), under the name compute modules import."""

from __future__ import annotations

from omnicloud._shell import AsyncShell, Items, SyncShell, computed, listing, operation

__all__ = ["AsyncShell", "Items", "SyncShell", "computed", "listing", "operation"]
