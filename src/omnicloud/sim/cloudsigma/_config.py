"""Run-time settings of the CloudSigma simulator, fault knobs included (read per request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.config import BaseConfig

__all__ = ["SimConfig"]


@dataclass
class SimConfig(BaseConfig):
    """Simulator settings; change them at any time.

    - ``drive_latency``: seconds a drive stays ``creating``/``resizing``;
      ``clone_latency``: seconds a clone stays ``cloning_dst`` (source ``cloning_src``);
      ``server_latency``: seconds in ``starting``/``stopping``.
    - ``default_limit``: page size when ``limit`` is not given (CloudSigma's is 20).
    - the fault knobs of :class:`~omnicloud.sim.core.config.BaseConfig`: ``rate_limit``
      (requests per second before HTTP 429), ``error_rate`` (a 503 ``backend`` error),
      ``reset_rate``, ``seed``, ``slow_seconds``/``slow_requests`` (delay after the request is
      applied, before the answer).
    - ``concurrency_rate``: probability of a 503 ``concurrency`` error (same seeded generator).
    - ``firewall_policies``: serve the decommissioned ``/fwpolicies/`` endpoint (404 otherwise).
    - ``capabilities``: overrides merged over the default ``GET /capabilities/`` document.
    - ``extra_locations``: more ``GET /locations/`` objects (``id``, ``api_endpoint``, ...), e.g.
      a location that opened after the client's static table was written.
    """

    drive_latency: float = 0.05
    clone_latency: float = 0.1
    server_latency: float = 0.05
    default_limit: int = 20
    concurrency_rate: float = 0.0
    firewall_policies: bool = False
    capabilities: dict[str, Any] = field(default_factory=dict)
    extra_locations: list[dict[str, Any]] = field(default_factory=list)
