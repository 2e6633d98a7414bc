"""What every resource type shares: creating, updating and deleting as long-running
operations, tags, etags, location checks, and the generic effects."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from . import _lro
from ._catalog import LOCATIONS
from ._errors import ArmError, bad_request
from ._request import Reply, Req, check_not_busy, need, resource_id
from ._shapes import TAGS
from ._state import AzureState, public
from ._store import Doc

__all__ = [
    "begin_delete",
    "begin_put",
    "etag",
    "known_location",
    "location_of",
    "no_resource",
    "props",
    "ref_id",
    "tag_patcher",
    "tags_of",
    "take_tags",
]


def location_of(req: Req, body: Doc, fallback: str | None = None) -> str:
    """The body's ``location`` in ARM's canonical form (lower case, no spaces)."""
    location = body.get("location", fallback)
    if not isinstance(location, str) or not location:
        raise bad_request(
            "LocationRequired", "The location property is required for this definition."
        )
    return known_location(location)


def known_location(location: str, type_name: str = "resource") -> str:
    """``location`` in canonical form (lower case, no spaces), or 400
    ``LocationNotAvailableForResourceType`` for a region the simulator does not have."""
    canonical = location.replace(" ", "").lower()
    names = [row[0] for row in LOCATIONS]
    if canonical not in names:
        raise bad_request(
            "LocationNotAvailableForResourceType",
            f"The provided location '{location}' is not available for {type_name}. List of "
            f"available regions is '{','.join(names)}'.",
        )
    return canonical


def tags_of(body: Doc) -> dict[str, str] | None:
    """The body's ``tags`` (validated), or None."""
    tags = body.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tags.items()
    ):
        raise bad_request("InvalidTagNameCharacters", "The tags must be string names and values.")
    return tags


def take_tags(doc: Doc, body: Doc) -> None:
    """Give ``doc`` the body's ``tags`` (validated) when the body has them."""
    tags = tags_of(body)
    if tags is not None:
        doc["tags"] = tags


def props(body: Doc) -> Doc:
    """The body's ``properties`` object (empty when absent)."""
    value = body.get("properties", {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(
            "InvalidRequestFormat", "Cannot parse the request: 'properties' must be an object."
        )
    return value


def ref_id(value: Any, what: str) -> str | None:
    """``value["id"]`` of a ``{"id": ...}`` reference, None when absent."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise bad_request(
            "InvalidRequestFormat",
            f"Cannot parse the request: '{what}' must be an object with an 'id'.",
        )
    return str(value["id"])


def etag() -> str:
    """A new weak etag."""
    return f'W/"{uuid.uuid4()}"'


def begin_put(
    req: Req,
    kind: str,
    group: str,
    doc: Doc,
    provider: str,
    *,
    created: bool,
    transitional: str,
    effects: tuple[Doc, ...] = (),
) -> Reply:
    """Store ``doc`` in ``transitional`` provisioning state and answer 201/200 with the
    operation that makes it ``Succeeded`` (after ``effects``)."""
    doc["properties"]["provisioningState"] = transitional
    req.state.store.put(kind, group, doc)
    op = _lro.start(
        req, provider, doc["location"], [{"do": "provisioned", "id": doc["id"]}, *effects]
    )
    return Reply(201 if created else 200, public(doc), _lro.headers(req, op))


def begin_delete(
    req: Req, kind: str, group: str, doc: Doc, provider: str, effects: tuple[Doc, ...] = ()
) -> Reply:
    """Mark ``doc`` ``Deleting`` and answer 202 with the operation that removes it."""
    doc["properties"]["provisioningState"] = "Deleting"
    req.state.store.put(kind, group, doc)
    op = _lro.start(
        req,
        provider,
        doc["location"],
        [*effects, {"do": "remove", "id": doc["id"]}],
        kind="delete",
    )
    return Reply(202, None, _lro.headers(req, op, location=True))


@_lro.effect("provisioned")
def _provisioned(state: AzureState, step: Doc) -> None:
    doc = state.store.get(step["id"])
    if doc is not None and doc["properties"].get("provisioningState") in ("Creating", "Updating"):
        doc["properties"]["provisioningState"] = "Succeeded"
        state.store.save(doc)


@_lro.effect("provision_failed")
def _provision_failed(state: AzureState, step: Doc) -> None:
    doc = state.store.get(step["id"])
    if doc is not None:
        doc["properties"]["provisioningState"] = "Failed"
        state.store.save(doc)


@_lro.effect("remove")
def _remove(state: AzureState, step: Doc) -> None:
    state.store.delete(step["id"])


def tag_patcher(type_name: str) -> Callable[[Req], Reply]:
    """A ``PATCH`` handler replacing a resource's tags at once (NRP's ``updateTags``)."""

    def patch(req: Req) -> Reply:
        _, group, name = req.args
        doc = need(req, resource_id(req, group, type_name, name), type_name, name, group)
        check_not_busy(doc, "update")
        doc["tags"] = tags_of(req.obj(TAGS)) or {}
        if "etag" in doc:
            doc["etag"] = etag()
        req.state.store.save(doc)
        return Reply(200, public(doc))

    return patch


def no_resource(req: Req, message: str) -> ArmError:
    """NRP's 400 for a reference to a missing resource."""
    return bad_request("InvalidResourceReference", message)
