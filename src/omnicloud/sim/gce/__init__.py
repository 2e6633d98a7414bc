"""The Google Compute Engine simulator: the Compute API v1 (REST + JSON) and an OAuth token
endpoint, faithful enough for google-cloud-compute to work against it unchanged.

>>> from omnicloud.sim.gce import GceState, create_app
>>> state = GceState()                 # in memory; GceState("gce.db") persists
>>> app = create_app(state)            # doctest: +SKIP
>>> state.project, state.zone
('omnicloud-sim', 'us-central1-a')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import SimConfig
from ._state import GceState

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["GceState", "SimConfig", "create_app"]


def create_app(state: GceState | None = None, *, config: SimConfig | None = None) -> Starlette:
    """The simulator app (Starlette is imported only now)."""
    from ._app import create_app as build

    return build(state, config=config)
