"""``/drives/`` and ``/libdrives/``: create, clone, resize, edit, delete, availability groups."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ._catalog import capabilities
from ._errors import denied, invalid, missing
from ._listing import filtered, list_kind, list_reply
from ._request import Reply, Req
from ._state import CloudSigmaState, public, ref
from ._store import Doc
from ._tags import set_object_tags

__all__ = ["ROUTES", "any_drive", "mount", "unmount"]

STORAGE_HOSTS = ("storage-1", "storage-2", "storage-3", "storage-4")
_FILTERS = ("name", "uuid", "tag", "status", "media", "storage_type")
_LIB_FILTERS = (
    "arch",
    "category",
    "distribution",
    "image_type",
    "name",
    "os",
    "uuid",
    "version",
    "media",
)
_LIB_META = ("os", "arch", "distribution", "version", "install_notes", "url", "description")
_BUSY = frozenset({"creating", "cloning_dst", "cloning_src", "resizing", "copying"})


def drive_runtime(storage_type: str) -> Doc:
    """A drive's ``runtime`` object as the API shows it (the simulator keeps no snapshots)."""
    return {
        "is_downloadable": True,
        "is_ephemeral": False,
        "is_snapshotable": True,
        "snapshots_allocated_size": 0,
        "storage_type": storage_type,
    }


def drive_view(doc: Doc) -> Doc:
    """The public fields of a drive, its runtime complete (older or bulk-made drives lack it)."""
    view = public(doc)
    view["runtime"] = {
        **drive_runtime(str(doc.get("storage_type") or "dssd")),
        **(doc.get("runtime") or {}),
    }
    return view


def _library_view(doc: Doc) -> Doc:
    """A library drive read through ``/drives/``: it has the runtime of a drive (without the
    download and ephemeral flags, as recorded responses show)."""
    return {
        **public(doc),
        "runtime": {
            "is_snapshotable": True,
            "snapshots_allocated_size": 0,
            "storage_type": doc.get("storage_type") or "dssd",
        },
    }


def any_drive(state: CloudSigmaState, uuid: str) -> tuple[str, Doc]:
    """(kind, doc) of an owned drive or a library drive; 404 otherwise."""
    doc = state.find("drives", uuid)
    if doc is not None:
        return "drives", doc
    lib = state.find("libdrives", uuid)
    if lib is not None:
        return "libdrives", lib
    raise missing("drives", uuid)


def mount(state: CloudSigmaState, drive_uuid: str, server_uuid: str) -> None:
    """Record that a drive is attached to a server (library CDs are shared, not mounted)."""
    doc = state.find("drives", drive_uuid)
    if doc is None:
        return
    refs = [r for r in doc.get("mounted_on", []) if r["uuid"] != server_uuid]
    doc["mounted_on"] = [*refs, ref("servers", server_uuid)]
    if doc["status"] == "unmounted":
        doc["status"] = "mounted"
    state.save("drives", doc)


def unmount(state: CloudSigmaState, drive_uuid: str, server_uuid: str) -> None:
    """Record that a drive was detached from a server."""
    doc = state.find("drives", drive_uuid)
    if doc is None:
        return
    doc["mounted_on"] = [r for r in doc.get("mounted_on", []) if r["uuid"] != server_uuid]
    if not doc["mounted_on"] and doc["status"] == "mounted":
        doc["status"] = "unmounted"
    state.save("drives", doc)


def storage_host(state: CloudSigmaState, avoid: list[str]) -> str:
    busy = {d.get("_host") for d in (state.find("drives", u) for u in avoid) if d}
    for uuid in avoid:
        server = state.find("servers", uuid)
        for item in (server or {}).get("drives", []):
            drive = state.find("drives", item["drive"]["uuid"])
            busy.add((drive or {}).get("_host"))
    load = Counter(d.get("_host") for d in state.store.all("drives"))
    free = [h for h in STORAGE_HOSTS if h not in busy] or list(STORAGE_HOSTS)
    return min(free, key=lambda h: load[h])


