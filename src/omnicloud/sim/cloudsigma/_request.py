"""One parsed API request and its answer, independent of the web framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._config import SimConfig
from ._errors import invalid
from ._state import CloudSigmaState

__all__ = ["Reply", "Req"]


@dataclass(slots=True)
class Req:
    """A request: method, path arguments, query (first value wins) and parsed JSON body."""

    state: CloudSigmaState
    config: SimConfig
    method: str
    args: list[str]
    query: dict[str, str]
    body: Any = None
    host: str = "127.0.0.1"

    def objects(self) -> list[dict[str, Any]]:
        """The body's objects: ``{"objects": [...]}``, a bare list or a bare object."""
        body = self.body
        if isinstance(body, dict) and isinstance(body.get("objects"), list):
            body = body["objects"]
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise invalid("Expected a JSON object or a list of objects", "objects")
        return body

    def fields(self) -> dict[str, Any]:
        """The body as one object (PUT, action bodies)."""
        body = self.body
        if body is None:
            return {}
        if isinstance(body, dict) and isinstance(body.get("objects"), list) and body["objects"]:
            body = body["objects"][0]
        if not isinstance(body, dict):
            raise invalid("Expected a JSON object")
        return body

    def uuids(self, name: str) -> list[str]:
        """A comma-separated query argument as a list."""
        return [part for part in self.query.get(name, "").split(",") if part]


@dataclass(slots=True)
class Reply:
    """Status, JSON document (None for an empty body) and extra headers."""

    status: int
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)
