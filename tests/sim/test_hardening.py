"""CloudStack simulator hardening: non-ASCII credentials, oversized bodies, XML-illegal text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import anyio
import pytest
from defusedxml.ElementTree import fromstring as safe_fromstring

from omnicloud.cloudstack._signing import sign
from omnicloud.sim.cloudstack import CloudStackState, create_app
from omnicloud.sim.cloudstack._app import MAX_BODY
from omnicloud.sim.cloudstack._render import to_xml

from .conftest import Sim

AUTH_TEXT = "unable to verify user credentials and/or request signature"


# non-ASCII credentials ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    ["é", "ü" * 28, "\u2603", "\U0001f600", "é+ab", "\ufffd", "\x00", "aé"],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_non_ascii_signature_is_401_not_500(live: Sim, signature: str, method: str) -> None:
    params = live.signed(command="listZones")
    params["signature"] = signature
    if method == "GET":
        response = live.http.get(live.endpoint, params=params)
    else:
        response = live.http.post(live.endpoint, data=params)
    assert response.status_code == 401, response.text
    assert response.json() == {
        "listzonesresponse": {"uuidList": [], "errorcode": 401, "errortext": AUTH_TEXT}
    }


def test_raw_non_utf8_signature_bytes_are_401(live: Sim) -> None:
    params = live.signed(command="listZones")
    del params["signature"]
    query = urlencode(params)
    response = live.http.get(f"{live.endpoint}?{query}&signature=%C3%A9%FF%FE")
    assert response.status_code == 401


def test_non_ascii_signature_with_lenient_tilde_is_401(live: Sim) -> None:
    live.config.accept_unencoded_tilde = True
    params = live.signed(command="listVirtualMachines", name="a~b")
    params["signature"] = "é"
    response = live.http.get(live.endpoint, params=params)
    assert response.status_code == 401


def test_non_ascii_api_key_is_401_xml(live: Sim) -> None:
    params = {"command": "listZones", "apiKey": "clé", "response": "xml"}
    params["signature"] = sign(params, "ß")
    response = live.http.get(live.endpoint, params=params)
    assert response.status_code == 401
    root = ET.fromstring(response.content)
    assert root.tag == "listzonesresponse"
    assert root.findtext("errortext") == AUTH_TEXT


def test_non_ascii_secret_still_verifies(sim: Sim) -> None:
    key, _ = sim.keys["alice"]
    user = sim.state.store.user_by_key(key)
    assert user is not None
    secret = "sécrèt-ü-\u2603"
    sim.state.store.set_user_keys(user[0], key, secret)
    params = {"command": "listZones", "apiKey": key, "response": "json"}
    params["signature"] = sign(params, secret)
    assert sim.http.get(sim.endpoint, params=params).status_code == 200
    params["signature"] = sign(params | {"x": "1"}, secret)[:-1] + "é"
    assert sim.http.get(sim.endpoint, params=params).status_code == 401


# request bodies over the limit --------------------------------------------------------------


def test_oversized_post_is_413_json(live: Sim) -> None:
    params = live.signed(command="listZones")
    body = b"&".join(f"{k}={v}".encode() for k, v in params.items())
    body += b"&pad=" + b"x" * (MAX_BODY + 1)
    response = live.http.post(
        live.endpoint,
        params={"response": "json"},
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    (name,) = response.json()
    assert name == "errorresponse"
    error = response.json()[name]
    assert error["errorcode"] == 413
    assert "8388608" in error["errortext"]
    assert response.headers["content-type"].startswith("application/json")
    # the connection is still usable afterwards
    assert live.http.get(live.endpoint, params=live.signed(command="listZones")).status_code == 200


def test_oversized_post_is_413_xml_by_default(live: Sim) -> None:
    response = live.http.post(
        live.endpoint,
        content=b"a=" + b"y" * (MAX_BODY + 10),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    root = ET.fromstring(response.content)
    assert root.tag == "errorresponse"
    assert root.findtext("errorcode") == "413"


def test_body_of_exactly_the_limit_is_still_read(live: Sim) -> None:
    params = live.signed(command="listZones")
    body = b"&".join(f"{k}={v}".encode() for k, v in params.items()) + b"&pad="
    body += b"x" * (MAX_BODY - len(body))
    assert len(body) == MAX_BODY
    response = live.http.post(
        live.endpoint, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    # pad is not signed: the server read the whole body and rejected the signature
    assert response.status_code == 401


def _asgi_post(headers: list[tuple[bytes, bytes]], chunk: int, limit: int) -> tuple[int, int]:
    """POST an endless body straight to the app; (status, bytes the app pulled)."""
    state = CloudStackState()
    app = create_app(state)
    pulled = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled > limit:
            raise AssertionError(f"the app read {pulled} bytes")
        pulled += chunk
        return {"type": "http.request", "body": b"z" * chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/client/api",
        "root_path": "",
        "query_string": b"response=json",
        "headers": headers,
        "client": ("127.0.0.1", 1),
    }
    try:
        anyio.run(app, scope, receive, send)
    finally:
        state.close()
    return status[0], pulled


def test_endless_body_is_not_read_past_the_limit() -> None:
    status, pulled = _asgi_post([], 1 << 20, 2 * MAX_BODY)
    assert status == 413
    assert pulled <= MAX_BODY + (1 << 20)


def test_declared_oversized_body_is_refused_unread() -> None:
    headers = [(b"content-length", str(MAX_BODY + 1).encode())]
    status, pulled = _asgi_post(headers, 1 << 20, 2 * MAX_BODY)
    assert (status, pulled) == (413, 0)


# XML-illegal characters -----------------------------------------------------------------------

ILLEGAL = "a\ufffeb\uffffc\x00d\x01e\x08f\x0bg\x1fh\ud800i"


def test_xml_never_writes_illegal_characters() -> None:
    document = {
        "listvirtualmachinesresponse": {
            "count": 1,
            "virtualmachine": [
                {"name": ILLEGAL, "details": {"a<b": "1", "x:y": "2", "9k": "3", "": "4"}}
            ],
        }
    }
    text = to_xml(document)
    root = safe_fromstring(text)
    (vm,) = root.findall("virtualmachine")
    name = vm.findtext("name")
    assert name is not None and name.startswith("a") and name.endswith("i")
    assert "\ufffe" not in name and "\x00" not in name
    assert safe_fromstring(to_xml({"r": {"v": "\t\n\r"}})).findtext("v") == "\t\n\r"


def test_vm_named_with_xml_illegal_characters_lists_as_parseable_xml(sim: Sim) -> None:
    vm = sim.deploy(displayname="bad\ufffe\uffffname", **{"details[0].a<b": "1"})
    response = sim.request("listVirtualMachines", id=vm["id"], response="xml")
    assert response.status_code == 200
    root = safe_fromstring(response.content)
    assert root.findtext("virtualmachine/displayname") == "bad\ufffd\ufffdname"
    assert root.findtext("virtualmachine/id") == vm["id"]


def test_error_text_with_control_characters_is_parseable_xml(sim: Sim) -> None:
    response = sim.request("listZones", response="xml", **{"x\x01": "\x01"})
    assert response.status_code == 431
    root = safe_fromstring(response.content)
    assert "is invalid" in (root.findtext("errortext") or "")
