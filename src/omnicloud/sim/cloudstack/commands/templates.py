"""Templates and ISOs: list by filter, register ISOs, templates from snapshots or volumes."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render_many, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._store import Doc
from ._common import async_success, check_limit, zone_names

_TEMPLATE_FILTERS = (
    "featured",
    "self",
    "selfexecutable",
    "sharedexecutable",
    "executable",
    "community",
    "all",
)


_FILTER_TEXT = "featured, self, selfexecutable, sharedexecutable, executable, community or all"


def _visible(call: Call, doc: Doc, how: str) -> bool:
    mine = doc.get("_owner") == call.caller.account_id
    ready = bool(doc.get("isready"))
    if how == "featured":
        return bool(doc.get("isfeatured"))
    if how == "self":
        return mine
    if how == "selfexecutable":
        return mine and ready
    if how == "sharedexecutable":
        return False
    if how == "community":
        return bool(doc.get("ispublic")) and not doc.get("isfeatured") and not mine
    if how == "all" and call.caller.is_admin:
        return True
    return ready and (mine or bool(doc.get("ispublic")) or bool(doc.get("isfeatured")))


def _per_zone(call: Call, kind: str, how: str, extra: dict[str, object]) -> Listing:
    if how not in _TEMPLATE_FILTERS:
        raise err.param_error(
            f"Invalid filter value {how}, it should be one of {', '.join(_TEMPLATE_FILTERS)}"
        )
    ids = [call.need_text("id")] if call.has("id") else (call.items("ids") or None)
    fields = {key: value for key, value in extra.items() if value is not None}
    if call.has("name"):
        fields["name"] = call.text("name")
    _, docs = call.state.store.find(kind, ids=ids, fields=fields, keyword=call.text("keyword"))
    names = zone_names(call.state)
    wanted_zone = call.text("zoneid")
    unique = call.flag("showunique")
    rows: list[Doc] = []
    for doc in docs:
        if not _visible(call, doc, how):
            continue
        zones = doc.get("_zones", [])
        if wanted_zone:
            zones = [zone_id for zone_id in zones if zone_id == wanted_zone]
        elif unique or doc.get("crossZones"):  # one row per id, not one per zone
            zones = zones[:1]
        for zone_id in zones:
            rows.append({**doc, "zoneid": zone_id, "zonename": names.get(zone_id, "")})
    listing = call.listing(rows)
    return Listing(listing.total, render_many(call.state, listing.items))


@command(
    "listTemplates",
    params=(
        Param(
            "templatefilter",
            "string",
            required=True,
            description=_FILTER_TEXT,
        ),
        Param("id", "uuid", exists="template,iso", description="the template ID"),
        Param(
            "ids",
            "list",
            exists="template,iso",
            since="4.9",
            description="the IDs of the templates",
        ),
        Param("name", "string", description="the template name"),
        Param("zoneid", "uuid", exists="zone", description="list templates by zoneId"),
        Param("showunique", "boolean", description="list each template once, across zones"),
        Param(
            "hypervisor", "string", description="the hypervisor for which to restrict the search"
        ),
        *LIST_OWNER_PARAMS,
    ),
    list_key="template",
)
def list_templates(call: Call) -> Listing:
    """List all public, private, and privileged templates."""
    return _per_zone(
        call, "template", call.need_text("templatefilter"), {"hypervisor": call.text("hypervisor")}
    )


@command(
    "listIsos",
    params=(
        Param(
            "isofilter",
            "string",
            description=_FILTER_TEXT,
        ),
        Param("id", "uuid", exists="template,iso", description="list ISO by ID"),
        Param("ids", "list", exists="template,iso", since="4.9", description="the IDs of the ISOs"),
        Param("name", "string", description="list all ISOs by name"),
        Param("zoneid", "uuid", exists="zone", description="the ID of the zone"),
        Param("showunique", "boolean", description="list each ISO once, across zones"),
        Param("bootable", "boolean", description="true if the ISO is bootable"),
        Param("ispublic", "boolean", description="true if the ISO is publicly available"),
        *LIST_OWNER_PARAMS,
    ),
    list_key="iso",
)
def list_isos(call: Call) -> Listing:
    """Lists all available ISO files."""
    extra: dict[str, object] = {
        "bootable": call.args.get("bootable"),
        "ispublic": call.args.get("ispublic"),
    }
    return _per_zone(call, "iso", call.text("isofilter") or "executable", extra)


@command(
    "registerIso",
    params=(
        Param("name", "string", required=True, description="the name of the ISO"),
        Param("displaytext", "string", description="the display text of the ISO"),
        Param(
            "url",
            "string",
            required=True,
            description="the URL to where the ISO is located",
            length=2048,
        ),
        Param(
            "zoneid",
            "uuid",
            required=True,
            entity="zone",
            description="the zone to register in; -1 for all",
        ),
        Param("ostypeid", "uuid", entity="ostype", description="the ID of the OS type"),
        Param("bootable", "boolean", description="true if this ISO is bootable (default true)"),
        Param("ispublic", "boolean", description="true if the ISO is public"),
        Param("isfeatured", "boolean", description="true if the ISO is featured"),
        Param("isextractable", "boolean", description="true if the ISO is extractable"),
        Param("account", "string", description="an optional account name"),
        Param("domainid", "uuid", description="an optional domain ID"),
    ),
    list_key="iso",
    paged=False,
)
def register_iso(call: Call) -> Listing:
    """Registers an existing ISO into the CloudStack Cloud."""
    bootable = call.flag("bootable", True)
    ostype = call.ref("ostypeid")
    if bootable and ostype is None:
        raise err.param_error("Please provide a valid os type id for a bootable ISO")
    account = call.target_account()
    check_limit(call, account, 4)
    zone = call.need_ref("zoneid")
    doc: Doc = {
        "id": new_id(),
        "name": call.need_text("name"),
        "displaytext": call.text("displaytext") or call.need_text("name"),
        "ispublic": call.flag("ispublic"),
        "isfeatured": call.flag("isfeatured"),
        "isextractable": call.flag("isextractable"),
        "crossZones": False,
        "created": timestamp(call.now),
        "isready": True,
        "bootable": bootable,
        "passwordenabled": False,
        "format": "ISO",
        "ostypeid": ostype["id"] if ostype else None,
        "ostypename": ostype["description"] if ostype else "None",
        "status": "Successfully Installed",
        "size": 0,
        "url": call.need_text("url"),
        "templatetype": "USER",
        "directdownload": False,
        **owner_fields(account),
        "_zones": [zone["id"]],
    }
    call.state.store.put("iso", doc)
    view = {**doc, "zoneid": zone["id"], "zonename": zone["name"]}
    return Listing(1, render_many(call.state, [view]))


def _template_from(call: Call, source: Doc, size: int, account: Doc) -> Doc:
    ostype = call.need_ref("ostypeid")
    return {
        "id": new_id(),
        "name": call.need_text("name"),
        "displaytext": call.text("displaytext") or call.need_text("name"),
        "ispublic": call.flag("ispublic"),
        "isfeatured": call.flag("isfeatured"),
        "isextractable": False,
        "crossZones": False,
        "created": timestamp(call.now),
        "isready": False,
        "passwordenabled": call.flag("passwordenabled"),
        "format": "QCOW2",
        "ostypeid": ostype["id"],
        "ostypename": ostype["description"],
        "status": "Creating",
        "size": size,
        "templatetype": "USER",
        "hypervisor": "KVM",
        "sshkeyenabled": False,
        "isdynamicallyscalable": False,
        "directdownload": False,
        "requireshvm": True,
        "bootable": True,
        "sourcetemplateid": source.get("templateid"),
        **owner_fields(account),
        "_zones": [source["zoneid"]],
    }


create_template = command(
    "createTemplate",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="the name of the template"),
        Param("displaytext", "string", description="the display text of the template"),
        Param(
            "ostypeid", "uuid", required=True, entity="ostype", description="the ID of the OS Type"
        ),
        Param("snapshotid", "uuid", entity="snapshot", description="the ID of the snapshot"),
        Param("volumeid", "uuid", entity="volume", description="the ID of the disk volume"),
        Param("ispublic", "boolean", description="true if this template is public"),
        Param("isfeatured", "boolean", description="true if this template is featured"),
        Param("passwordenabled", "boolean", description="true if the template supports passwords"),
    ),
)


@create_template
def _create_template(call: Call) -> Pending:
    """Creates a template of a virtual machine from a snapshot or a volume."""
    snapshot, volume = call.ref("snapshotid"), call.ref("volumeid")
    if (snapshot is None) == (volume is None):
        raise err.param_error("Specify either the snapshot ID or the volume ID (but not both)")
    account = call.target_account()
    check_limit(call, account, 4)
    if snapshot is not None:
        base = call.state.store.get("volume", snapshot["volumeid"]) or {}
        source = {"zoneid": snapshot["zoneid"], "templateid": base.get("templateid")}
        size = int(snapshot.get("virtualsize") or 0)
    else:
        assert volume is not None
        source, size = volume, int(volume["size"])
    doc = _template_from(call, source, size, account)
    call.state.store.put("template", doc)
    return Pending("Template", doc["id"], returns_id=True, payload={"id": doc["id"]})


@create_template.finisher
def _template_created(call: Call, payload: Doc) -> Doc:
    doc = call.state.store.get("template", payload["id"])
    if doc is None:
        raise err.param_error("The template was removed before it was ready")
    doc.update(isready=True, status="Download Complete")
    call.state.store.save(doc)
    view = {
        **doc,
        "zoneid": doc["_zones"][0],
        "zonename": zone_names(call.state).get(doc["_zones"][0], ""),
    }
    return {"template": render_many(call.state, [view])[0]}


@create_template.failure
def _template_failed(call: Call, payload: Doc) -> None:
    call.state.store.delete(payload["id"])


delete_template = command(
    "deleteTemplate",
    is_async=True,
    params=(
        Param("id", "uuid", required=True, entity="template", description="the ID of the template"),
        Param("zoneid", "uuid", description="the ID of zone of the template"),
        Param("forced", "boolean", description="force delete even if VMs use it"),
    ),
)


@delete_template
def _delete_template(call: Call) -> Pending:
    """Deletes a template from the system."""
    doc = call.need_ref("id")
    if doc.get("templatetype") == "BUILTIN" and not call.caller.is_admin:
        raise err.denied("Only root admins may delete builtin templates")
    return Pending("Template", doc["id"], payload={"id": doc["id"]})


@delete_template.finisher
def _template_deleted(call: Call, payload: Doc) -> Doc:
    call.state.store.delete(payload["id"])
    return async_success()


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    list_templates,
    list_isos,
    register_iso,
    create_template,
    delete_template,
)
