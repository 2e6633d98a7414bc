"""Azure's answers are parsed as safely as AWS's: one parser (omnicloud._safe_xml)."""

from __future__ import annotations

import pytest

from omnicloud.azure._blob import parse_xml
from omnicloud.errors import MalformedResponseError


def test_an_entity_hidden_in_utf16_is_refused() -> None:
    # b"<!" is not in UTF-16 bytes: a byte search alone would hand this to the C parser,
    # which expands the entity
    document = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "expanded">]><a>&e;</a>'
    ).encode("utf-16")
    with pytest.raises(MalformedResponseError):
        parse_xml(document)


def test_plain_answers_parse_with_or_without_a_bom() -> None:
    assert parse_xml(b"\xef\xbb\xbf<EnumerationResults><Blobs/></EnumerationResults>").tag == (
        "EnumerationResults"
    )
    assert parse_xml(b'<?xml version="1.0" encoding="utf-8"?><a>x</a>').text == "x"
