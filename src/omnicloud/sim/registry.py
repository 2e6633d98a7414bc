"""The simulators ``omnicloud sim serve NAME`` knows, by name (nothing is imported to list them).

A new simulator adds one line here, pointing at the :class:`~omnicloud.sim.core.SimulatorSpec`
in its package.
"""

from __future__ import annotations

from .core.registry import Registry

__all__ = ["SIMULATORS"]

SIMULATORS = Registry(
    {
        "azure": (
            "omnicloud.sim.azure._serve:SPEC",
            "Serve the Azure Resource Manager simulator (HTTPS).",
        ),
        "cloudsigma": (
            "omnicloud.sim.cloudsigma._serve:SPEC",
            "Serve the CloudSigma API 2.0 simulator.",
        ),
        "cloudstack": (
            "omnicloud.sim.cloudstack._serve:SPEC",
            "Serve the CloudStack simulator at http://HOST:PORT/client/api.",
        ),
        "gce": ("omnicloud.sim.gce._serve:SPEC", "Serve the Google Compute Engine simulator."),
        "openstack": (
            "omnicloud.sim.openstack._serve:SPEC",
            "Serve the OpenStack simulator (Keystone, Nova, Glance, Neutron, Cinder).",
        ),
    }
)
