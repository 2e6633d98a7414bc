"""Instances: insert, get, list, aggregated list, delete and the lifecycle
(PROVISIONING → STAGING → RUNNING; stop: STOPPING → TERMINATED; start; reset)."""

from __future__ import annotations

from typing import Any

from ._catalog import MACHINE_TYPES, ZONES, region_of
from ._diskmodel import attached_doc, check_free, disk_type, find_disk, new_disk, size_of
from ._errors import ApiError, already_exists, invalid, not_found
from ._images import resolve_image
from ._labels import check_labels, metadata_doc, tags_doc
from ._listing import aggregated, listing
from ._nics import build_nics
from ._ops import begin_operation
from ._places import zone_of
from ._request import Reply, Req, Route, check_name, ref_path, render
from ._state import GONE, LINK, fingerprint, rfc3339
from ._store import Doc

__all__ = ["ROUTES", "load_instance", "quota_error"]

_SCOPES_DEFAULT = ["https://www.googleapis.com/auth/cloud-platform"]


def quota_error(req: Req, region: str, cpus: float) -> ApiError | None:
    """The CPUS quota error when ``cpus`` more would exceed the region's quota."""
    limit = req.config.cpu_quota
    if req.state.store.cpus_in_use(region) + cpus <= limit + 1e-9:
        return None
    return ApiError(
        403,
        "QUOTA_EXCEEDED",
        f"Quota 'CPUS' exceeded.  Limit: {float(limit)} in region {region}.",
    )


def load_instance(req: Req) -> tuple[str, Doc]:
    """(zone, stored instance) of the path ``projects/p/zones/z/instances/name``, else 404."""
    req.own_project()
    zone = zone_of(req, req.args[1])
    doc = req.state.store.get("instance", f"zones/{zone}", req.args[2])
    if doc is None:
        raise not_found(f"projects/{req.args[0]}/zones/{zone}/instances/{req.args[2]}")
    return zone, doc


def _machine(req: Req, zone: str, value: Any) -> str:
    field = "resource.machineType"
    if value is None:
        raise ApiError(400, "required", f"Required field '{field}' not specified")
    parts = ref_path(value, req.state.project, field)
    if len(parts) != 6 or parts[2] != "zones" or parts[4] != "machineTypes":
        raise invalid(f"Invalid value for field '{field}': '{value}'.")
    if parts[3] != zone:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. Machine type must be in the same "
            f"zone as the instance ('{zone}')."
        )
    if parts[5] not in MACHINE_TYPES:
        raise invalid(
            f"Invalid value for field '{field}': '{value}'. Machine type with name "
            f"'{parts[5]}' does not exist in zone '{zone}'."
        )
    return parts[5]


def _disks(req: Req, zone: str, name: str, value: Any) -> list[tuple[Doc, dict[str, Any], bool]]:
    """(disk, attachment, created here) for each entry of the body's ``disks``."""
    if not isinstance(value, list) or not value:
        raise invalid("Invalid value for field 'resource.disks': ''. No disks are specified.")
    out: list[tuple[Doc, dict[str, Any], bool]] = []
    names: set[str] = set()
    store = req.state.store
    for index, raw in enumerate(value):
        field = f"resource.disks[{index}]"
        if not isinstance(raw, dict):
            raise invalid(f"Invalid value for field '{field}'.")
        boot = bool(raw.get("boot", index == 0))
        mode = raw.get("mode") or "READ_WRITE"
        if mode not in ("READ_WRITE", "READ_ONLY"):
            raise invalid(f"Invalid value for field '{field}.mode': '{mode}'.")
        params = raw.get("initializeParams")
        created = params is not None
        if raw.get("source") is not None:
            disk = find_disk(req, raw["source"], zone, f"{field}.source")
            check_free(disk, mode)
        elif isinstance(params, dict):
            where = f"{field}.initializeParams"
            disk_name = params.get("diskName") or (name if index == 0 else f"{name}-{index}")
            check_name(disk_name, f"{where}.diskName")
            if disk_name in names or store.get("disk", f"zones/{zone}", disk_name) is not None:
                raise already_exists(f"projects/{req.state.project}/zones/{zone}/disks/{disk_name}")
            image = None
            minimum = 0
            if params.get("sourceImage") is not None:
                image = resolve_image(req, params["sourceImage"], f"{where}.sourceImage")
                minimum = int(image["diskSizeGb"])
            elif boot:
                raise invalid(
                    f"Invalid value for field '{where}.sourceImage': ''. A source image or "
                    "snapshot is required for a boot disk."
                )
            size = size_of(params.get("diskSizeGb"), minimum, f"{where}.diskSizeGb")
            kind_link = disk_type(req, zone, params.get("diskType"), f"{where}.diskType")
            disk = new_disk(
                req,
                zone,
                disk_name,
                size,
                kind_link,
                image=image,
                labels=check_labels(params.get("labels"), f"{where}.labels"),
                description=params.get("description"),
            )
        else:
            raise invalid(
                f"Invalid value for field '{field}': ''. Either source or initializeParams "
                "is required."
            )
        names.add(disk["name"])
        device = raw.get("deviceName") or f"persistent-disk-{index}"
        auto_delete = bool(raw.get("autoDelete", False))
        attachment = attached_doc(disk, index, boot, auto_delete, device, mode)
        out.append((disk, attachment, created))
    if sum(1 for _, attachment, _ in out if attachment["boot"]) > 1:
        raise invalid("Invalid value for field 'resource.disks': ''. Multiple boot disks.")
    return out


