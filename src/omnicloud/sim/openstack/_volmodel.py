"""Cinder volumes as Nova uses them too: new volume documents, attach and detach."""

from __future__ import annotations

from typing import Any

from ._config import SimConfig
from ._errors import nova
from ._state import Cloud, iso
from ._store import Doc

__all__ = ["attach", "detach", "release", "volume_doc"]


def volume_doc(
    cloud: Cloud,
    project_id: str,
    user_id: str,
    *,
    size: int,
    name: str | None = None,
    description: str | None = None,
    volume_type: str | None = None,
    availability_zone: str = "nova",
    image_id: str | None = None,
    snapshot_id: str | None = None,
    source_volid: str | None = None,
    metadata: dict[str, str] | None = None,
) -> Doc:
    """A new volume document (status ``creating``; the caller starts its transition)."""
    type_name = volume_type or cloud.store.setting("default_volume_type") or "lvmdriver-1"
    found = next((t for t in cloud.all("volume_types") if type_name in (t["name"], t["id"])), None)
    if found is None:
        raise nova(404, f"Volume type with name {type_name} could not be found.")
    now = iso(cloud.now(), micro=True)
    doc: Doc = {
        "id": cloud.new_id(),
        "name": name,
        "description": description,
        "status": "creating",
        "size": size,
        "availability_zone": availability_zone,
        "created_at": now,
        "updated_at": None,
        "attachments": [],
        "volume_type": found["name"],
        "volume_type_id": found["id"],
        "snapshot_id": snapshot_id,
        "source_volid": source_volid,
        "metadata": dict(metadata or {}),
        "user_id": user_id,
        "bootable": "true" if image_id else "false",
        "encrypted": False,
        "replication_status": None,
        "consistencygroup_id": None,
        "multiattach": False,
        "migration_status": None,
        "group_id": None,
        "provider_id": None,
        "service_uuid": None,
        "shared_targets": True,
        "cluster_name": None,
        "consumes_quota": True,
        "_project": project_id,
    }
    if image_id:
        doc["volume_image_metadata"] = {"image_id": image_id}
    return doc


def _next_device(server: Doc) -> str:
    used = {v["device"] for v in server["volumes"]}
    used.add("/dev/vda")
    for letter in "bcdefghijklmnopqrstuvwxyz":
        device = f"/dev/vd{letter}"
        if device not in used:
            return device
    raise nova(400, "No free disk device names for prefix 'vd'")


def attach(
    cloud: Cloud,
    config: SimConfig,
    server: Doc,
    volume: Doc,
    *,
    device: str | None = None,
    delete_on_termination: bool = False,
    tag: str | None = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    """Attach ``volume`` to ``server`` (both stored by the caller); the server's record of it."""
    if volume["status"] != "available":
        raise nova(
            400,
            "Invalid input received: Invalid volume: Volume status must be available or "
            f"downloading to reserve, but the current status is {volume['status']}. (HTTP 400)",
        )
    record = {
        "id": volume["id"],
        "device": device or _next_device(server),
        "delete_on_termination": delete_on_termination,
        "tag": tag,
        "attachment_id": cloud.new_id(),
        "bdm_uuid": cloud.new_id(),
    }
    server["volumes"].append(record)
    volume["attachments"] = [
        {
            "id": volume["id"],
            "attachment_id": record["attachment_id"],
            "volume_id": volume["id"],
            "server_id": server["id"],
            "host_name": server["_host"],
            "device": record["device"],
            "attached_at": iso(cloud.now(), micro=True),
        }
    ]
    delay = config.volume_latency if seconds is None else seconds
    cloud.transition(volume, "attaching", "in-use", delay, after={"attach_status": "attached"})
    volume["attach_status"] = "attaching" if delay > 0 else "attached"
    return record


def detach(cloud: Cloud, config: SimConfig, server: Doc, volume_id: str) -> None:
    """Detach a volume from ``server`` (the server is stored by the caller)."""
    record = next((v for v in server["volumes"] if v["id"] == volume_id), None)
    if record is None:
        raise nova(404, f"Volume {volume_id} is not attached to the instance {server['id']}.")
    if record["device"] == "/dev/vda":
        raise nova(400, "Cannot detach a root device volume")
    server["volumes"].remove(record)
    volume = cloud.find("volumes", volume_id)
    if volume is not None:
        cloud.transition(
            volume,
            "detaching",
            "available",
            config.volume_latency,
            after={"attachments": [], "attach_status": "detached"},
        )
        cloud.save("volumes", volume)


def release(cloud: Cloud, server: Doc) -> None:
    """Free the volumes of a deleted server (``delete_on_termination`` ones are deleted)."""
    for record in server["volumes"]:
        volume = cloud.find("volumes", record["id"])
        if volume is None:
            continue
        if record["delete_on_termination"]:
            cloud.remove("volumes", volume["id"])
            continue
        volume.pop("_until", None)
        volume.pop("_next", None)
        volume.pop("_after", None)
        volume.update(status="available", attachments=[], attach_status="detached")
        cloud.save("volumes", volume)
    server["volumes"] = []
