"""Namespace-agnostic XML reading with defusedxml (imported on first use).

Servers disagree on the S3 namespace string (AWS, moto, s3rver, Swift); matching on local names
only means a different namespace can never turn a full answer into an empty one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from omnicloud.errors import MalformedResponseError

__all__ = ["LIST_ITEMS", "child", "children", "local_name", "parse_xml", "text_of", "to_value"]


def local_name(tag: str) -> str:
    """``{namespace}Name`` -> ``Name``."""
    return tag.rsplit("}", 1)[-1]


def parse_xml(content: bytes, *, status: int | None = None) -> Any:
    """Parse a document safely (no entities, no external references)."""
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(content)
    except Exception as exc:  # ParseError and defusedxml's refusals
        excerpt = content[:200].decode("utf-8", errors="replace")
        raise MalformedResponseError(
            f"response is not valid XML ({type(exc).__name__})", status=status, excerpt=excerpt
        ) from None


def children(element: Any, name: str) -> Iterator[Any]:
    """Direct children called ``name`` (any namespace)."""
    for item in element:
        if local_name(item.tag) == name:
            yield item


def child(element: Any, name: str) -> Any:
    """The first direct child called ``name``, or None."""
    return next(children(element, name), None)


def text_of(element: Any, name: str, default: str | None = None) -> str | None:
    """The text of the first child called ``name`` (``""`` when empty), or ``default``."""
    found = child(element, name)
    if found is None:
        return default
    return found.text or ""


#: Element names that wrap one list entry: EC2's ``<item>``, the Query protocol's ``<member>``.
LIST_ITEMS = frozenset({"item", "member"})


def to_value(element: Any) -> Any:
    """An AWS answer element as plain values: text for a leaf, a list for a list wrapper
    (children all ``<item>``/``<member>``, or an empty EC2 ``...Set``), a dict otherwise
    (keyed by local name; a name that repeats, as REST-XML list entries do, maps to the list
    of its values). Namespaces are ignored."""
    kids = list(element)
    if not kids:
        if local_name(element.tag).endswith("Set"):
            return []
        return element.text or ""
    names = [local_name(kid.tag) for kid in kids]
    if all(name in LIST_ITEMS for name in names):
        return [to_value(kid) for kid in kids]
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for name, kid in zip(names, kids, strict=True):
        value = to_value(kid)
        if name in repeated:
            out[name].append(value)
        elif name in out:
            out[name] = [out[name], value]
            repeated.add(name)
        else:
            out[name] = value
    return out
