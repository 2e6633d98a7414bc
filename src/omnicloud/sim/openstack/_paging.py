"""``limit``/``marker`` paging as Nova, Cinder, Neutron and Glance do it, with next links."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlencode

from ._errors import ApiError
from ._request import Req
from ._store import Doc

__all__ = ["next_href", "page"]

T = TypeVar("T", bound=Doc)


def page(
    items: Sequence[T],
    req: Req,
    *,
    max_limit: int,
    default: int | None = None,
    bad: Callable[[str], ApiError],
    key: str = "id",
) -> tuple[list[T], bool]:
    """The page after ``marker`` (a ``key`` value) of at most ``limit`` items, and whether it is
    full (the service then links the next page). ``bad(message)`` makes the service's 400."""
    raw_limit = req.q("limit")
    limit = default if default is not None else max_limit
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise bad(f"Invalid input for query parameters limit. Value: {raw_limit}.") from None
        if limit < 0:
            raise bad(f"Invalid input for query parameters limit. Value: {raw_limit}.")
    limit = min(limit, max_limit)
    start = 0
    marker = req.q("marker")
    if marker is not None:
        index = next((i for i, item in enumerate(items) if str(item.get(key)) == marker), None)
        if index is None:
            raise bad(f"marker [{marker}] not found")
        start = index + 1
    chosen = list(items[start : start + limit])
    return chosen, bool(chosen) and len(chosen) == limit and start + limit <= len(items)


def next_href(req: Req, path: str, last: Doc, *, key: str = "id", keep: bool = True) -> str:
    """The link to the page after ``last``: ``{service_url}/{path}?...&limit=&marker=``."""
    params = [(k, v) for k, values in req.query.items() for v in values if k != "marker"]
    if not keep:
        params = [(k, v) for k, v in params if k == "limit"]
    params.append(("marker", str(last[key])))
    return f"{req.service_url}/{path}?{urlencode(params)}"
