"""Run-time settings of the OpenStack simulator, fault knobs included (read per request)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.config import BaseConfig

__all__ = ["DEFAULT_QUOTAS", "SimConfig"]

DEFAULT_QUOTAS: dict[str, int] = {
    # Nova (os-quota-sets)
    "instances": 10,
    "cores": 20,
    "ram": 51200,
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
    # Neutron (quotas)
    "network": 100,
    "subnet": 100,
    "port": 500,
    "router": 10,
    "floatingip": 50,
    "security_group": 10,
    "security_group_rule": 100,
    # Cinder (os-quota-sets)
    "volumes": 10,
    "snapshots": 10,
    "gigabytes": 1000,
}
"""Every project's quotas until changed through a quota-set API (per project, stored)."""


@dataclass
class SimConfig(BaseConfig):
    """Simulator settings; change them at any time.

    - ``server_latency``: seconds a server stays BUILD, REBOOT, RESIZE... before settling;
      ``volume_latency``: seconds a volume or snapshot stays creating/attaching/detaching/
      deleting; ``image_latency``: seconds an image made from a server stays ``saving``.
    - ``build_error_rate``: share of new servers that end in ERROR ("No valid host was found.").
    - ``max_limit``: the largest page Nova, Cinder and Neutron return (Nova's ``[api]
      max_limit``, 1000); ``image_page_size``: Glance's default page (25).
    - ``min_compute_version``/``max_compute_version``: the Nova microversion range;
      ``max_volume_version``: Cinder's largest (3.0 is the smallest).
    - ``token_ttl``: seconds a Keystone token lives.
    - ``quotas``: overrides of :data:`DEFAULT_QUOTAS` for every project.
    - the fault knobs of :class:`~omnicloud.sim.core.config.BaseConfig`.
    """

    server_latency: float = 0.05
    volume_latency: float = 0.05
    image_latency: float = 0.05
    build_error_rate: float = 0.0
    max_limit: int = 1000
    image_page_size: int = 25
    min_compute_version: str = "2.1"
    max_compute_version: str = "2.90"
    max_volume_version: str = "3.70"
    token_ttl: float = 3600.0
    quotas: dict[str, int] = field(default_factory=dict)
