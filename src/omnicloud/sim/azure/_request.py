"""One parsed ARM request and its answer, independent of the web framework, plus the helpers
every resource module uses (resource groups, ids, bodies, paged lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..core.faults import Faults
from ._config import SimConfig
from ._errors import ArmError, bad_request, conflict, group_not_found, not_found
from ._state import AzureState, public
from ._store import Doc

__all__ = [
    "Reply",
    "Req",
    "check_not_busy",
    "existing",
    "getter",
    "lister",
    "need",
    "paged",
    "resource_id",
]


@dataclass(slots=True)
class Req:
    """A request: ``args`` are the route's ``*`` segments (the subscription first under
    ``/subscriptions``), ``origin`` is ``scheme://host:port`` as the client addressed it;
    ``headers`` have lower-case names."""

    state: AzureState
    config: SimConfig
    faults: Faults
    method: str
    args: list[str]
    query: dict[str, str]
    body: Any
    origin: str
    path: str
    api_version: str
    now: float
    headers: dict[str, str] = field(default_factory=dict)

    def q(self, name: str) -> str | None:
        """A query parameter (names compared case-insensitively), or None."""
        wanted = name.lower()
        for key, value in self.query.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def subscription(self) -> str:
        """The subscription id as the state knows it."""
        return self.state.subscription_id

    def group(self, name: str) -> Doc:
        """The resource group ``name`` (any case): 404 when missing, 409 while deleting."""
        doc = self.state.store.get(f"/subscriptions/{self.subscription}/resourceGroups/{name}")
        if doc is None:
            raise group_not_found(name)
        if doc["properties"]["provisioningState"] == "Deleting":
            raise conflict(
                "ResourceGroupBeingDeleted",
                f"The resource group '{doc['name']}' is in deprovisioning state and cannot "
                "perform this operation.",
            )
        return doc

    def obj(self, shape: Any = None) -> Doc:
        """The JSON body as an object checked against ``shape`` (see :mod:`._shapes`; null
        fields dropped); 400 ``InvalidRequestContent`` when it is not an object."""
        if not isinstance(self.body, dict):
            raise bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be "
                "deserialized: the body must be a JSON object.",
            )
        if shape is None:
            return self.body
        from ._shapes import check

        checked: Doc = check(self.body, shape)
        return checked


@dataclass(slots=True)
class Reply:
    """Status, JSON document (None: no body) and extra headers."""

    status: int
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def resource_id(req: Req, group: str, type_path: str, name: str) -> str:
    """``/subscriptions/{s}/resourceGroups/{g}/providers/{type_path}/{name}``."""
    return f"/subscriptions/{req.subscription}/resourceGroups/{group}/providers/{type_path}/{name}"


def paged(
    req: Req,
    kind: str | None,
    group: str | None,
    render: Callable[[Doc], Doc] = public,
    keep: Callable[[Doc], bool] | None = None,
) -> Reply:
    """One page of a list (``{"value": [...], "nextLink"?}``), ``$skiptoken`` being the offset.

    ``keep`` filters documents (then the whole list is read and cut here).
    """
    token = req.q("$skiptoken") or "0"
    if not token.isdigit():
        raise bad_request("InvalidSkipToken", f"The skip token '{token}' is not valid.")
    offset, size = int(token), max(int(req.config.page_size), 1)
    store = req.state.store
    if keep is None:
        docs = store.listing(kind, group, offset, size + 1)
    else:
        docs = [d for d in store.listing(kind, group) if keep(d)][offset : offset + size + 1]
    document: Doc = {"value": [render(doc) for doc in docs[:size]]}
    if len(docs) > size:
        # ARM's next link repeats the request's own parameters ($expand, $filter, statusOnly...)
        kept = "".join(
            f"&{quote(name, safe='$')}={quote(value, safe='')}"
            for name, value in req.query.items()
            if name.lower() not in ("api-version", "$skiptoken")
        )
        version = quote(req.api_version, safe="")
        document["nextLink"] = (
            f"{req.origin}{req.path}?api-version={version}{kept}&%24skiptoken={offset + size}"
        )
    return Reply(200, document)


def need(req: Req, rid: str, type_name: str, name: str, group: str) -> Doc:
    """The resource ``rid`` (after checking its group exists), or ARM's 404."""
    req.group(group)
    doc = req.state.store.get(rid)
    if doc is None:
        raise not_found(type_name, name, group)
    return doc


def existing(req: Req, type_path: str) -> Doc | None:
    """The resource ``type_path`` named by the route's (subscription, group, name), after
    checking its group exists, or None: what a DELETE starts from."""
    _, group, name = req.args
    req.group(group)
    return req.state.store.get(resource_id(req, group, type_path, name))


def getter(type_path: str) -> Callable[[Req], Reply]:
    """A GET handler answering the resource named by the route's (subscription, group, name),
    or ARM's 404."""

    def get(req: Req) -> Reply:
        _, group, name = req.args
        rid = resource_id(req, group, type_path, name)
        return Reply(200, public(need(req, rid, type_path, name, group)))

    return get


def lister(kind: str, per_group: bool) -> Callable[[Req], Reply]:
    """A GET handler paging the resources of ``kind`` in the route's resource group
    (``per_group``, its name the second ``*``) or in the whole subscription."""

    def handler(req: Req) -> Reply:
        if per_group:
            req.group(req.args[1])
            return paged(req, kind, req.args[1])
        return paged(req, kind, None)

    return handler


def check_not_busy(doc: Doc, action: str) -> None:
    """409 when the resource is being deleted."""
    if doc.get("properties", {}).get("provisioningState") == "Deleting":
        raise ArmError(
            409,
            "Conflict",
            f"Operation '{action}' is not allowed on '{doc['name']}' while it is being deleted.",
        )
