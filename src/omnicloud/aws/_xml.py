"""Namespace-agnostic reading of AWS answers; documents are parsed by
:func:`omnicloud._safe_xml.parse_xml` (re-exported here).

Servers disagree on the S3 namespace string (AWS, moto, s3rver, Swift); matching on local names
only means a different namespace can never turn a full answer into an empty one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from omnicloud._safe_xml import parse_xml

__all__ = ["LIST_ITEMS", "child", "children", "local_name", "parse_xml", "text_of", "to_value"]


def local_name(tag: str) -> str:
    """``{namespace}Name`` -> ``Name``."""
    return _NAMES.get(tag) or _local(tag)


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

#: Local names of the tags seen lately (answers repeat a few dozen tags thousands of times).
_NAMES: dict[str, str] = {}
_NAMES_MAX = 4096


def _local(tag: str) -> str:
    name = _NAMES.get(tag)
    if name is None:
        if len(_NAMES) >= _NAMES_MAX:
            _NAMES.clear()
        name = _NAMES[tag] = tag.rsplit("}", 1)[-1]
    return name


def to_value(element: Any) -> Any:
    """An AWS answer element as plain values: text for a leaf, a list for a list wrapper
    (children all ``<item>``/``<member>``, or an empty EC2 ``...Set``), a dict otherwise
    (keyed by local name; a name that repeats, as REST-XML list entries do, maps to the list
    of its values). Namespaces are ignored."""
    if not len(element):
        # the local name is the tag's tail, and never empty: the same test as on it
        if element.tag.endswith("Set"):
            return []
        return element.text or ""
    # one pass for the usual shapes (all list entries, or all named); a mix is read again
    out: dict[str, Any] = {}
    entries: list[Any] | None = None
    repeated: set[str] | None = None
    for kid in element:
        tag = kid.tag
        name = _NAMES.get(tag) or _local(tag)
        leaf = [] if tag.endswith("Set") else kid.text or ""
        value = to_value(kid) if len(kid) else leaf
        if name in LIST_ITEMS:
            if out:
                return _mixed(element)
            if entries is None:
                entries = []
            entries.append(value)
        elif entries is not None:
            return _mixed(element)
        elif name not in out:
            out[name] = value
        elif repeated is not None and name in repeated:
            out[name].append(value)
        else:
            out[name] = [out[name], value]
            repeated = {name} if repeated is None else repeated | {name}
    return entries if entries is not None else out


def _mixed(element: Any) -> dict[str, Any]:
    """An element whose children mix list entries and named values: a dict, as for any other."""
    out: dict[str, Any] = {}
    repeated: set[str] = set()
    for kid in element:
        name = _NAMES.get(kid.tag) or _local(kid.tag)
        value = to_value(kid)
        if name in repeated:
            out[name].append(value)
        elif name in out:
            out[name] = [out[name], value]
            repeated.add(name)
        else:
            out[name] = value
    return out


def as_list(value: Any) -> list[Any]:
    """A list value of :func:`to_value`'s output: an empty element reads as ``""`` (no
    entries), and a lone REST-XML entry may read as the entry itself."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def as_int(value: Any) -> int | None:
    """An integer element's value, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
