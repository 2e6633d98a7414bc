"""The simulator core: what every simulator builds on, moto's ``BaseBackend`` idea in our terms.

- :mod:`.store`: :class:`SqliteStore`, the state store (SQLite or memory, JSON documents,
  re-entrant transactions, savepoints, settings), opened through :mod:`.statefile`;
  :mod:`.tokens`: :class:`~.tokens.TokenStore`, access tokens by digest on top of it.
- :mod:`.auth`: the :class:`Authenticator` hook and :class:`BasicAuth`.
- :mod:`.faults`: :class:`Faults` (seeded errors and resets, rate windows, slowness) over the
  knobs of :class:`BaseConfig` (:mod:`.config`).
- :mod:`.clock`: :class:`Clock` for jobs and long operations (:class:`ManualClock` in tests).
- :mod:`.paging`: :class:`Window`; :mod:`.routing`: :class:`PathRouter` for REST paths.
- :mod:`.app`: the ASGI app factory and request plumbing (imports Starlette).
- :mod:`.serve`: the foreground entry point (imports uvicorn).
- :mod:`.registry`: :class:`SimulatorSpec`, :class:`Registry` (``omnicloud sim serve NAME``).

The core never imports a particular simulator; simulators import the core, never each other.
This package imports only the standard-library parts; ``app`` and ``serve`` load on use.
"""

from __future__ import annotations

from .auth import Authenticator, BasicAuth, Credentials
from .clock import SYSTEM_CLOCK, Clock, ManualClock, SystemClock
from .config import BaseConfig
from .faults import Faults
from .paging import Window
from .registry import Option, Registry, SimulatorSpec
from .routing import NoRoute, PathRouter
from .store import SqliteStore

__all__ = [
    "SYSTEM_CLOCK",
    "Authenticator",
    "BaseConfig",
    "BasicAuth",
    "Clock",
    "Credentials",
    "Faults",
    "ManualClock",
    "NoRoute",
    "Option",
    "PathRouter",
    "Registry",
    "SimulatorSpec",
    "SqliteStore",
    "SystemClock",
    "Window",
]
