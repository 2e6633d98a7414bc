"""Serialising answers: CloudStack's JSON, and a minimal XML for ``response`` other than json."""

from __future__ import annotations

import functools
import re
from typing import Any
from xml.sax.saxutils import escape

from ..core.jsonio import dumps_bytes

__all__ = ["JSON_TYPE", "XML_TYPE", "to_json", "to_xml"]

JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "text/xml; charset=UTF-8"


def to_json(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON."""
    return dumps_bytes(document)


# Characters XML 1.0 does not allow at all, not even as references (C0 controls but tab, LF and
# CR; lone surrogates; U+FFFE, U+FFFF): written as U+FFFD so the document always parses.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAME_START = (
    "A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_REST = _NAME_START + "\\-.0-9\xb7\u0300-\u036f\u203f\u2040"
_NOT_NAME = re.compile(f"[^{_NAME_REST}]")
_NAME = re.compile(f"[{_NAME_START}][{_NAME_REST}]*")


_CR = {"\r": "&#13;"}  # a raw CR would be read back as LF


def _text(value: str) -> str:
    """``value`` escaped for element content, XML-illegal characters replaced."""
    return escape(_NOT_XML.sub("\ufffd", value), _CR)


@functools.lru_cache(maxsize=4096)
def _name(key: str) -> str:
    """``key`` as an element name: characters a name cannot hold (``<``, ``:``, space...) -> ``_``.

    Keys are field names, but some maps (a VM's ``details``) take theirs from the caller.
    """
    if _NAME.fullmatch(key):
        return key
    name = _NOT_NAME.sub("_", key)
    return name if _NAME.fullmatch(name) else f"_{name}"


def _xml(key: str, value: Any, out: list[str]) -> None:
    name = _name(key)
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for child, item in value.items():
            _xml(child, item, out)
        out.append(f"</{name}>")
    elif isinstance(value, list):
        for item in value:
            _xml(key, item, out)
    else:
        text = "true" if value is True else "false" if value is False else str(value)
        out.append(f"<{name}>{_text(text)}</{name}>")


def to_xml(document: dict[str, Any]) -> bytes:
    """The same document as XML: one element per key, list items repeat their element."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    for name, body in document.items():
        out.append(f'<{_name(name)} cloud-stack-version="4.19.0.0-omnicloud-sim">')
        for key, value in (body or {}).items():
            _xml(key, value, out)
        out.append(f"</{_name(name)}>")
    return "".join(out).encode("utf-8")
