"""CloudStack signatures match the published vector and the server's own rule."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicloud.cloudstack._signing import (
    encode_value,
    expires_after,
    sign,
    string_to_sign,
    transform_params,
)
from omnicloud.errors import ValidationError
from tests.support.server_rule import server_signature, verify


def test_published_vector() -> None:
    params = {"apiKey": "fnord", "command": "listVirtualMachines", "response": "json"}
    assert sign(params, "abracadabra") == "z/a9Y7J52u48VpqIgiwaGUMCso0="


def test_java_encoding_of_special_characters() -> None:
    assert encode_value("a b") == "a%20b"
    assert encode_value("~") == "%7E"
    assert encode_value("*") == "*"
    assert encode_value("+/=&%") == "%2B%2F%3D%26%25"
    assert encode_value("é") == "%C3%A9"


def test_sort_is_case_sensitive_and_string_lower_cased_after() -> None:
    text = string_to_sign({"templateId": "3", "temPlateidd": "4", "B": "x", "a": "Y"})
    assert text == "b=x&a=y&templateidd=4&templateid=3"


def test_signature_ignored_in_string_to_sign() -> None:
    assert string_to_sign({"a": "1", "signature": "zzz"}) == "a=1"


def test_expires_format() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert expires_after(60, now=moment) == "2026-01-02T03:05:05+0000"


names = st.text(alphabet=string.ascii_letters + string.digits + "[]._", min_size=1, max_size=12)
values = st.text(
    alphabet=st.sampled_from([*string.printable.strip(), " ", "~", "*", "é", "日", "😀"]),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(params=st.dictionaries(names, values, min_size=1, max_size=8), secret=st.text(min_size=1))
def test_property_matches_independent_server_rule(params: dict[str, str], secret: str) -> None:
    signed = dict(params)
    signed["signature"] = sign(params, secret)
    assert signed["signature"] == server_signature(signed, secret)
    assert verify(signed, secret)


def test_tampered_parameter_fails_server_rule() -> None:
    params = {"apiKey": "k", "command": "deployVirtualMachine", "name": "web"}
    params["signature"] = sign(params, "s")
    params["name"] = "Web2"
    assert not verify(params, "s")


def test_transform_like_cs() -> None:
    flat = transform_params(
        {
            "none": None,
            "yes": True,
            "no": False,
            "n": 3,
            "ids": ["a", "b"],
            "empty": [],
            "blank": "",
            "raw": b"bytes",
            "tags": [{"key": "k1", "value": "v1"}, {"key": "k2", "value": "v2"}],
            "details": {"cpuNumber": 2, "memory": "1024"},
        }
    )
    assert flat == {
        "yes": "true",
        "no": "false",
        "n": "3",
        "ids": "a,b",
        "blank": "",
        "raw": "bytes",
        "tags[0].key": "k1",
        "tags[0].value": "v1",
        "tags[1].key": "k2",
        "tags[1].value": "v2",
        "details[0].cpuNumber": "2",
        "details[0].memory": "1024",
    }


def test_transform_rejects_unsupported_values() -> None:
    with pytest.raises(ValidationError, match="'bad'"):
        transform_params({"bad": object()})
    with pytest.raises(ValidationError, match="mix"):
        transform_params({"bad": [{"a": 1}, "b"]})
