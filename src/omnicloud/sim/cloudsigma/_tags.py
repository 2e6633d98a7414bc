"""``/tags/``: tags and their resources, kept in step with each resource's ``tags`` list."""

from __future__ import annotations

from typing import Any

from ._errors import invalid, missing
from ._listing import filtered, list_reply
from ._request import Reply, Req
from ._state import CloudSigmaState, public, ref
from ._store import Doc

__all__ = ["ROUTES", "set_object_tags"]

TAGGABLE = ("servers", "drives", "ips", "vlans")


def _uuid(item: Any) -> str:
    return str(item.get("uuid") if isinstance(item, dict) else item)


def _locate(state: CloudSigmaState, uuid: str) -> tuple[str, Doc]:
    for kind in TAGGABLE:
        doc = state.find(kind, uuid)
        if doc is not None:
            return kind, doc
    raise invalid(f"Resource {uuid} does not exist", "resources")


def set_object_tags(state: CloudSigmaState, kind: str, doc: Doc, tags: Any) -> None:
    """Give ``doc`` exactly the tags ``tags`` (UUIDs or refs), updating each tag's resources."""
    if tags is None:
        return
    wanted = [_uuid(t) for t in tags]
    for tag_uuid in wanted:
        if state.find("tags", tag_uuid) is None:
            raise invalid(f"Tag {tag_uuid} does not exist", "tags")
    current = [_uuid(t) for t in doc.get("tags", [])]
    for tag_uuid in set(current) | set(wanted):
        tag = state.find("tags", tag_uuid)
        if tag is None:
            continue
        others = [r for r in tag["resources"] if r["uuid"] != doc["uuid"]]
        if tag_uuid in wanted:
            others.append(_resource_ref(kind, doc["uuid"]))
        tag["resources"] = others
        state.save("tags", tag)
    doc["tags"] = [ref("tags", u) for u in wanted]
    state.save(kind, doc)


def _resource_ref(kind: str, uuid: str) -> Doc:
    return {**ref(kind, uuid), "res_type": kind, "owner": None}


def _set_resources(state: CloudSigmaState, tag: Doc, resources: list[Any]) -> None:
    wanted = [_uuid(r) for r in resources]
    located = {u: _locate(state, u) for u in wanted}
    for old in tag.get("resources", []):
        if old["uuid"] not in located:
            found = state.find(old["res_type"], old["uuid"])
            if found is not None:
                found["tags"] = [t for t in found.get("tags", []) if t["uuid"] != tag["uuid"]]
                state.save(old["res_type"], found)
    tag["resources"] = [_resource_ref(kind, u) for u, (kind, _) in located.items()]
    for kind, doc in located.values():
        if all(t["uuid"] != tag["uuid"] for t in doc.get("tags", [])):
            doc["tags"] = [*doc.get("tags", []), ref("tags", tag["uuid"])]
            state.save(kind, doc)


def _create(req: Req) -> Reply:
    created = []
    for fields in req.objects():
        if not fields.get("name"):
            raise invalid("This field is required.", "name")
        tag = req.state.base("tags")
        tag.update(name=fields["name"], meta=dict(fields.get("meta") or {}), resources=[])
        del tag["tags"]
        req.state.save("tags", tag)
        _set_resources(req.state, tag, list(fields.get("resources") or []))
        req.state.save("tags", tag)
        created.append(public(tag))
    return Reply(201, {"objects": created})


def _update(req: Req) -> Reply:
    tag = req.state.load("tags", req.args[0])
    fields = req.fields()
    for key in ("name", "meta"):
        if key in fields:
            tag[key] = fields[key]
    if "resources" in fields:
        _set_resources(req.state, tag, list(fields["resources"] or []))
    req.state.save("tags", tag)
    return Reply(200, public(tag))


def _delete(req: Req) -> Reply:
    tag = req.state.load("tags", req.args[0])
    _set_resources(req.state, tag, [])
    req.state.store.delete("tags", tag["uuid"])
    return Reply(204)


def _tagged(req: Req) -> Reply:
    tag = req.state.load("tags", req.args[0])
    kind = req.args[1]
    if kind not in TAGGABLE:
        raise missing("tags", req.args[1])
    uuids = {r["uuid"] for r in tag["resources"] if r["res_type"] == kind}
    docs = [d for d in req.state.all(kind) if d["uuid"] in uuids]
    return list_reply(req, filtered(docs, req, ("name", "uuid", "status")))


ROUTES = [
    ("GET", "tags", lambda r: list_reply(r, filtered(r.state.all("tags"), r, ("name", "uuid")))),
    (
        "GET",
        "tags/detail",
        lambda r: list_reply(r, filtered(r.state.all("tags"), r, ("name", "uuid"))),
    ),
    ("POST", "tags", _create),
    ("GET", "tags/*", lambda r: Reply(200, public(r.state.load("tags", r.args[0])))),
    ("PUT", "tags/*", _update),
    ("DELETE", "tags/*", _delete),
    ("GET", "tags/*/*", _tagged),
    ("GET", "tags/*/*/detail", _tagged),
]
