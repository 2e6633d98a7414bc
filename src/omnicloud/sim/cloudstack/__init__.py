"""An API-faithful CloudStack management-server simulator (Starlette ASGI app, SQLite state).

>>> from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
>>> state = CloudStackState()                     # in memory, seeded
>>> app = create_app(state, config=SimConfig(job_latency=0.01))
>>> key, secret = state.credentials("admin")
"""

from __future__ import annotations

from ._app import create_app
from ._config import SimConfig
from ._serve import serve
from ._state import CloudStackState

__all__ = ["CloudStackState", "SimConfig", "create_app", "serve"]
