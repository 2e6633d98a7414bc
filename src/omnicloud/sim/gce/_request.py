"""What a handler gets (:class:`Req`) and returns (:class:`Reply`), and the helpers every handler
shares: rendering stored documents (links become URLs of the request's origin), resource
references in request bodies, name checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from ._config import SimConfig
from ._errors import ApiError, invalid, not_found
from ._state import LINK, GceState

__all__ = [
    "NAME_RE",
    "Reply",
    "Req",
    "Route",
    "Scoped",
    "check_name",
    "in_global",
    "in_region",
    "in_zone",
    "ref_path",
    "render",
]

NAME_RE = re.compile(r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?")
"""What a resource name must fully match."""

_USER_FIELDS = frozenset({"metadata", "labels", "description", "commonInstanceMetadata"})


@dataclass
class Req:
    """One API request: the world, the settings, the path arguments, query and body."""

    state: GceState
    config: SimConfig
    method: str
    args: list[str]
    query: dict[str, list[str]]
    body: Any
    origin: str
    now: float

    @property
    def base(self) -> str:
        """``{origin}/compute/v1/``: what resource URLs start with."""
        return f"{self.origin}/compute/v1/"

    def param(self, name: str) -> str | None:
        """A query parameter (the last if repeated), or None."""
        values = self.query.get(name)
        return values[-1] if values else None

    def own_project(self) -> str:
        """The project of the path, which must be the simulated one (else 404)."""
        project = self.args[0]
        if project != self.state.project:
            raise not_found(f"projects/{project}")
        return project

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (400 when there is none)."""
        if not isinstance(self.body, dict):
            raise ApiError(400, "required", "Required field 'resource' not specified")
        return self.body


@dataclass
class Reply:
    """A JSON answer; ``retry_at`` (clock time) marks an operation ``wait`` may hold back."""

    document: Any
    status: int = 200
    retry_at: float | None = None
    headers: dict[str, str] = field(default_factory=dict)


Route: TypeAlias = tuple[str, str, Callable[[Req], Reply]]
"""(method, path pattern under ``/compute/v1/``, handler)."""


Scoped: TypeAlias = Callable[[Req, str], Reply]
"""A handler that also gets the scope (``zones/z``, ``regions/r``, ``global``)."""


def in_zone(handler: Scoped) -> Callable[[Req], Reply]:
    """A route handler: the path's project checked, ``zones/{args[1]}`` passed on."""
    from ._catalog import ZONES

    def run(req: Req) -> Reply:
        req.own_project()
        if req.args[1] not in ZONES:
            raise not_found(f"projects/{req.args[0]}/zones/{req.args[1]}")
        return handler(req, f"zones/{req.args[1]}")

    return run


def in_region(handler: Scoped) -> Callable[[Req], Reply]:
    """A route handler: the path's project checked, ``regions/{args[1]}`` passed on."""
    from ._catalog import REGIONS

    def run(req: Req) -> Reply:
        req.own_project()
        if req.args[1] not in REGIONS:
            raise not_found(f"projects/{req.args[0]}/regions/{req.args[1]}")
        return handler(req, f"regions/{req.args[1]}")

    return run


def in_global(handler: Scoped) -> Callable[[Req], Reply]:
    """A route handler: the path's project checked, ``global`` passed on."""

    def run(req: Req) -> Reply:
        req.own_project()
        return handler(req, "global")

    return run


def render(doc: Any, base: str) -> Any:
    """``doc`` as answered: internal (``_``) fields dropped, stored links made URLs."""
    if isinstance(doc, dict):
        out = {}
        for key, value in doc.items():
            if key.startswith("_"):
                continue
            out[key] = value if key in _USER_FIELDS else render(value, base)
        return out
    if isinstance(doc, list):
        return [render(value, base) for value in doc]
    if isinstance(doc, str) and doc.startswith(LINK):
        return base + doc[len(LINK) :]
    return doc


def ref_path(value: Any, project: str, field_name: str) -> list[str]:
    """The segments of a resource reference (``projects/p/...``) given as a full URL, a
    ``projects/...`` path or a path relative to the project (``zones/z/...``, ``global/...``)."""
    if not isinstance(value, str) or not value:
        raise invalid(f"Invalid value for field '{field_name}': '{value}'.")
    text = value
    if text.startswith(LINK):
        text = text[len(LINK) :]
    if "://" in text:
        index = text.find("/projects/")
        if index < 0:
            raise invalid(f"Invalid value for field '{field_name}': '{value}'.")
        text = text[index + 1 :]
    if text.startswith(("zones/", "regions/", "global/")):
        text = f"projects/{project}/{text}"
    parts = [part for part in text.split("/") if part]
    if len(parts) < 2 or parts[0] != "projects":
        raise invalid(f"Invalid value for field '{field_name}': '{value}'. The URL is malformed.")
    return parts


def check_name(value: Any, field_name: str = "resource.name") -> str:
    """``value`` when it is a valid resource name, else 400 as Compute words it."""
    if not isinstance(value, str) or not value:
        raise ApiError(400, "required", f"Required field '{field_name}' not specified")
    if NAME_RE.fullmatch(value) is None:
        raise invalid(
            f"Invalid value for field '{field_name}': '{value}'. Must be a match of regex "
            "'(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'"
        )
    return value
