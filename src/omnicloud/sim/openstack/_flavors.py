"""Nova flavors: ``GET /flavors``, ``/flavors/detail``, ``/flavors/{id}`` (+ extra specs)."""

from __future__ import annotations

from typing import Any

from ._errors import nova
from ._paging import next_href, page
from ._request import Reply, Req
from ._store import Doc

__all__ = ["ROUTES", "embedded", "find_flavor", "flavor_ref"]


def find_flavor(req: Req, ident: str) -> Doc | None:
    """A flavor by id (or URL ending in its id)."""
    return req.cloud.find("flavors", ident.rstrip("/").rsplit("/", 1)[-1])


def _links(req: Req, ident: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": f"{req.service_url}/flavors/{ident}"},
        {"rel": "bookmark", "href": f"{req.origin}/compute/flavors/{ident}"},
    ]


def flavor_ref(req: Req, ident: str) -> dict[str, Any]:
    """``{"id", "links"}`` (a server's flavor before 2.47)."""
    return {"id": ident, "links": _links(req, ident)[1:]}


def embedded(req: Req, flavor: Doc) -> dict[str, Any]:
    """A server's flavor from 2.47: the values it was built with."""
    return {
        "vcpus": flavor["vcpus"],
        "ram": flavor["ram"],
        "disk": flavor["disk"],
        "ephemeral": flavor["ephemeral"],
        "swap": flavor["swap"],
        "original_name": flavor["name"],
        "extra_specs": dict(flavor["extra_specs"]),
    }


def _view(req: Req, doc: Doc, detail: bool) -> dict[str, Any]:
    view: dict[str, Any] = {"id": doc["id"], "name": doc["name"], "links": _links(req, doc["id"])}
    if req.at_least(2, 55):
        view["description"] = doc["description"]
    if not detail:
        return view
    view.update(
        {
            "ram": doc["ram"],
            "disk": doc["disk"],
            "vcpus": doc["vcpus"],
            "swap": doc["swap"] if req.at_least(2, 75) else (doc["swap"] or ""),
            "OS-FLV-EXT-DATA:ephemeral": doc["ephemeral"],
            "OS-FLV-DISABLED:disabled": doc["disabled"],
            "os-flavor-access:is_public": doc["is_public"],
            "rxtx_factor": doc["rxtx_factor"],
        }
    )
    if req.at_least(2, 61):
        view["extra_specs"] = dict(doc["extra_specs"])
    return view


def _list(req: Req, detail: bool) -> Reply:
    docs = req.cloud.all("flavors")
    for name, field in (("minRam", "ram"), ("minDisk", "disk")):
        value = req.q(name)
        if value is not None:
            try:
                docs = [d for d in docs if d[field] >= int(value)]
            except ValueError:
                raise nova(400, f"Invalid {name} filter [{value}]") from None
    docs.sort(key=lambda d: d["id"] if not d["id"].isdigit() else f"{int(d['id']):020d}")
    chosen, full = page(docs, req, max_limit=req.config.max_limit, bad=lambda m: nova(400, m))
    body: dict[str, Any] = {"flavors": [_view(req, d, detail) for d in chosen]}
    if full:
        path = "flavors/detail" if detail else "flavors"
        body["flavors_links"] = [{"rel": "next", "href": next_href(req, path, chosen[-1])}]
    return Reply(200, body)


def list_flavors(req: Req) -> Reply:
    """``GET /flavors``."""
    return _list(req, False)


def list_detail(req: Req) -> Reply:
    """``GET /flavors/detail``."""
    return _list(req, True)


def _load(req: Req) -> Doc:
    found = req.cloud.find("flavors", req.args[0])
    if found is None:
        raise nova(404, f"Flavor {req.args[0]} could not be found.")
    return found


def get_flavor(req: Req) -> Reply:
    """``GET /flavors/{id}``."""
    return Reply(200, {"flavor": _view(req, _load(req), True)})


def extra_specs(req: Req) -> Reply:
    """``GET /flavors/{id}/os-extra_specs``."""
    return Reply(200, {"extra_specs": dict(_load(req)["extra_specs"])})


ROUTES = [
    ("GET", "flavors", list_flavors),
    ("GET", "flavors/detail", list_detail),
    ("GET", "flavors/*", get_flavor),
    ("GET", "flavors/*/os-extra_specs", extra_specs),
]
