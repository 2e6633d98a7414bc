"""Run-time settings of the Azure simulator, fault knobs included (read on every request)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import BaseConfig

__all__ = ["SimConfig"]


@dataclass
class SimConfig(BaseConfig):
    """Simulator settings; change them at any time.

    - ``operation_latency``: seconds a long-running operation stays ``InProgress`` (and its
      resource ``Creating``/``Updating``/``Deleting``, its VM ``starting``/``stopping``...).
    - ``retry_after``: the ``Retry-After`` header of long-running answers and 429s (the SDKs
      wait 30 s without one, and read 0 as "no value").
    - ``page_size``: items per page of a list before a ``nextLink``.
    - ``core_quota``: the "Total Regional vCPUs" limit per location.
    - ``token_ttl``: seconds an access token lives (``expires_in`` says 3599 whatever it is).
    - ``provision_error_rate``: share of VM creations whose operation ends ``Failed``
      (``AllocationFailed``), decided by the faults' seeded generator.
    - the fault knobs of :class:`~omnicloud.sim.core.config.BaseConfig` (``rate_limit``: 429
      ``TooManyRequests``; ``error_rate``: 500 ``InternalServerError``).
    """

    operation_latency: float = 1.0
    retry_after: int = 1
    page_size: int = 100
    core_quota: int = 2500
    token_ttl: float = 3599.0
    provision_error_rate: float = 0.0
