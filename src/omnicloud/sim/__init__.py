"""Offline, API-faithful cloud simulators (ASGI apps) and the tools to serve them.

Importing this package is cheap; the heavy parts load with their submodules:

- :mod:`omnicloud.sim.core`: what every simulator builds on (state store, auth hook, faults,
  clock, paging, app factory, serve entry point, simulator registry); it imports no simulator.
- :mod:`omnicloud.sim.cloudstack`: the CloudStack management-server simulator
  (``create_app``, ``CloudStackState``, ``SimConfig``, ``serve``).
- :mod:`omnicloud.sim.cloudsigma`: the CloudSigma API 2.0 simulator (same four names).
- :mod:`omnicloud.sim.registry`: the simulators ``omnicloud sim serve NAME`` knows.
- :mod:`omnicloud.sim.server`: ``serve_in_thread`` and ``run`` (uvicorn).
- :mod:`omnicloud.sim.transport`: ``InProcessTransport``/``AsyncInProcessTransport`` (omnicloud
  transports that call an app directly, no HTTP library) and ``SyncASGITransport`` to drive an
  app from a sync httpx client.
"""

from __future__ import annotations

__all__: list[str] = []
