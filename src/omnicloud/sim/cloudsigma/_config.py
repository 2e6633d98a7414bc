"""Run-time settings of the CloudSigma simulator, fault knobs included (read per request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SimConfig"]


@dataclass
class SimConfig:
    """Simulator settings; change them at any time.

    - ``drive_latency``: seconds a drive stays ``creating``/``resizing``;
      ``clone_latency``: seconds a clone stays ``cloning_dst`` (source ``cloning_src``);
      ``server_latency``: seconds in ``starting``/``stopping``.
    - ``default_limit``: page size when ``limit`` is not given (CloudSigma's is 20).
    - ``rate_limit``: requests per second before HTTP 429 (None: unlimited).
    - ``error_rate``: probability of a 503 ``backend`` error; ``concurrency_rate``: of a 503
      ``concurrency`` error; both from a generator seeded with ``seed``.
    - ``slow_seconds``: delay before every answer; with ``slow_requests`` set, only before the
      next that many answers (the count goes down as they are served).
    - ``firewall_policies``: serve the decommissioned ``/fwpolicies/`` endpoint (404 otherwise).
    - ``capabilities``: overrides merged over the default ``GET /capabilities/`` document.
    - ``extra_locations``: more ``GET /locations/`` objects (``id``, ``api_endpoint``, ...), e.g.
      a location that opened after the client's static table was written.
    """

    drive_latency: float = 0.05
    clone_latency: float = 0.1
    server_latency: float = 0.05
    default_limit: int = 20
    rate_limit: float | None = None
    error_rate: float = 0.0
    concurrency_rate: float = 0.0
    seed: int | None = None
    slow_seconds: float = 0.0
    slow_requests: int | None = None
    firewall_policies: bool = False
    capabilities: dict[str, Any] = field(default_factory=dict)
    extra_locations: list[dict[str, Any]] = field(default_factory=list)
