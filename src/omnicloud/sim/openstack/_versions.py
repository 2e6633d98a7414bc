"""Version documents: what keystoneauth's discovery reads at each service's root."""

from __future__ import annotations

from typing import Any

from ._config import SimConfig
from ._request import Reply

__all__ = [
    "compute_root",
    "compute_v21",
    "identity_root",
    "identity_v2",
    "identity_v3",
    "image_root",
    "network_root",
    "volume_root",
    "volume_v3",
]

_JSON = [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]


def _self(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


def _identity_v3(origin: str) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": _self(f"{origin}/identity/v3/"),
        "media-types": _JSON,
    }


def _identity_v2(origin: str) -> dict[str, Any]:
    return {
        "id": "v2.0",
        "status": "deprecated",
        "updated": "2016-08-04T00:00:00Z",
        "links": _self(f"{origin}/identity/v2.0/"),
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v2.0+json"}
        ],
    }


def identity_root(origin: str) -> Reply:
    """``GET /identity``: 300 Multiple Choices with v3 and v2.0."""
    values = [_identity_v3(origin), _identity_v2(origin)]
    return Reply(300, {"versions": {"values": values}})


def identity_v3(origin: str) -> Reply:
    """``GET /identity/v3``."""
    return Reply(200, {"version": _identity_v3(origin)})


def identity_v2(origin: str) -> Reply:
    """``GET /identity/v2.0``."""
    return Reply(200, {"version": _identity_v2(origin)})


def _compute(origin: str, config: SimConfig) -> list[dict[str, Any]]:
    return [
        {
            "id": "v2.0",
            "status": "SUPPORTED",
            "version": "",
            "min_version": "",
            "updated": "2011-01-21T11:33:21Z",
            "links": _self(f"{origin}/compute/v2/"),
        },
        {
            "id": "v2.1",
            "status": "CURRENT",
            "version": config.max_compute_version,
            "min_version": config.min_compute_version,
            "updated": "2013-07-23T11:33:21Z",
            "links": _self(f"{origin}/compute/v2.1/"),
        },
    ]


def compute_root(origin: str, config: SimConfig) -> Reply:
    """``GET /compute/``: Nova's version list."""
    return Reply(200, {"versions": _compute(origin, config)})


def compute_v21(origin: str, config: SimConfig) -> Reply:
    """``GET /compute/v2.1``: the v2.1 API with its microversion range."""
    doc = _compute(origin, config)[1]
    doc["media-types"] = [
        {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}
    ]
    return Reply(200, {"version": doc})


def image_root(origin: str) -> Reply:
    """``GET /image``: Glance's 300 with its v2 minor versions."""
    values: list[dict[str, Any]] = [
        {
            "id": f"v2.{minor}",
            "status": "CURRENT" if minor == 16 else "SUPPORTED",
            "links": _self(f"{origin}/image/v2/"),
        }
        for minor in range(16, -1, -1)
    ]
    return Reply(300, {"versions": values})


def network_root(origin: str) -> Reply:
    """``GET /networking``: Neutron's one version."""
    value = {"id": "v2.0", "status": "CURRENT", "links": _self(f"{origin}/networking/v2.0/")}
    return Reply(200, {"versions": [value]})


def _volume(origin: str, config: SimConfig) -> dict[str, Any]:
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": config.max_volume_version,
        "min_version": "3.0",
        "updated": "2023-08-31T00:00:00Z",
        "links": _self(f"{origin}/volume/v3/"),
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}
        ],
    }


def volume_root(origin: str, config: SimConfig) -> Reply:
    """``GET /volume/``: Cinder's version list (300)."""
    return Reply(300, {"versions": [_volume(origin, config)]})


def volume_v3(origin: str, config: SimConfig) -> Reply:
    """``GET /volume/v3``."""
    return Reply(200, {"version": _volume(origin, config)})
