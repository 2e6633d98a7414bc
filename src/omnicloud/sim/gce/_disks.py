"""Disks (zonal: insert blank or from an image or snapshot, get, list, aggregated, resize,
setLabels, delete, createSnapshot), disk types, and snapshots (global: insert, get, list,
delete)."""

from __future__ import annotations

from ._catalog import ZONES
from ._diskmodel import DISK_TYPES, disk_type, new_disk, size_of
from ._errors import ApiError, already_exists, invalid, not_found
from ._images import resolve_image
from ._labels import check_labels
from ._labels_api import set_labels
from ._listing import aggregated, global_getter, global_lister, listing, load_global
from ._ops import begin_operation
from ._places import stable_id, zone_of
from ._request import Reply, Req, Route, check_name, ref_path, render
from ._state import GONE, LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = ["ROUTES"]


def _load(req: Req) -> tuple[str, Doc]:
    req.own_project()
    zone = zone_of(req, req.args[1])
    doc = req.state.store.get("disk", f"zones/{zone}", req.args[2])
    if doc is None:
        raise not_found(f"projects/{req.args[0]}/zones/{zone}/disks/{req.args[2]}")
    return zone, doc


def _path(req: Req, zone: str, name: str) -> str:
    return f"projects/{req.state.project}/zones/{zone}/disks/{name}"


def _snapshot(req: Req, value: object, field: str) -> Doc:
    parts = ref_path(value, req.state.project, field)
    if len(parts) != 5 or parts[2:4] != ["global", "snapshots"]:
        raise invalid(f"Invalid value for field '{field}': '{value}'.")
    doc = req.state.store.get("snapshot", "global", parts[4])
    if doc is None or parts[1] != req.state.project:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. The referenced snapshot resource "
            "cannot be found."
        )
    return doc


def _finish_later(req: Req, doc: Doc, busy: str, then: str) -> None:
    latency = req.config.operation_latency
    if latency > 0:
        doc["status"] = busy
        doc["_steps"] = [[req.now + latency, then, {}]]
    elif then != GONE:
        doc["status"] = then


