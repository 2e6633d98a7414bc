"""Projects: createProject, listProjects, updateProject, deleteProject, activateProject,
suspendProject. Resources created with ``projectid`` carry ``projectid``/``project`` and are
listed with ``projectid`` (``-1`` for every project); the project's owner account owns them."""

from __future__ import annotations

from .. import _errors as err
from .._call import Call, Listing, Pending
from .._docs import new_id, owner_fields, render, timestamp
from .._registry import LIST_OWNER_PARAMS, Command, Declaration, Param, command
from .._seed import DEFAULT_LIMITS
from .._store import Doc
from ._common import async_success, check_limit
from ._netdocs import drop_resource, owned_list, pick_fields

# resource prefix in ProjectResponse -> (limit type, stored kind, counted expression)
_USAGE: dict[str, tuple[int, str, str | None]] = {
    "vm": (0, "vm", None),
    "ip": (1, "publicipaddress", None),
    "volume": (2, "volume", None),
    "snapshot": (3, "snapshot", None),
    "template": (4, "template", None),
    "network": (6, "network", None),
    "vpc": (7, "vpc", None),
    "cpu": (8, "vm", "cpunumber"),
    "memory": (9, "vm", "memory"),
}
_CLEANED = (
    "portforwardingrule",
    "ipforwardingrule",
    "firewallrule",
    "loadbalancerrule",
    "networkacl",
    "networkacllist",
    "vpnconnection",
    "vpngateway",
    "vpncustomergateway",
    "publicipaddress",
    "router",
    "network",
    "vpc",
    "affinitygroup",
    "sshkeypair",
    "securitygroup",
)


def project_view(call: Call, project: Doc) -> Doc:
    """A project with its owner and the limit/total/available fields per resource."""
    view = render(call.state, project)
    view["owner"] = [{"account": project["account"]}]
    for prefix, (number, kind, field) in _USAGE.items():
        _, docs = call.state.store.find(kind, fields={"projectid": project["id"]})
        if kind == "vm":
            docs = [d for d in docs if d["state"] not in ("Destroyed", "Expunging", "Error")]
        used = sum(int(d.get(field) or 0) for d in docs) if field else len(docs)
        limit = int(project["_limits"].get(str(number), -1))
        view[f"{prefix}limit"] = "Unlimited" if limit < 0 else str(limit)
        view[f"{prefix}total"] = used
        view[f"{prefix}available"] = "Unlimited" if limit < 0 else str(max(limit - used, 0))
    _, vms = call.state.store.find("vm", fields={"projectid": project["id"], "state": "Running"})
    view["vmrunning"] = len(vms)
    return view


create = command(
    "createProject",
    is_async=True,
    params=(
        Param("name", "string", required=True, description="name of the project"),
        Param("displaytext", "string", description="display text of the project"),
        Param("account", "string", description="account who will be Admin for the project"),
        Param("domainid", "uuid", description="domain ID of the account owning a project"),
        Param("userid", "uuid", description="user ID of the account to be assigned as owner"),
    ),
)


@create
def _create(call: Call) -> Pending:
    """Creates a project."""
    account = call.target_account()
    name = call.need_text("name")
    _, clash = call.state.store.find("project", name=name, limit=1)
    if clash:
        raise err.param_error(
            f"Project with name {name} already exists in domain id={account['domainid']}"
        )
    check_limit(call, account, 5)
    doc: Doc = {
        "id": new_id(),
        "name": name,
        "displaytext": call.text("displaytext") or name,
        "state": "Active",
        "created": timestamp(call.now),
        **owner_fields(account),
        "_limits": {str(k): v for k, v in DEFAULT_LIMITS.items() if k != 5},
    }
    call.state.store.put("project", doc)
    return Pending("Project", doc["id"], returns_id=True, payload={"id": doc["id"]})


def _project(call: Call, project_id: str) -> Doc:
    project = call.state.store.get("project", project_id)
    if project is None:
        raise err.param_error(f"Project {project_id} no longer exists")
    return project


@create.finisher
def _created(call: Call, payload: Doc) -> Doc:
    return {"project": project_view(call, _project(call, payload["id"]))}


@create.failure
def _create_failed(call: Call, payload: Doc) -> None:
    drop_resource(call.state, payload["id"])


