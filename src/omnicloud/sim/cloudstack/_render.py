"""Serialising answers: CloudStack's JSON, and a minimal XML for ``response`` other than json."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from ._json import dumps_bytes

__all__ = ["JSON_TYPE", "XML_TYPE", "to_json", "to_xml"]

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"


def to_json(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return dumps_bytes(document)


def _xml(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, item in value.items():
            _xml(key, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        for item in value:
            _xml(name, item, out)
    else:
        text = "true" if value is True else "false" if value is False else str(value)
        out.append(f"<{name}>{escape(text)}</{name}>")


def to_xml(document: dict[str, Any]) -> bytes:
    """The same document as XML: one element per key, list items repeat their element."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    for name, body in document.items():
        out.append(f'<{name} cloud-stack-version="4.19.0.0-omnicloud-sim">')
        for key, value in (body or {}).items():
            _xml(key, value, out)
        out.append(f"</{name}>")
    return "".join(out).encode("utf-8")
