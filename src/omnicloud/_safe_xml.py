"""Safe XML parsing for every XML API (AWS, Azure): the C parser for documents that cannot hold a
DTD, defusedxml (imported on first use) for any other.

Entities and external references need a document type declaration. A document with no ``<!``
anywhere (so no DOCTYPE, comment or CDATA section) in UTF-8, ASCII or Latin-1 cannot declare
one, so it goes to the standard library's C parser, with the same tree as a result; every other
document (a DTD, another encoding, UTF-16) goes through defusedxml's pure-Python parser, which
refuses entities and external references.
"""

from __future__ import annotations

from typing import Any

from omnicloud.errors import MalformedResponseError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from omnicloud.http._models import HttpResponse

__all__ = ["parse_xml", "xml_when_ok"]

#: Encodings whose bytes spell ``<!`` as ASCII does (as declared in ``<?xml ... ?>``).
_PLAIN_ENCODINGS = (b"utf-8", b"utf8", b"us-ascii", b"ascii", b"iso-8859-1", b"latin-1")


def _without_dtd(content: bytes) -> bool:
    """Whether ``content`` certainly holds no document type declaration: no ``<!`` at all, in
    an encoding where that byte search sees every markup character (no UTF-16/32)."""
    if b"<!" in content:
        return False
    head = content[:4]
    if b"\x00" in head or head.startswith((b"\xfe\xff", b"\xff\xfe")):
        return False
    start = 3 if content.startswith(b"\xef\xbb\xbf") else 0
    if content.startswith(b"<?xml", start):
        declaration = content[start : content.find(b"?>", start)].lower()
        at = declaration.find(b"encoding")
        if at >= 0:
            rest = declaration[at + 8 :].lstrip(b" \t\r\n=").lstrip(b"\"'")
            return any(
                rest.startswith(name) and rest[len(name) : len(name) + 1] in (b'"', b"'")
                for name in _PLAIN_ENCODINGS
            )
    return True


def parse_xml(content: bytes, *, status: int | None = None) -> Any:
    """Parse a document safely (no entities, no external references); a broken one raises
    :class:`MalformedResponseError`."""
    try:
        if isinstance(content, bytes) and _without_dtd(content):
            from xml.etree.ElementTree import fromstring

            return fromstring(content)
        from defusedxml import ElementTree

        return ElementTree.fromstring(content)
    except Exception as exc:  # ParseError and defusedxml's refusals
        excerpt = content[:200].decode("utf-8", errors="replace")
        raise MalformedResponseError(
            f"response is not valid XML ({type(exc).__name__})", status=status, excerpt=excerpt
        ) from None


def xml_when_ok(response: HttpResponse) -> tuple[HttpResponse, Any]:
    """The answer and, for a 200, its parsed XML (a malformed one raises, so reads are retried)."""
    if response.status != 200:
        return response, None
    return response, parse_xml(response.content, status=response.status)
