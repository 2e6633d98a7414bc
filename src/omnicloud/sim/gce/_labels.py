"""Labels, metadata and tags as request bodies carry them: checked, fingerprinted."""

from __future__ import annotations

import re
from typing import Any

from ._errors import invalid
from ._state import fingerprint

__all__ = ["check_labels", "metadata_doc", "tags_doc"]

_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
_TAG = re.compile(r"[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?")
_METADATA_KEY = re.compile(r"[a-zA-Z0-9_-]{1,128}")


def check_labels(value: Any, field: str = "labels") -> dict[str, str]:
    """The labels of a body (absent: none), each key and value checked as Compute does."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 64:
        raise invalid(f"Invalid value for field '{field}'.")
    for key, item in value.items():
        if not isinstance(item, str) or _KEY.fullmatch(key) is None:
            raise invalid(f"Invalid value for field '{field}': '{key}'. Label key is invalid.")
        if _VALUE.fullmatch(item) is None:
            raise invalid(
                f"Invalid value for field '{field}.{key}': '{item}'. Label value is invalid."
            )
    return dict(value)


def metadata_doc(value: Any, field: str = "resource.metadata") -> dict[str, Any]:
    """A ``compute#metadata`` from a body's ``metadata`` (items of ``key``/``value``)."""
    items: list[dict[str, str]] = []
    if value is not None and not isinstance(value, dict):
        raise invalid(f"Invalid value for field '{field}'.")
    raw = (value or {}).get("items") or []
    if not isinstance(raw, list):
        raise invalid(f"Invalid value for field '{field}.items'.")
    seen: set[str] = set()
    for index, item in enumerate(raw):
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or _METADATA_KEY.fullmatch(key) is None:
            raise invalid(f"Invalid value for field '{field}.items[{index}].key': '{key}'.")
        if key in seen:
            raise invalid(f"Invalid value for field '{field}.items': duplicate key '{key}'.")
        seen.add(key)
        text = item.get("value", "")
        items.append({"key": key, "value": text if isinstance(text, str) else str(text)})
    doc: dict[str, Any] = {"kind": "compute#metadata", "fingerprint": fingerprint(items)}
    if items:
        doc["items"] = items
    return doc


def tags_doc(value: Any, field: str = "resource.tags") -> dict[str, Any]:
    """A ``tags`` object (``items`` are network tags, names like resources)."""
    if value is not None and not isinstance(value, dict):
        raise invalid(f"Invalid value for field '{field}'.")
    items = (value or {}).get("items") or []
    if not isinstance(items, list):
        raise invalid(f"Invalid value for field '{field}.items'.")
    for index, tag in enumerate(items):
        if not isinstance(tag, str) or _TAG.fullmatch(tag) is None:
            raise invalid(f"Invalid value for field '{field}.items[{index}]': '{tag}'.")
    doc: dict[str, Any] = {"fingerprint": fingerprint(items)}
    if items:
        doc["items"] = items
    return doc
