"""Persistent disks as documents: built from a blank size, an image or a snapshot."""

from __future__ import annotations

from typing import Any

from ._errors import ApiError, invalid, not_found
from ._request import Req, ref_path
from ._state import LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = [
    "DISK_TYPES",
    "attached_doc",
    "check_free",
    "disk_type",
    "find_disk",
    "new_disk",
    "size_of",
]

DISK_TYPES = ("pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced")


def disk_type(req: Req, zone: str, value: Any, field: str) -> str:
    """The stored link of a ``diskType`` (default ``pd-balanced``), else 400."""
    name = "pd-balanced"
    if value is not None:
        text = value if "/" in str(value) else f"zones/{zone}/diskTypes/{value}"
        parts = ref_path(text, req.state.project, field)
        name = parts[-1]
        if len(parts) != 6 or parts[4] != "diskTypes" or name not in DISK_TYPES:
            raise invalid(f"Invalid value for field '{field}': '{value}'. Disk type is invalid.")
    return f"{LINK}projects/{req.state.project}/zones/{zone}/diskTypes/{name}"


def size_of(value: Any, minimum: int, field: str) -> int:
    """A requested ``sizeGb``/``diskSizeGb`` (int64 as a string or number), at least
    ``minimum`` (the source image's or snapshot's size; 0 for a blank disk, which then
    defaults to 10 GB), else 400."""
    if value is None:
        return minimum or 10
    try:
        size = int(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid value for field '{field}': '{value}'.") from None
    if size < minimum:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. Requested disk size cannot be "
            f"smaller than the image size ({minimum} GB)"
        )
    if not 1 <= size <= 65536:
        raise invalid(f"Invalid value for field '{field}': '{value}'.")
    return size


def new_disk(
    req: Req,
    zone: str,
    name: str,
    size: int,
    kind_link: str,
    *,
    image: Doc | None = None,
    snapshot: Doc | None = None,
    labels: dict[str, str] | None = None,
    description: str | None = None,
) -> Doc:
    """A READY ``compute#disk`` (not stored)."""
    doc: Doc = {
        "kind": "compute#disk",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "sizeGb": str(size),
        "zone": f"{LINK}projects/{req.state.project}/zones/{zone}",
        "status": "READY",
        "selfLink": f"{LINK}projects/{req.state.project}/zones/{zone}/disks/{name}",
        "type": kind_link,
        "labels": dict(labels or {}),
        "labelFingerprint": fingerprint(labels or {}),
        "physicalBlockSizeBytes": "4096",
        "architecture": "X86_64",
    }
    if description:
        doc["description"] = description
    if image is not None:
        doc["sourceImage"] = image["selfLink"]
        doc["sourceImageId"] = image["id"]
        if image.get("licenses"):
            doc["licenses"] = list(image["licenses"])
        if image.get("guestOsFeatures"):
            doc["guestOsFeatures"] = list(image["guestOsFeatures"])
    if snapshot is not None:
        doc["sourceSnapshot"] = snapshot["selfLink"]
        doc["sourceSnapshotId"] = snapshot["id"]
    return doc


def find_disk(req: Req, value: Any, zone: str, field: str) -> Doc:
    """The disk a ``source`` names (URL or path), which must be in ``zone``, else 400/404."""
    parts = ref_path(value, req.state.project, field)
    if len(parts) != 6 or parts[2] != "zones" or parts[4] != "disks":
        raise invalid(f"Invalid value for field '{field}': '{value}'.")
    if parts[3] != zone:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. Disk must be in the same zone as "
            "the instance."
        )
    disk = req.state.store.get("disk", f"zones/{zone}", parts[5])
    if disk is None:
        raise not_found("/".join(parts))
    return disk


def check_free(disk: Doc, mode: str) -> None:
    """400 when a disk is attached read-write somewhere (or asked read-write while in use)."""
    users = disk.get("users") or []
    if users and (mode == "READ_WRITE" or disk.get("_mode") == "READ_WRITE"):
        raise ApiError(
            400,
            "resourceInUseByAnotherResource",
            f"The disk resource '{_path(disk['selfLink'])}' is already being used by "
            f"'{_path(users[0])}'",
        )


def _path(link: str) -> str:
    return link[len(LINK) :] if link.startswith(LINK) else link


def attached_doc(
    disk: Doc, index: int, boot: bool, auto_delete: bool, device: str, mode: str
) -> dict[str, Any]:
    """A ``compute#attachedDisk`` for an instance's ``disks``."""
    doc: dict[str, Any] = {
        "kind": "compute#attachedDisk",
        "type": "PERSISTENT",
        "mode": mode,
        "source": disk["selfLink"],
        "deviceName": device,
        "index": index,
        "boot": boot,
        "autoDelete": auto_delete,
        "interface": "SCSI",
        "diskSizeGb": disk["sizeGb"],
        "architecture": "X86_64",
    }
    if disk.get("licenses"):
        doc["licenses"] = list(disk["licenses"])
    if disk.get("guestOsFeatures"):
        doc["guestOsFeatures"] = list(disk["guestOsFeatures"])
    return doc
