"""The Azure Resource Manager simulator: Entra ID tokens, resource groups, ``Microsoft.Network``
and ``Microsoft.Compute`` in one ASGI app, faithful enough for azure-identity and the
azure-mgmt-* SDKs to work against it unchanged (served over HTTPS: see
:func:`ensure_certificate`).

>>> from omnicloud.sim.azure import AzureState, SimConfig, create_app
>>> state = AzureState()                       # in memory; AzureState("azure.db") persists
>>> app = create_app(state, config=SimConfig(operation_latency=0.02))  # doctest: +SKIP
>>> state.resource_group, state.location
('omnicloud-rg', 'eastus')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._config import SimConfig
from ._serve import serve
from ._state import AzureState
from ._tls import ensure_certificate

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["AzureState", "SimConfig", "create_app", "ensure_certificate", "serve"]


def create_app(state: AzureState | None = None, *, config: SimConfig | None = None) -> Starlette:
    """The simulator app (Starlette is imported only now)."""
    from ._app import create_app as build

    return build(state, config=config)
