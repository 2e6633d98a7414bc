"""The CloudSigma API 2.0 simulator: an ASGI app with SQLite state.

>>> from omnicloud.sim.cloudsigma import CloudSigmaState, create_app
>>> state = CloudSigmaState()                  # in memory; CloudSigmaState("cs.db") persists
>>> app = create_app(state)                    # doctest: +SKIP
>>> state.username, state.password             # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._config import SimConfig
from ._serve import serve
from ._state import CloudSigmaState

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["CloudSigmaState", "SimConfig", "create_app", "serve"]


def create_app(
    state: CloudSigmaState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator app (Starlette is imported only now)."""
    from ._app import create_app as build

    return build(state, config=config)


def __getattr__(name: str) -> Any:
    raise AttributeError(name)
