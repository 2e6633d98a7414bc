"""Cinder v3 volume types, availability zones, quota sets and limits."""

from __future__ import annotations

from typing import Any

from ._errors import nova
from ._quota import limits, usage
from ._request import Reply, Req
from ._state import public

__all__ = ["ROUTES"]


def list_types(req: Req) -> Reply:
    """``GET /types``."""
    return Reply(200, {"volume_types": [public(t) for t in req.cloud.all("volume_types")]})


def get_type(req: Req) -> Reply:
    """``GET /types/{id}`` (``default``: the default type)."""
    ident = req.args[0]
    if ident == "default":
        ident = req.cloud.store.setting("default_volume_type") or ""
    found = next((t for t in req.cloud.all("volume_types") if ident in (t["id"], t["name"])), None)
    if found is None:
        raise nova(404, f"Volume type {req.args[0]} could not be found.")
    return Reply(200, {"volume_type": public(found)})


def zones(req: Req) -> Reply:
    """``GET /os-availability-zone``."""
    return Reply(
        200, {"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": True}}]}
    )


def quotas(req: Req) -> Reply:
    """``GET /os-quota-sets/{project_id}`` (``?usage=True`` for usage)."""
    project = req.args[0]
    if project != req.project and not req.who.is_admin:
        raise nova(403, "Policy doesn't allow volume_extension:quotas:show to be performed.")
    allowed = limits(req.cloud, req.config, project)
    used = usage(req.cloud, project)
    detail = req.q("usage") in ("true", "True")
    view: dict[str, Any] = {"id": project}
    for name in ("volumes", "snapshots", "gigabytes"):
        view[name] = (
            {"limit": allowed[name], "in_use": used[name], "reserved": 0, "allocated": 0}
            if detail
            else allowed[name]
        )
    view.update({"backups": 10, "backup_gigabytes": 1000, "groups": 10, "per_volume_gigabytes": -1})
    return Reply(200, {"quota_set": view})


def get_limits(req: Req) -> Reply:
    """``GET /limits``."""
    allowed = limits(req.cloud, req.config, req.project)
    used = usage(req.cloud, req.project)
    return Reply(
        200,
        {
            "limits": {
                "rate": [],
                "absolute": {
                    "maxTotalVolumes": allowed["volumes"],
                    "maxTotalSnapshots": allowed["snapshots"],
                    "maxTotalVolumeGigabytes": allowed["gigabytes"],
                    "maxTotalBackups": 10,
                    "maxTotalBackupGigabytes": 1000,
                    "totalVolumesUsed": used["volumes"],
                    "totalSnapshotsUsed": used["snapshots"],
                    "totalGigabytesUsed": used["gigabytes"],
                    "totalBackupsUsed": 0,
                    "totalBackupGigabytesUsed": 0,
                },
            }
        },
    )


ROUTES = [
    ("GET", "types", list_types),
    ("GET", "types/*", get_type),
    ("GET", "os-availability-zone", zones),
    ("GET", "os-quota-sets/*", quotas),
    ("GET", "limits", get_limits),
]