@command(
    "listProjects",
    params=(
        Param("id", "uuid", description="list projects by project ID"),
        Param("name", "string", description="list projects by name"),
        Param("displaytext", "string", description="list projects by display text"),
        Param("state", "string", description="list projects by state"),
        Param("tags", "map", description="List projects by tags (key/value pairs)"),
        *(p for p in LIST_OWNER_PARAMS if p.name != "projectid"),
    ),
    list_key="project",
)
def list_projects(call: Call) -> Listing:
    """Lists projects and provides detailed information for listed projects."""
    fields = pick_fields(call, ("name", "displaytext", "state"))
    listing = owned_list(call, "project", fields=fields, scoped=False)
    raw = [call.state.store.get("project", item["id"]) for item in listing.items]
    listing.items = [project_view(call, doc) for doc in raw if doc is not None]
    return listing


_PROJECT_ID = Param("id", "uuid", required=True, entity="project", description="id of the project")


def _transition(name: str, doc: str, target: str) -> Declaration:
    cmd = command(name, is_async=True, params=(_PROJECT_ID,), description=doc)

    @cmd
    def _submit(call: Call) -> Pending:
        project = call.need_ref("id")
        if project["state"] == target:
            raise err.param_error(f"Project {project['name']} is already in state {target}")
        return Pending("Project", project["id"], payload={"id": project["id"]})

    @cmd.finisher
    def _done(call: Call, payload: Doc) -> Doc:
        project = _project(call, payload["id"])
        project["state"] = target
        call.state.store.save(project)
        return {"project": project_view(call, project)}

    return cmd


activate_project = _transition("activateProject", "Activates a project", "Active")
suspend_project = _transition("suspendProject", "Suspends a project", "Suspended")

update = command(
    "updateProject",
    is_async=True,
    params=(
        _PROJECT_ID,
        Param("displaytext", "string", description="display text of the project"),
        Param("name", "string", description="name of the project"),
        Param("account", "string", description="new Admin account for the project"),
    ),
)


@update
def _update(call: Call) -> Pending:
    """Updates a project."""
    project = call.need_ref("id")
    if call.has("account"):
        owner = call.state.account_by_name(call.text("account") or "")
        if owner is None:
            raise err.param_error(f"Unable to find account name={call.text('account')}")
    return Pending("Project", project["id"], payload={"id": project["id"]})


@update.finisher
def _updated(call: Call, payload: Doc) -> Doc:
    project = _project(call, payload["id"])
    for key in ("displaytext", "name"):
        if call.has(key):
            project[key] = call.text(key)
    if call.has("account"):
        owner = call.state.account_by_name(call.text("account") or "")
        assert owner is not None
        project.update(owner_fields(owner))
    call.state.store.save(project)
    return {"project": project_view(call, project)}


delete = command(
    "deleteProject",
    is_async=True,
    params=(
        _PROJECT_ID,
        Param("cleanup", "boolean", description="true to clean up all the project's resources"),
    ),
)


@delete
def _delete(call: Call) -> Pending:
    """Deletes a project."""
    project = call.need_ref("id")
    where = "json_extract(data, '$.projectid') = ?"
    busy = call.state.store.count(
        "vm", where=where, args=(project["id"],)
    ) + call.state.store.count("volume", where=where, args=(project["id"],))
    if busy:
        raise err.ApiError(
            err.RESOURCE_IN_USE,
            f"Can't delete project {project['name']}: it still has virtual machines or volumes",
        )
    if not call.flag("cleanup"):
        others = sum(
            call.state.store.count(kind, where=where, args=(project["id"],)) for kind in _CLEANED
        )
        if others:
            raise err.ApiError(
                err.RESOURCE_IN_USE,
                f"Can't delete project {project['name']} as it has {others} resources; "
                "delete them or pass cleanup=true",
            )
    return Pending("Project", project["id"], payload={"id": project["id"]})


@delete.finisher
def _deleted(call: Call, payload: Doc) -> Doc:
    for kind in _CLEANED:
        _, docs = call.state.store.find(kind, fields={"projectid": payload["id"]})
        for doc in docs:
            drop_resource(call.state, doc["id"])
    drop_resource(call.state, payload["id"])
    return async_success()


# what this module declares, in the order listApis and the table keep
DECLARED: tuple[Command | Declaration, ...] = (
    create,
    list_projects,
    activate_project,
    suspend_project,
    update,
    delete,
)
