"""Run-time settings of the GCE simulator, fault knobs included (read per request)."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import BaseConfig

__all__ = ["SimConfig"]


@dataclass
class SimConfig(BaseConfig):
    """Simulator settings; change them at any time.

    - ``operation_latency``: seconds an operation stays RUNNING (instances spend the first half
      PROVISIONING/STOPPING, the second STAGING); 0 settles everything at once.
    - ``max_results``: the largest page a list returns (Google's cap is 500).
    - ``cpu_quota``: the ``CPUS`` quota of every region: vCPUs of the instances not TERMINATED,
      shared-core types counting their share of a core (e2-micro 0.25, e2-small 0.5,
      e2-medium 1, f1-micro 0.2, g1-small 0.5).
    - ``wait_timeout``: how long ``operations/{op}/wait`` holds a RUNNING operation (Google: 2 min;
      the simulator answers sooner, still RUNNING, as Google allows).
    - the fault knobs of :class:`~omnicloud.sim.core.config.BaseConfig`.
    """

    operation_latency: float = 1.0
    max_results: int = 500
    cpu_quota: int = 2400
    wait_timeout: float = 2.0
