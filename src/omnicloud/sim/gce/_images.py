"""Images: the public image projects (``debian-cloud``, ``ubuntu-os-cloud``...) and the
simulated project's own images (insert from a disk, get, list, families, delete)."""

from __future__ import annotations

from functools import cache
from typing import Any

from ._catalog import IMAGES, PUBLIC_IMAGE_PROJECTS, PublicImage
from ._errors import ApiError, already_exists, invalid, not_found
from ._labels import check_labels
from ._listing import listing
from ._ops import begin_operation
from ._places import stable_id
from ._request import Reply, Req, Route, check_name, ref_path, render
from ._state import LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = ["ROUTES", "resolve_image"]


@cache
def _public_doc(image: PublicImage) -> Doc:
    stamp = image.name.rsplit("-v", 1)[-1] if "-v" in image.name else "20241112"
    created = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T12:00:00.000-08:00"
    doc: Doc = {
        "kind": "compute#image",
        "id": stable_id("image", image.project, image.name),
        "creationTimestamp": created if stamp.isdigit() else "2024-11-12T12:00:00.000-08:00",
        "name": image.name,
        "description": image.description,
        "sourceType": "RAW",
        "rawDisk": {"source": "", "containerType": "TAR"},
        "status": "READY",
        "archiveSizeBytes": str(image.size_gb * 130_000_000),
        "diskSizeGb": str(image.size_gb),
        "licenses": [f"{LINK}projects/{image.project}/global/licenses/{image.family}"],
        "family": image.family,
        "selfLink": f"{LINK}projects/{image.project}/global/images/{image.name}",
        "labelFingerprint": fingerprint({}),
        "guestOsFeatures": [
            {"type": "UEFI_COMPATIBLE"},
            {"type": "VIRTIO_SCSI_MULTIQUEUE"},
            {"type": "GVNIC"},
        ],
        "storageLocations": ["eu", "asia", "us"],
        "architecture": "X86_64",
    }
    if image.deprecated is not None:
        doc["deprecated"] = {
            "state": "DEPRECATED",
            "replacement": f"{LINK}projects/{image.project}/global/images/{image.deprecated}",
        }
    return doc


def _images_of(req: Req, project: str) -> list[Doc]:
    """Every image of ``project`` (a public one, or the simulated one), sorted by name."""
    if project in PUBLIC_IMAGE_PROJECTS:
        return sorted(
            (_public_doc(i) for i in IMAGES if i.project == project), key=lambda d: d["name"]
        )
    if project == req.state.project:
        return req.state.store.all("image", "global")
    raise not_found(f"projects/{project}")


def _from_family(req: Req, project: str, family: str) -> Doc | None:
    candidates = [
        doc
        for doc in _images_of(req, project)
        if doc.get("family") == family and doc.get("status") == "READY"
    ]
    current = [doc for doc in candidates if "deprecated" not in doc] or candidates
    if not current:
        return None
    return max(current, key=lambda doc: doc["creationTimestamp"])


def _one(req: Req, project: str, name: str) -> Doc | None:
    for doc in _images_of(req, project):
        if doc["name"] == name:
            return doc
    return None


def resolve_image(req: Req, value: Any, field: str) -> Doc:
    """The image a ``sourceImage`` names (an image or ``.../images/family/{f}``), else 400."""
    parts = ref_path(value, req.state.project, field)
    problem = invalid(
        f"Invalid value for field '{field}': '{value}'. The referenced image resource "
        "cannot be found."
    )
    try:
        if len(parts) == 5 and parts[2:4] == ["global", "images"]:
            doc = _one(req, parts[1], parts[4])
        elif len(parts) == 6 and parts[2:5] == ["global", "images", "family"]:
            doc = _from_family(req, parts[1], parts[5])
        else:
            raise problem
    except ApiError:
        raise problem from None
    if doc is None:
        raise problem
    return doc


def _list(req: Req) -> Reply:
    project = req.args[0]
    path = f"projects/{project}/global/images"
    return listing(req, "compute#imageList", path, _images_of(req, project))


def _get(req: Req) -> Reply:
    project, name = req.args[0], req.args[1]
    doc = _one(req, project, name)
    if doc is None:
        raise not_found(f"projects/{project}/global/images/{name}")
    return Reply(render(doc, req.base))


def _get_family(req: Req) -> Reply:
    project, family = req.args[0], req.args[1]
    doc = _from_family(req, project, family)
    if doc is None:
        raise not_found(f"projects/{project}/global/images/family/{family}")
    return Reply(render(doc, req.base))


def _insert(req: Req) -> Reply:
    project = req.own_project()
    body = req.json()
    name = check_name(body.get("name"))
    store = req.state.store
    path = f"projects/{project}/global/images/{name}"
    if store.get("image", "global", name) is not None:
        raise already_exists(path)
    source = body.get("sourceDisk")
    size = "10"
    labels = check_labels(body.get("labels"), "resource.labels")
    doc: Doc = {
        "kind": "compute#image",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "sourceType": "RAW",
        "status": "PENDING",
        "archiveSizeBytes": "0",
        "selfLink": LINK + path,
        "labels": labels,
        "labelFingerprint": fingerprint(labels),
        "storageLocations": ["us"],
        "architecture": "X86_64",
    }
    if source is not None:
        parts = ref_path(source, project, "resource.sourceDisk")
        if len(parts) != 6 or parts[2] != "zones" or parts[4] != "disks":
            raise invalid(f"Invalid value for field 'resource.sourceDisk': '{source}'.")
        disk = store.get("disk", f"zones/{parts[3]}", parts[5])
        if disk is None:
            raise not_found("/".join(parts))
        size = disk["sizeGb"]
        doc["sourceDisk"] = disk["selfLink"]
        doc["sourceDiskId"] = disk["id"]
    elif body.get("sourceImage") is not None:
        image = resolve_image(req, body["sourceImage"], "resource.sourceImage")
        size = image["diskSizeGb"]
        doc["sourceImage"] = image["selfLink"]
        doc["sourceImageId"] = image["id"]
    else:
        raise invalid("Invalid value for field 'resource': ''. Exactly one source is required.")
    doc["diskSizeGb"] = size
    doc["archiveSizeBytes"] = str(int(size) * 100_000_000)
    for key in ("description", "family"):
        if isinstance(body.get(key), str):
            doc[key] = body[key]
    latency = req.config.operation_latency
    if latency > 0:
        doc["_steps"] = [[req.now + latency, "READY", {}]]
    else:
        doc["status"] = "READY"
    req.state.schedule("image", "global", doc)
    return begin_operation(req, "global", "insert", path, doc["id"])


def _delete(req: Req) -> Reply:
    project = req.own_project()
    name = req.args[1]
    path = f"projects/{project}/global/images/{name}"
    doc = req.state.store.get("image", "global", name)
    if doc is None:
        raise not_found(path)
    req.state.store.delete("image", "global", name)
    return begin_operation(req, "global", "delete", path, doc["id"])


ROUTES: list[Route] = [
    ("GET", "projects/*/global/images", _list),
    ("POST", "projects/*/global/images", _insert),
    ("GET", "projects/*/global/images/*", _get),
    ("DELETE", "projects/*/global/images/*", _delete),
    ("GET", "projects/*/global/images/family/*", _get_family),
]
