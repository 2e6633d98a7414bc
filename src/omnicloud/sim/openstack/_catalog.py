"""The service catalog a token carries: one endpoint per interface, in ``RegionOne``."""

from __future__ import annotations

import hashlib
from typing import Any

from ._state import REGION

__all__ = ["SERVICES", "catalog_v2", "catalog_v3", "endpoint"]

SERVICES: list[tuple[str, str, str]] = [
    # type, name, path under the origin ({project} is the token's project)
    ("identity", "keystone", "identity"),
    ("compute", "nova", "compute/v2.1"),
    ("image", "glance", "image"),
    ("network", "neutron", "networking"),
    ("block-storage", "cinder", "volume/v3/{project}"),
    ("volumev3", "cinderv3", "volume/v3/{project}"),
    ("object-store", "swift", "swift/v1/AUTH_{project}"),
]
_INTERFACES = ("public", "internal", "admin")


def _stable_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]


def endpoint(origin: str, service_type: str, project_id: str) -> str:
    """The URL of ``service_type`` for ``project_id``."""
    path = next(path for kind, _, path in SERVICES if kind == service_type)
    return f"{origin}/{path.format(project=project_id)}"


def catalog_v3(origin: str, project_id: str) -> list[dict[str, Any]]:
    """Keystone v3's ``catalog``."""
    entries = []
    for kind, name, _ in SERVICES:
        url = endpoint(origin, kind, project_id)
        entries.append(
            {
                "id": _stable_id("service", kind),
                "type": kind,
                "name": name,
                "endpoints": [
                    {
                        "id": _stable_id("endpoint", kind, interface),
                        "interface": interface,
                        "region_id": REGION,
                        "region": REGION,
                        "url": url,
                    }
                    for interface in _INTERFACES
                ],
            }
        )
    return entries


def catalog_v2(origin: str, project_id: str) -> list[dict[str, Any]]:
    """Keystone v2.0's ``serviceCatalog``."""
    entries = []
    for kind, name, _ in SERVICES:
        url = endpoint(origin, kind, project_id)
        if kind == "identity":
            url += "/v2.0"
        entries.append(
            {
                "type": kind,
                "name": name,
                "endpoints_links": [],
                "endpoints": [
                    {
                        "id": _stable_id("endpoint", kind),
                        "region": REGION,
                        "publicURL": url,
                        "internalURL": url,
                        "adminURL": url,
                    }
                ],
            }
        )
    return entries