def _scheduling(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("Invalid value for field 'resource.scheduling'.")
    return dict(value)


def _service_accounts(req: Req, value: Any) -> list[dict[str, Any]]:
    if value is not None and not isinstance(value, list):
        raise invalid("Invalid value for field 'resource.serviceAccounts'.")
    out = []
    for index, raw in enumerate(value or []):
        if not isinstance(raw, dict):
            raise invalid(f"Invalid value for field 'resource.serviceAccounts[{index}]'.")
        email = raw.get("email") or "default"
        if email == "default":
            email = f"{10**11}-compute@developer.gserviceaccount.com"
        out.append({"email": email, "scopes": list(raw.get("scopes") or _SCOPES_DEFAULT)})
    return out


def _insert(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    region = region_of(zone)
    body = req.json()
    name = check_name(body.get("name"))
    scope = f"zones/{zone}"
    path = f"projects/{project}/{scope}/instances/{name}"
    store = req.state.store
    if store.get("instance", scope, name) is not None:
        raise already_exists(path)
    machine = MACHINE_TYPES[_machine(req, zone, body.get("machineType"))]
    disks = _disks(req, zone, name, body.get("disks"))
    nics, reserved = build_nics(req, region, body.get("networkInterfaces"))
    labels = check_labels(body.get("labels"), "resource.labels")
    metadata = metadata_doc(body.get("metadata"))
    tags = tags_doc(body.get("tags"))
    accounts = _service_accounts(req, body.get("serviceAccounts"))
    problem = quota_error(req, region, machine.quota_cpus)
    instance_id = req.state.new_id()
    if problem is not None:
        return begin_operation(req, scope, "insert", path, instance_id, error=problem)
    link = LINK + path
    for disk, attachment, _ in disks:
        disk["users"] = [*disk.get("users", []), link]
        disk["lastAttachTimestamp"] = rfc3339(req.now)
        if attachment["mode"] == "READ_WRITE":
            disk["_mode"] = "READ_WRITE"
        store.put("disk", scope, disk)
    for address in reserved:
        address["status"] = "IN_USE"
        address["users"] = [link]
        store.put("address", f"regions/{region}", address)
    doc: Doc = {
        "kind": "compute#instance",
        "id": instance_id,
        "creationTimestamp": rfc3339(req.now),
        "name": name,
        "tags": tags,
        "machineType": f"{LINK}projects/{project}/{scope}/machineTypes/{machine.name}",
        "status": "PROVISIONING",
        "zone": f"{LINK}projects/{project}/{scope}",
        "canIpForward": bool(body.get("canIpForward", False)),
        "networkInterfaces": nics,
        "disks": [attachment for _, attachment, _ in disks],
        "metadata": metadata,
        "serviceAccounts": accounts,
        "selfLink": link,
        "scheduling": {
            "onHostMaintenance": "MIGRATE",
            "automaticRestart": True,
            "preemptible": False,
            "provisioningModel": "STANDARD",
            **_scheduling(body.get("scheduling")),
        },
        "cpuPlatform": "Intel Broadwell",
        "labels": labels,
        "labelFingerprint": fingerprint(labels),
        "startRestricted": False,
        "deletionProtection": bool(body.get("deletionProtection", False)),
        "fingerprint": req.state.new_id()[:11],
        "lastStartTimestamp": rfc3339(req.now),
        "_zone": zone,
        "_region": region,
        "_cpus": machine.quota_cpus,
    }
    if not accounts:
        doc.pop("serviceAccounts")
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    _start_steps(req, doc, "PROVISIONING")
    req.state.schedule("instance", scope, doc)
    return begin_operation(req, scope, "insert", path, instance_id)


def _start_steps(req: Req, doc: Doc, first: str) -> None:
    latency = req.config.operation_latency
    started = {"lastStartTimestamp": rfc3339(req.now + latency)}
    if latency <= 0:
        doc["status"] = "RUNNING"
        doc.update(started)
        doc["_steps"] = []
        return
    doc["status"] = first
    doc["_steps"] = [
        [req.now + latency / 2, "STAGING", {}],
        [req.now + latency, "RUNNING", started],
    ]


def _get(req: Req) -> Reply:
    _, doc = load_instance(req)
    return Reply(render(doc, req.base))


def _list(req: Req) -> Reply:
    project = req.own_project()
    zone = zone_of(req, req.args[1])
    docs = req.state.store.all("instance", f"zones/{zone}")
    return listing(req, "compute#instanceList", f"projects/{project}/zones/{zone}/instances", docs)


def _aggregated(req: Req) -> Reply:
    project = req.own_project()
    scopes = [f"zones/{zone}" for zone in sorted(ZONES)]
    docs = ((f"zones/{doc['_zone']}", doc) for doc in req.state.store.all("instance"))
    path = f"projects/{project}/aggregated/instances"
    return aggregated(req, "compute#instanceAggregatedList", path, "instances", scopes, docs)


def _action(req: Req, doc: Doc, zone: str, kind: str, error: ApiError | None = None) -> Reply:
    path = f"projects/{req.args[0]}/zones/{zone}/instances/{doc['name']}"
    return begin_operation(req, f"zones/{zone}", kind, path, doc["id"], error=error)


def _stop(req: Req) -> Reply:
    zone, doc = load_instance(req)
    if doc["status"] not in ("TERMINATED", "STOPPING") and not _deleting(doc):
        latency = req.config.operation_latency
        stopped = {"lastStopTimestamp": rfc3339(req.now + max(latency, 0))}
        if latency <= 0:
            doc["status"] = "TERMINATED"
            doc.update(stopped)
            doc["_steps"] = []
        else:
            doc["status"] = "STOPPING"
            doc["_steps"] = [[req.now + latency, "TERMINATED", stopped]]
        req.state.schedule("instance", f"zones/{zone}", doc)
    return _action(req, doc, zone, "stop")


def _deleting(doc: Doc) -> bool:
    return any(step[1] == GONE for step in doc.get("_steps") or [])


def _start(req: Req) -> Reply:
    zone, doc = load_instance(req)
    if _deleting(doc) or doc["status"] == "STOPPING":
        raise _not_ready(req, zone, doc)
    if doc["status"] == "TERMINATED":
        problem = quota_error(req, doc["_region"], float(doc["_cpus"]))
        if problem is not None:
            return _action(req, doc, zone, "start", problem)
        _start_steps(req, doc, "STAGING")
        req.state.schedule("instance", f"zones/{zone}", doc)
    return _action(req, doc, zone, "start")


def _path(req: Req, zone: str, doc: Doc) -> str:
    return f"projects/{req.args[0]}/zones/{zone}/instances/{doc['name']}"


def _not_ready(req: Req, zone: str, doc: Doc) -> ApiError:
    return ApiError(400, "resourceNotReady", f"The resource '{_path(req, zone, doc)}' is not ready")


def _reset(req: Req) -> Reply:
    zone, doc = load_instance(req)
    if doc["status"] != "RUNNING" or _deleting(doc):
        raise _not_ready(req, zone, doc)
    return _action(req, doc, zone, "reset")


def _delete(req: Req) -> Reply:
    zone, doc = load_instance(req)
    if doc.get("deletionProtection"):
        raise ApiError(
            400,
            "resourceInUseByAnotherResource",
            "Invalid resource usage: 'Resource cannot be deleted if it's protected against "
            "deletion.'.",
        )
    if not _deleting(doc):
        latency = req.config.operation_latency
        if latency <= 0:
            req.state.store.delete("instance", f"zones/{zone}", doc["name"])
            req.state.on_gone("instance", doc)
        else:
            if doc["status"] != "TERMINATED":
                doc["status"] = "STOPPING"
            doc["_steps"] = [[req.now + latency, GONE, {}]]
            req.state.schedule("instance", f"zones/{zone}", doc)
    return _action(req, doc, zone, "delete")


ROUTES: list[Route] = [
    ("GET", "projects/*/zones/*/instances", _list),
    ("POST", "projects/*/zones/*/instances", _insert),
    ("GET", "projects/*/zones/*/instances/*", _get),
    ("DELETE", "projects/*/zones/*/instances/*", _delete),
    ("POST", "projects/*/zones/*/instances/*/start", _start),
    ("POST", "projects/*/zones/*/instances/*/stop", _stop),
    ("POST", "projects/*/zones/*/instances/*/reset", _reset),
    ("GET", "projects/*/aggregated/instances", _aggregated),
]
