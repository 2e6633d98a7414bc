"""The OpenStack simulator: Keystone, Nova, Glance, Neutron and Cinder in one ASGI app.

Faithful enough for openstacksdk and the ``openstack`` CLI to work against it unchanged.

>>> from omnicloud.sim.openstack import OpenStackState, create_app
>>> state = OpenStackState()                   # in memory; OpenStackState("os.db") persists
>>> app = create_app(state)                    # doctest: +SKIP
>>> state.username, state.project_name, state.domain_name
('admin', 'demo', 'Default')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import SimConfig
from ._serve import serve
from ._world import OpenStackState

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["OpenStackState", "SimConfig", "create_app", "serve"]


def create_app(
    state: OpenStackState | None = None, *, config: SimConfig | None = None
) -> Starlette:
    """The simulator app (Starlette is imported only now)."""
    from ._app import create_app as build

    return build(state, config=config)
