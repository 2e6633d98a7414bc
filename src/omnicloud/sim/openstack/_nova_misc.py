"""Nova's availability zones, limits and quota sets."""

from __future__ import annotations

from typing import Any

from ._errors import nova
from ._quota import limits, set_limits, usage
from ._request import Reply, Req

__all__ = ["ROUTES"]

_NOVA_QUOTAS = (
    "instances",
    "cores",
    "ram",
    "key_pairs",
    "metadata_items",
    "server_groups",
    "server_group_members",
)
_OLD_QUOTAS = {
    "fixed_ips": -1,
    "floating_ips": -1,
    "security_groups": -1,
    "security_group_rules": -1,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
}


def zones(req: Req) -> Reply:
    """``GET /os-availability-zone``."""
    return Reply(
        200,
        {
            "availabilityZoneInfo": [
                {"zoneName": "nova", "zoneState": {"available": True}, "hosts": None}
            ]
        },
    )


def zones_detail(req: Req) -> Reply:
    """``GET /os-availability-zone/detail`` (hosts and their services)."""
    service = {"available": True, "active": True, "updated_at": None}
    return Reply(
        200,
        {
            "availabilityZoneInfo": [
                {
                    "zoneName": "internal",
                    "zoneState": {"available": True},
                    "hosts": {
                        "sim-controller": {"nova-conductor": service, "nova-scheduler": service}
                    },
                },
                {
                    "zoneName": "nova",
                    "zoneState": {"available": True},
                    "hosts": {"sim-compute-1": {"nova-compute": service}},
                },
            ]
        },
    )


def get_limits(req: Req) -> Reply:
    """``GET /limits``: absolute limits and what the project uses."""
    asked = req.q("tenant_id")
    project = asked if asked and req.who.is_admin else req.project
    allowed = limits(req.cloud, req.config, project)
    used = usage(req.cloud, project)
    absolute: dict[str, Any] = {
        "maxServerMeta": allowed["metadata_items"],
        "maxImageMeta": allowed["metadata_items"],
        "maxTotalInstances": allowed["instances"],
        "maxTotalCores": allowed["cores"],
        "maxTotalRAMSize": allowed["ram"],
        "maxTotalKeypairs": allowed["key_pairs"],
        "maxServerGroups": allowed["server_groups"],
        "maxServerGroupMembers": allowed["server_group_members"],
        "totalInstancesUsed": used["instances"],
        "totalCoresUsed": used["cores"],
        "totalRAMUsed": used["ram"],
        "totalServerGroupsUsed": 0,
    }
    if not req.at_least(2, 36):
        absolute.update(
            {
                "maxSecurityGroups": allowed["security_group"],
                "maxSecurityGroupRules": allowed["security_group_rule"],
                "maxTotalFloatingIps": allowed["floatingip"],
                "totalSecurityGroupsUsed": used["security_group"],
                "totalFloatingIpsUsed": used["floatingip"],
            }
        )
    if not req.at_least(2, 57):
        absolute.update({"maxPersonality": 5, "maxPersonalitySize": 10240})
    return Reply(200, {"limits": {"rate": [], "absolute": absolute}})


def _quota_view(req: Req, project: str, detail: bool) -> dict[str, Any]:
    allowed = limits(req.cloud, req.config, project)
    used = usage(req.cloud, project)
    view: dict[str, Any] = {"id": project}
    for name in _NOVA_QUOTAS:
        view[name] = (
            {"limit": allowed[name], "in_use": used[name], "reserved": 0}
            if detail
            else allowed[name]
        )
    if not req.at_least(2, 36):
        view.update({k: v for k, v in _OLD_QUOTAS.items() if not k.startswith("injected")})
    if not req.at_least(2, 57):
        view.update({k: v for k, v in _OLD_QUOTAS.items() if k.startswith("injected")})
    return view


def _project(req: Req) -> str:
    project = req.args[0]
    if project != req.project and not req.who.is_admin:
        raise nova(403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.")
    return project


def get_quotas(req: Req) -> Reply:
    """``GET /os-quota-sets/{project_id}``."""
    return Reply(200, {"quota_set": _quota_view(req, _project(req), False)})


def get_quotas_detail(req: Req) -> Reply:
    """``GET /os-quota-sets/{project_id}/detail``."""
    return Reply(200, {"quota_set": _quota_view(req, _project(req), True)})


def get_defaults(req: Req) -> Reply:
    """``GET /os-quota-sets/{project_id}/defaults``."""
    view = _quota_view(req, _project(req), False)
    return Reply(200, {"quota_set": view})


def update_quotas(req: Req) -> Reply:
    """``PUT /os-quota-sets/{project_id}`` (admin)."""
    if not req.who.is_admin:
        raise nova(403, "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.")
    body = req.body.get("quota_set") if isinstance(req.body, dict) else None
    if not isinstance(body, dict):
        raise nova(400, "Invalid input for field/attribute quota_set.")
    changes = {}
    for name, value in body.items():
        if name == "force":
            continue
        if name not in _NOVA_QUOTAS:
            raise nova(400, f"Bad key(s) {name} in quota_set")
        if not isinstance(value, int) or value < -1:
            raise nova(400, f"Invalid input for field/attribute {name}. Value: {value}.")
        changes[name] = value
    set_limits(req.cloud, req.args[0], changes)
    view = _quota_view(req, req.args[0], False)
    view.pop("id")
    return Reply(200, {"quota_set": view})


ROUTES = [
    ("GET", "os-availability-zone", zones),
    ("GET", "os-availability-zone/detail", zones_detail),
    ("GET", "limits", get_limits),
    ("GET", "os-quota-sets/*", get_quotas),
    ("GET", "os-quota-sets/*/detail", get_quotas_detail),
    ("GET", "os-quota-sets/*/defaults", get_defaults),
    ("PUT", "os-quota-sets/*", update_quotas),
]