def _check_size(req: Req, size: Any, storage_type: str) -> int:
    if isinstance(size, bool) or not isinstance(size, int | float | str):
        raise invalid("This field is required.", "size")
    try:
        value = int(size)
    except ValueError:
        raise invalid("Enter a whole number.", "size") from None
    drives = capabilities(req.config.capabilities).get("drives", {})
    limits = drives.get(storage_type, {}).get("size")
    if storage_type not in drives:
        raise invalid(
            f"Select a valid choice. {storage_type} is not one of the available choices.",
            "storage_type",
        )
    if limits and not limits["min"] <= value <= limits["max"]:
        raise invalid(
            f"Drive size must be between {limits['min']} and {limits['max']} bytes", "size"
        )
    return value


def new_drive(req: Req, fields: dict[str, Any], host: str) -> Doc:
    """A validated new drive document from request ``fields``."""
    state = req.state
    name = fields.get("name")
    if not name or not isinstance(name, str):
        raise invalid("This field is required.", "name")
    media = fields.get("media", "disk")
    if media not in ("disk", "cdrom"):
        raise invalid(
            f"Select a valid choice. {media} is not one of the available choices.", "media"
        )
    storage_type = str(fields.get("storage_type") or "dssd")
    doc = state.base("drives")
    doc.update(
        name=name,
        size=_check_size(req, fields.get("size"), storage_type),
        media=media,
        status="creating",
        storage_type=storage_type,
        affinities=list(fields.get("affinities") or []),
        allow_multimount=bool(fields.get("allow_multimount", False)),
        licenses=[],
        mounted_on=[],
        jobs=[],
        snapshots=[],
        runtime=drive_runtime(storage_type),
        meta=dict(fields.get("meta") or {}),
        _host=host,
    )
    return doc


def _create(req: Req) -> Reply:
    host = storage_host(req.state, req.uuids("avoid"))
    created = []
    for fields in req.objects():
        doc = new_drive(req, fields, host)
        req.state.transition(doc, "creating", "unmounted", req.config.drive_latency)
        req.state.save("drives", doc)
        set_object_tags(req.state, "drives", doc, fields.get("tags"))
        created.append(drive_view(doc))
    return Reply(201, {"objects": created})


def _list(req: Req, detail: bool) -> Reply:
    if detail:
        return list_kind(req, "drives", _FILTERS, drive_view)
    slim = ("uuid", "owner", "resource_uri", "status")
    return list_kind(req, "drives", _FILTERS, lambda d: {k: d.get(k) for k in slim})


def _get(req: Req) -> Reply:
    kind, doc = any_drive(req.state, req.args[0])
    return Reply(200, drive_view(doc) if kind == "drives" else _library_view(doc))


def _update(req: Req) -> Reply:
    state = req.state
    doc = state.load("drives", req.args[0])
    fields = req.fields()
    for key in ("name", "meta", "allow_multimount"):
        if key in fields:
            doc[key] = fields[key]
    if "tags" in fields:
        set_object_tags(state, "drives", doc, fields["tags"])
    size = fields.get("size")
    if size is not None and int(size) != doc["size"] and doc["status"] == "unmounted":
        doc["size"] = _check_size(req, size, doc["storage_type"])
        state.transition(doc, "resizing", "unmounted", req.config.drive_latency)
    state.save("drives", doc)
    return Reply(200, drive_view(doc))


def _delete(req: Req) -> Reply:
    state = req.state
    doc = state.load("drives", req.args[0])
    if doc["status"] in _BUSY:
        raise denied(f'Cannot delete drive in state "{doc["status"]}"')
    if doc.get("mounted_on"):
        raise denied("Cannot delete a drive which is mounted on a server; detach it first")
    set_object_tags(state, "drives", doc, [])
    state.store.delete("drives", doc["uuid"])
    return Reply(204)