def _insert(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    body = req.json()
    name = check_name(body.get("name"))
    scope = f"zones/{zone}"
    if req.state.store.get("disk", scope, name) is not None:
        raise already_exists(_path(req, zone, name))
    image = snapshot = None
    minimum = 0
    source_image = body.get("sourceImage") or req.param("sourceImage")
    if source_image is not None:
        image = resolve_image(req, source_image, "resource.sourceImage")
        minimum = int(image["diskSizeGb"])
    elif body.get("sourceSnapshot") is not None:
        snapshot = _snapshot(req, body["sourceSnapshot"], "resource.sourceSnapshot")
        minimum = int(snapshot["diskSizeGb"])
    size = size_of(body.get("sizeGb"), minimum, "resource.sizeGb")
    kind_link = disk_type(req, zone, body.get("type"), "resource.type")
    doc = new_disk(
        req,
        zone,
        name,
        size,
        kind_link,
        image=image,
        snapshot=snapshot,
        labels=check_labels(body.get("labels"), "resource.labels"),
        description=body.get("description") if isinstance(body.get("description"), str) else None,
    )
    _finish_later(req, doc, "CREATING", "READY")
    req.state.schedule("disk", scope, doc)
    return begin_operation(
        req, scope, "insert", f"projects/{project}/{scope}/disks/{name}", doc["id"]
    )


def _get(req: Req) -> Reply:
    _, doc = _load(req)
    return Reply(render(doc, req.base))


def _list(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    docs = req.state.store.all("disk", f"zones/{zone}")
    return listing(req, "compute#diskList", f"projects/{project}/zones/{zone}/disks", docs)


def _aggregated(req: Req) -> Reply:
    project = req.own_project()
    scopes = [f"zones/{zone}" for zone in sorted(ZONES)]
    docs = ((f"zones/{doc['zone'].rsplit('/', 1)[-1]}", doc) for doc in req.state.store.all("disk"))
    path = f"projects/{project}/aggregated/disks"
    return aggregated(req, "compute#diskAggregatedList", path, "disks", scopes, docs)


def _in_use(req: Req, zone: str, doc: Doc) -> ApiError:
    user = str(doc["users"][0])
    user = user[len(LINK) :] if user.startswith(LINK) else user
    return ApiError(
        400,
        "resourceInUseByAnotherResource",
        f"The disk resource '{_path(req, zone, doc['name'])}' is already being used by '{user}'",
    )


def _delete(req: Req) -> Reply:
    zone, doc = _load(req)
    if doc.get("users"):
        raise _in_use(req, zone, doc)
    scope = f"zones/{zone}"
    if req.config.operation_latency > 0:
        _finish_later(req, doc, "DELETING", GONE)
        req.state.schedule("disk", scope, doc)
    else:
        req.state.store.delete("disk", scope, doc["name"])
    return begin_operation(req, scope, "delete", _path(req, zone, doc["name"]), doc["id"])


def _resize(req: Req) -> Reply:
    zone, doc = _load(req)
    body = req.json()
    size = size_of(body.get("sizeGb"), 1, "sizeGb")
    if size <= int(doc["sizeGb"]):
        raise invalid(
            f"Invalid value for field 'sizeGb': '{size}'. New disk size '{size}' GB must be "
            f"larger than existing size '{doc['sizeGb']}' GB."
        )
    doc["sizeGb"] = str(size)
    req.state.schedule("disk", f"zones/{zone}", doc)
    return begin_operation(
        req, f"zones/{zone}", "resizeDisk", _path(req, zone, doc["name"]), doc["id"]
    )


def _set_labels(req: Req) -> Reply:
    zone, doc = _load(req)
    return set_labels(req, "disk", f"zones/{zone}", doc, _path(req, zone, doc["name"]))


def _new_snapshot(req: Req, body: dict[str, object], disk: Doc) -> Doc:
    name = check_name(body.get("name"))
    path = f"projects/{req.state.project}/global/snapshots/{name}"
    if req.state.store.get("snapshot", "global", name) is not None:
        raise already_exists(path)
    labels = check_labels(body.get("labels"), "resource.labels")
    doc: Doc = {
        "kind": "compute#snapshot",
        "id": req.state.new_id(),
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "status": "READY",
        "sourceDisk": disk["selfLink"],
        "sourceDiskId": disk["id"],
        "diskSizeGb": disk["sizeGb"],
        "storageBytes": str(int(disk["sizeGb"]) * 50_000_000),
        "storageBytesStatus": "UP_TO_DATE",
        "selfLink": LINK + path,
        "labels": labels,
        "labelFingerprint": fingerprint(labels),
        "storageLocations": ["us"],
        "snapshotType": "STANDARD",
        "architecture": "X86_64",
    }
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    for key in ("licenses", "sourceImage", "sourceImageId"):
        if key in disk:
            doc[key] = disk[key]
    _finish_later(req, doc, "CREATING", "READY")
    req.state.schedule("snapshot", "global", doc)
    return doc


def _create_snapshot(req: Req) -> Reply:
    zone, disk = _load(req)
    _new_snapshot(req, req.json(), disk)
    return begin_operation(
        req, f"zones/{zone}", "createSnapshot", _path(req, zone, disk["name"]), disk["id"]
    )


def _insert_snapshot(req: Req) -> Reply:
    project = req.own_project()
    body = req.json()
    source = body.get("sourceDisk")
    parts = ref_path(source, project, "resource.sourceDisk")
    if len(parts) != 6 or parts[2] != "zones" or parts[4] != "disks":
        raise invalid(f"Invalid value for field 'resource.sourceDisk': '{source}'.")
    disk = req.state.store.get("disk", f"zones/{parts[3]}", parts[5])
    if disk is None:
        raise not_found("/".join(parts))
    doc = _new_snapshot(req, body, disk)
    path = f"projects/{project}/global/snapshots/{doc['name']}"
    return begin_operation(req, "global", "insert", path, doc["id"])


def _load_snapshot(req: Req) -> Doc:
    return load_global(req, "snapshot", "snapshots")


def _delete_snapshot(req: Req) -> Reply:
    doc = _load_snapshot(req)
    req.state.store.delete("snapshot", "global", doc["name"])
    path = f"projects/{req.state.project}/global/snapshots/{doc['name']}"
    return begin_operation(req, "global", "delete", path, doc["id"])


def _set_snapshot_labels(req: Req) -> Reply:
    doc = _load_snapshot(req)
    path = f"projects/{req.state.project}/global/snapshots/{doc['name']}"
    return set_labels(req, "snapshot", "global", doc, path)


def _disk_type_doc(req: Req, zone: str, name: str) -> Doc:
    return {
        "kind": "compute#diskType",
        "id": stable_id("diskType", name),
        "creationTimestamp": "1969-12-31T16:00:00.000-08:00",
        "name": name,
        "description": {
            "pd-standard": "Standard Persistent Disk",
            "pd-balanced": "Balanced Persistent Disk",
            "pd-ssd": "SSD Persistent Disk",
            "pd-extreme": "Extreme Persistent Disk",
        }.get(name, "Hyperdisk Balanced Persistent Disk"),
        "validDiskSize": "10GB-65536GB",
        "zone": f"{LINK}projects/{req.state.project}/zones/{zone}",
        "selfLink": f"{LINK}projects/{req.state.project}/zones/{zone}/diskTypes/{name}",
        "defaultDiskSizeGb": "100" if name == "pd-standard" else "10",
    }


def _list_disk_types(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    docs = [_disk_type_doc(req, zone, name) for name in sorted(DISK_TYPES)]
    return listing(req, "compute#diskTypeList", f"projects/{project}/zones/{zone}/diskTypes", docs)


def _get_disk_type(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    if req.args[2] not in DISK_TYPES:
        raise not_found(f"projects/{project}/zones/{zone}/diskTypes/{req.args[2]}")
    return Reply(render(_disk_type_doc(req, zone, req.args[2]), req.base))


ROUTES: list[Route] = [
    ("GET", "projects/*/zones/*/disks", _list),
    ("POST", "projects/*/zones/*/disks", _insert),
    ("GET", "projects/*/zones/*/disks/*", _get),
    ("DELETE", "projects/*/zones/*/disks/*", _delete),
    ("POST", "projects/*/zones/*/disks/*/resize", _resize),
    ("POST", "projects/*/zones/*/disks/*/setLabels", _set_labels),
    ("POST", "projects/*/zones/*/disks/*/createSnapshot", _create_snapshot),
    ("GET", "projects/*/aggregated/disks", _aggregated),
    ("GET", "projects/*/zones/*/diskTypes", _list_disk_types),
    ("GET", "projects/*/zones/*/diskTypes/*", _get_disk_type),
    ("GET", "projects/*/global/snapshots", global_lister("snapshot", "snapshots")),
    ("POST", "projects/*/global/snapshots", _insert_snapshot),
    ("GET", "projects/*/global/snapshots/*", global_getter("snapshot", "snapshots")),
    ("DELETE", "projects/*/global/snapshots/*", _delete_snapshot),
    ("POST", "projects/*/global/snapshots/*/setLabels", _set_snapshot_labels),
]
