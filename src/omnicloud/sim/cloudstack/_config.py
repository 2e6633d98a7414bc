"""Run-time settings of the CloudStack simulator, fault knobs included (read per request)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ..core.config import BaseConfig

__all__ = ["SimConfig"]

_KNOBS = (
    "max_page_size",
    "job_latency",
    "job_latency_by_command",
    "rate_limit",
    "error_rate",
    "seed",
    "reset_rate",
    "slow_seconds",
    "fail_jobs",
    "accept_unencoded_tilde",
    "max_userdata_length",
    "expunge_delay",
)


@dataclass
class SimConfig(BaseConfig):
    """Simulator settings. Change attributes at any time: every request reads them afresh.

    - ``max_page_size``: CloudStack's ``default.page.size`` (the cap on ``pagesize`` and the size of
      an unpaged list).
    - ``job_latency``: seconds before an async job completes; ``job_latency_by_command``
      overrides it per command name (case-insensitive).
    - the fault knobs of :class:`~omnicloud.sim.core.config.BaseConfig`: ``rate_limit`` (per
      account, root admins exempt), ``error_rate``/``seed`` (a random 500/502/503 HTML page),
      ``reset_rate``, ``slow_seconds``/``slow_requests`` (delay before the answer).
    - ``fail_jobs``: command names whose async jobs fail (jobstatus 2).
    - ``accept_unencoded_tilde``: also accept signatures computed with ``~`` left literal, as the
      ``cs`` package and Libcloud compute them (the real server rejects those).
    - ``max_userdata_length``: ``vm.userdata.max.length`` for POST requests (GET allows 4096).
    - ``expunge_delay``: ``expunge.delay``, seconds a destroyed VM stays (recoverable) before it
      is expunged; None keeps destroyed VMs until ``expungeVirtualMachine``.
    """

    max_page_size: int = 500
    job_latency: float = 0.05
    job_latency_by_command: dict[str, float] = field(default_factory=dict)
    fail_jobs: set[str] = field(default_factory=set)
    accept_unencoded_tilde: bool = False
    max_userdata_length: int = 32768
    expunge_delay: float | None = 2.0

    def latency_for(self, command: str) -> float:
        """The job latency for ``command``."""
        for name, value in self.job_latency_by_command.items():
            if name.lower() == command.lower():
                return value
        return self.job_latency

    def fails(self, command: str) -> bool:
        """Whether jobs of ``command`` are forced to fail."""
        return command.lower() in {name.lower() for name in self.fail_jobs}

    def as_dict(self) -> dict[str, Any]:
        """The knobs as plain JSON values."""
        data = dataclasses.asdict(self)
        data["fail_jobs"] = sorted(self.fail_jobs)
        return {name: data[name] for name in _KNOBS}