def clone_drive(req: Req, kind: str, source: Doc, fields: dict[str, Any], host: str) -> Doc:
    """Start cloning ``source``; the new drive (``cloning_dst``) is returned."""
    state = req.state
    if source["status"] in _BUSY:
        raise denied(f'Cannot clone drive in state "{source["status"]}"')
    storage_type = str(fields.get("storage_type") or source.get("storage_type") or "dssd")
    size = int(fields.get("size") or source["size"])
    if size < source["size"]:
        raise invalid("The clone must not be smaller than its source", "size")
    doc = new_drive(
        req,
        {
            "name": fields.get("name") or f"{source['name']} - clone",
            "media": fields.get("media") or source["media"],
            "size": size,
            "storage_type": storage_type,
            "affinities": fields.get("affinities") or source.get("affinities"),
            "meta": dict(source.get("meta") or {}),
        },
        host,
    )
    if kind == "libdrives":
        doc["meta"].update({k: str(source.get(k) or "") for k in _LIB_META})
        doc["meta"]["image_type"] = source.get("image_type", "")
        doc["licenses"] = list(source.get("licenses") or [])
    state.transition(doc, "cloning_dst", "unmounted", req.config.clone_latency)
    state.save("drives", doc)
    if kind == "drives":
        previous = source["status"]
        state.transition(source, "cloning_src", previous, req.config.clone_latency)
        state.save("drives", source)
    return doc


def _action(req: Req, kind: str) -> Reply:
    state = req.state
    do = req.query.get("do", "")
    if kind == "libdrives":
        source_kind, source = "libdrives", state.load("libdrives", req.args[0])
    else:
        source_kind, source = any_drive(state, req.args[0])
    if do == "clone":
        host = storage_host(state, req.uuids("avoid"))
        doc = clone_drive(req, source_kind, source, req.fields(), host)
        return Reply(202, {"objects": [drive_view(doc)]})
    if do == "resize" and source_kind == "drives":
        fields = req.fields()
        if source["status"] != "unmounted":
            raise denied(
                f'Cannot resize drive in state "{source["status"]}". '
                'Drive should be in state "unmounted"'
            )
        size = _check_size(req, fields.get("size"), source["storage_type"])
        if size < source["size"]:
            raise invalid("Shrinking drives is not supported", "size")
        source["size"] = size
        state.transition(source, "resizing", "unmounted", req.config.drive_latency)
        state.save("drives", source)
        return Reply(202, {"objects": [drive_view(source)]})
    raise invalid(f"Unknown action {do!r}", "do")


def _libdrives(req: Req) -> Reply:
    return list_reply(req, filtered(req.state.all("libdrives"), req, _LIB_FILTERS))


def _libdrive(req: Req) -> Reply:
    return Reply(200, public(req.state.load("libdrives", req.args[0])))


def _groups(req: Req) -> Reply:
    by_host: dict[str, list[str]] = {}
    for doc in req.state.all("drives"):
        by_host.setdefault(str(doc.get("_host")), []).append(doc["uuid"])
    if req.args:
        doc = req.state.load("drives", req.args[0])
        return Reply(200, by_host.get(str(doc.get("_host")), []))
    return Reply(200, [group for group in by_host.values() if len(group) > 1])


ROUTES = [
    ("GET", "drives", lambda r: _list(r, False)),
    ("GET", "drives/detail", lambda r: _list(r, True)),
    ("POST", "drives", _create),
    ("GET", "drives/availability_groups", _groups),
    ("GET", "drives/availability_groups/*", _groups),
    ("GET", "drives/*", _get),
    ("PUT", "drives/*", _update),
    ("DELETE", "drives/*", _delete),
    ("POST", "drives/*/action", lambda r: _action(r, "drives")),
    ("GET", "libdrives", _libdrives),
    ("GET", "libdrives/detail", _libdrives),
    ("GET", "libdrives/*", _libdrive),
    ("POST", "libdrives/*/action", lambda r: _action(r, "libdrives")),
]
