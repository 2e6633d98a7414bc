"""What Cinder's handlers share: ownership, links, 413 quota errors, volume lookup."""

from __future__ import annotations

from typing import Any

from ._errors import ApiError, nova
from ._request import Req
from ._state import public
from ._store import Doc

__all__ = ["links", "load_volume", "mine", "quota_error", "volume_view"]


def links(req: Req, kind: str, ident: str) -> list[dict[str, str]]:
    """A volume's or snapshot's self and bookmark links."""
    return [
        {"rel": "self", "href": f"{req.service_url}/{kind}/{ident}"},
        {"rel": "bookmark", "href": f"{req.service_url}/{kind}/{ident}"},
    ]


def mine(req: Req, doc: Doc) -> bool:
    """Whether the caller owns ``doc`` (admins own everything)."""
    return doc["_project"] == req.project or req.who.is_admin


def quota_error(found: list[tuple[str, int, int, int]]) -> ApiError:
    """Cinder's 413 for the first exceeded quota."""
    name, requested, used, allowed = found[0]
    if name == "gigabytes":
        return nova(
            413,
            f"VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds "
            f"allowed gigabytes quota. Requested {requested}G, quota is {allowed}G and "
            f"{used}G has been consumed.",
        )
    label = "Volume" if name == "volumes" else "Snapshot"
    return nova(413, f"{label}LimitExceeded: Maximum number of {name} allowed ({allowed}) exceeded")


def volume_view(req: Req, doc: Doc) -> dict[str, Any]:
    """A volume at the request's microversion (admins see the tenant and host attributes)."""
    view = public(doc)
    view["links"] = links(req, "volumes", doc["id"])
    view.pop("attach_status", None)
    if req.who.is_admin:
        view["os-vol-tenant-attr:tenant_id"] = doc["_project"]
        view["os-vol-host-attr:host"] = "sim-volume@lvmdriver-1#lvmdriver-1"
        view["os-vol-mig-status-attr:migstat"] = None
        view["os-vol-mig-status-attr:name_id"] = None
    if not req.at_least(3, 63):
        view.pop("volume_type_id", None)
    if not req.at_least(3, 65):
        view.pop("consumes_quota", None)
    return view


def load_volume(req: Req, ident: str | None = None) -> Doc:
    """The caller's volume, or Cinder's 404."""
    ident = req.args[0] if ident is None else ident
    found = req.cloud.find("volumes", ident)
    if found is None or not mine(req, found):
        raise nova(404, f"Volume {ident} could not be found.")
    return found
