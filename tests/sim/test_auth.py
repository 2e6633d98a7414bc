"""Request authentication: signatures, signatureVersion 3 / expires, 401 bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from omnicloud.cloudstack._signing import sign

from .conftest import Sim

AUTH_TEXT = "unable to verify user credentials and/or request signature"


def test_signature_vector_matches_the_servers_rule() -> None:
    params = {"apiKey": "fnord", "command": "listVirtualMachines", "response": "json"}
    assert sign(params, "abracadabra") == "z/a9Y7J52u48VpqIgiwaGUMCso0="


def test_signed_request_is_accepted(sim: Sim) -> None:
    assert sim.call("listZones")["count"] == 2


def _assert_401(response_json: dict[str, object], status: int, key: str) -> None:
    assert status == 401
    assert list(response_json) == [key]
    body = response_json[key]
    assert body == {"uuidList": [], "errorcode": 401, "errortext": AUTH_TEXT}


def test_wrong_secret_is_401(sim: Sim) -> None:
    params = sim.signed(command="listZones")
    params["signature"] = sign({k: v for k, v in params.items() if k != "signature"}, "wrong")
    response = sim.http.get(sim.endpoint, params=params)
    _assert_401(response.json(), response.status_code, "listzonesresponse")
    assert response.headers["x-description"] == AUTH_TEXT
    assert response.headers["content-type"] == "application/json; charset=UTF-8"


def test_tampered_parameter_is_401(sim: Sim) -> None:
    params = sim.signed(command="listVirtualMachines", name="a")
    params["name"] = "b"
    response = sim.http.get(sim.endpoint, params=params)
    assert response.status_code == 401


@pytest.mark.parametrize("drop", ["apiKey", "signature"])
def test_missing_key_or_signature_is_401(sim: Sim, drop: str) -> None:
    params = sim.signed(command="listZones")
    del params[drop]
    assert sim.http.get(sim.endpoint, params=params).status_code == 401


def test_unknown_command_is_401_with_errorresponse(sim: Sim) -> None:
    response = sim.request("listNothingAtAll")
    _assert_401(response.json(), response.status_code, "errorresponse")


def test_unknown_api_key_is_401(sim: Sim) -> None:
    params = sim.signed(command="listZones")
    params["apiKey"] = "nobody"
    assert sim.http.get(sim.endpoint, params=params).status_code == 401


def _v3(sim: Sim, expires: str, version_name: str = "signatureVersion") -> int:
    key, secret = sim.keys["admin"]
    params = {"command": "listZones", "response": "json", "apiKey": key}
    params[version_name] = "3"
    params["expires"] = expires
    params["signature"] = sign(params, secret)
    return sim.http.get(sim.endpoint, params=params).status_code


def test_expired_v3_request_is_401(sim: Sim) -> None:
    past = (datetime.now(UTC) - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    assert _v3(sim, past) == 401


@pytest.mark.parametrize(
    "fmt", ["%Y-%m-%dT%H:%M:%S+0000", "%Y-%m-%dT%H:%M:%S+00:00", "%Y-%m-%dT%H:%M:%SZ"]
)
def test_v3_expires_formats(sim: Sim, fmt: str) -> None:
    future = (datetime.now(UTC) + timedelta(minutes=5)).strftime(fmt)
    assert _v3(sim, future) == 200
    assert _v3(sim, future, "SIGNATUREVERSION") == 200


def test_v3_without_expires_is_401(sim: Sim) -> None:
    key, secret = sim.keys["admin"]
    params = {"command": "listZones", "response": "json", "apiKey": key, "signatureVersion": "3"}
    params["signature"] = sign(params, secret)
    assert sim.http.get(sim.endpoint, params=params).status_code == 401


def test_v3_expires_without_zone_is_401(sim: Sim) -> None:
    future = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    assert _v3(sim, future) == 401


def test_unsigned_legacy_request_without_expires_is_accepted(sim: Sim) -> None:
    response = sim.http.get(sim.endpoint, params=sim.signed(v3=False, command="listZones"))
    assert response.status_code == 200


def test_duplicate_parameters_first_value_wins(sim: Sim) -> None:
    params = sim.signed(command="listZones", name="Sandbox-Advanced")
    query = [*params.items(), ("name", "Sandbox-Basic")]
    response = sim.http.get(sim.endpoint, params=query)
    assert response.status_code == 200
    assert [z["name"] for z in response.json()["listzonesresponse"]["zone"]] == ["Sandbox-Advanced"]


def test_post_form_body_is_accepted(sim: Sim) -> None:
    response = sim.request("listZones", post=True)
    assert response.status_code == 200
    assert response.json()["listzonesresponse"]["count"] == 2


def test_special_characters_in_values(sim: Sim) -> None:
    for value in ("a*b", "two words", "zürich ☁", "x+y/z=w", "[brackets]"):
        body = sim.call("listVirtualMachines", keyword=value)
        assert body == {}


def _python_tilde_signature(sim: Sim) -> dict[str, str]:
    import base64
    import hashlib
    import hmac
    from urllib.parse import quote

    key, secret = sim.keys["admin"]
    params = {"command": "listZones", "response": "json", "apiKey": key, "keyword": "a~b"}
    text = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(params.items())).lower()
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    params["signature"] = base64.b64encode(digest).decode()
    return params


def test_tilde_signed_python_style_is_rejected_like_the_real_server(sim: Sim) -> None:
    assert sim.http.get(sim.endpoint, params=_python_tilde_signature(sim)).status_code == 401
    assert sim.call("listZones", keyword="a~b") == {}  # Java-style encoding is fine


def test_tilde_leniency_knob(sim: Sim) -> None:
    sim.config.accept_unencoded_tilde = True
    assert sim.http.get(sim.endpoint, params=_python_tilde_signature(sim)).status_code == 200


def test_control_characters_are_431(sim: Sim) -> None:
    status, body = sim.error("listZones", keyword="tab\there")
    assert status == 431 and "non-printable" in body["errortext"]
