"""Instance changes besides the lifecycle: setLabels, setMetadata, setTags, attachDisk,
detachDisk (fingerprints checked as Compute does)."""

from __future__ import annotations

from ._diskmodel import attached_doc, check_free, find_disk
from ._errors import ApiError, invalid, precondition
from ._instances import load_instance
from ._labels import metadata_doc, tags_doc
from ._labels_api import set_labels
from ._ops import begin_operation
from ._request import Reply, Req, Route
from ._state import rfc3339
from ._store import Doc

__all__ = ["ROUTES"]


def _path(req: Req, zone: str, doc: Doc) -> str:
    return f"projects/{req.state.project}/zones/{zone}/instances/{doc['name']}"


def _set_labels(req: Req) -> Reply:
    zone, doc = load_instance(req)
    return set_labels(req, "instance", f"zones/{zone}", doc, _path(req, zone, doc))


def _set_metadata(req: Req) -> Reply:
    zone, doc = load_instance(req)
    body = req.json()
    if body.get("fingerprint") != doc["metadata"].get("fingerprint"):
        raise precondition("Supplied fingerprint does not match current metadata fingerprint.")
    doc["metadata"] = metadata_doc(body, "resource")
    req.state.schedule("instance", f"zones/{zone}", doc)
    return begin_operation(req, f"zones/{zone}", "setMetadata", _path(req, zone, doc), doc["id"])


def _set_tags(req: Req) -> Reply:
    zone, doc = load_instance(req)
    body = req.json()
    if body.get("fingerprint") != doc["tags"].get("fingerprint"):
        raise precondition("Supplied fingerprint does not match current tags fingerprint.")
    doc["tags"] = tags_doc(body, "resource")
    req.state.schedule("instance", f"zones/{zone}", doc)
    return begin_operation(req, f"zones/{zone}", "setTags", _path(req, zone, doc), doc["id"])


def _attach(req: Req) -> Reply:
    zone, doc = load_instance(req)
    body = req.json()
    mode = body.get("mode") or "READ_WRITE"
    if mode not in ("READ_WRITE", "READ_ONLY"):
        raise invalid(f"Invalid value for field 'resource.mode': '{mode}'.")
    disk = find_disk(req, body.get("source"), zone, "resource.source")
    if doc["selfLink"] in (disk.get("users") or []):
        raise invalid(
            f"Invalid value for field 'resource.source': '{body.get('source')}'. The disk is "
            "already attached to the instance."
        )
    check_free(disk, mode)
    used = {attached["index"] for attached in doc["disks"]}
    index = next(i for i in range(len(used) + 1) if i not in used)
    device = body.get("deviceName") or f"persistent-disk-{index}"
    if any(attached["deviceName"] == device for attached in doc["disks"]):
        raise invalid(
            f"Invalid value for field 'resource.deviceName': '{device}'. The device name is "
            "already in use by another disk of the instance."
        )
    if len(doc["disks"]) >= 128:
        raise ApiError(400, "invalid", "Too many disks attached to the instance.")
    doc["disks"].append(
        attached_doc(disk, index, False, bool(body.get("autoDelete", False)), device, mode)
    )
    disk["users"] = [*disk.get("users", []), doc["selfLink"]]
    disk["lastAttachTimestamp"] = rfc3339(req.now)
    if mode == "READ_WRITE":
        disk["_mode"] = "READ_WRITE"
    req.state.store.put("disk", f"zones/{zone}", disk)
    req.state.schedule("instance", f"zones/{zone}", doc)
    return begin_operation(req, f"zones/{zone}", "attachDisk", _path(req, zone, doc), doc["id"])


def _detach(req: Req) -> Reply:
    zone, doc = load_instance(req)
    device = req.param("deviceName")
    chosen = [attached for attached in doc["disks"] if attached["deviceName"] == device]
    if not chosen:
        raise invalid(
            f"Invalid value for field 'deviceName': '{device}'. No attached disk found with "
            "the given device name."
        )
    attached = chosen[0]
    if attached.get("boot") and doc["status"] not in ("TERMINATED",):
        raise invalid("The boot disk of a running instance cannot be detached.")
    doc["disks"] = [d for d in doc["disks"] if d is not attached]
    name = attached["source"].rsplit("/", 1)[-1]
    disk = req.state.store.get("disk", f"zones/{zone}", name)
    if disk is not None:
        disk["users"] = [user for user in disk.get("users", []) if user != doc["selfLink"]]
        if not disk["users"]:
            disk.pop("users")
            disk.pop("_mode", None)
        disk["lastDetachTimestamp"] = rfc3339(req.now)
        req.state.store.put("disk", f"zones/{zone}", disk)
    req.state.schedule("instance", f"zones/{zone}", doc)
    return begin_operation(req, f"zones/{zone}", "detachDisk", _path(req, zone, doc), doc["id"])


ROUTES: list[Route] = [
    ("POST", "projects/*/zones/*/instances/*/setLabels", _set_labels),
    ("POST", "projects/*/zones/*/instances/*/setMetadata", _set_metadata),
    ("POST", "projects/*/zones/*/instances/*/setTags", _set_tags),
    ("POST", "projects/*/zones/*/instances/*/attachDisk", _attach),
    ("POST", "projects/*/zones/*/instances/*/detachDisk", _detach),
]
