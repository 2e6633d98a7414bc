"""The wire protocol itself: version documents, Keystone v3/v2.0 tokens, error documents,
microversions, paging links, faults and persistence."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import httpx
import keystoneauth1.exceptions
import openstack
import pytest

from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.transport import SyncASGITransport

from .conftest import OsSim

UNAUTHORIZED = {
    "error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }
}


def _password_auth(user: dict[str, Any], scope: Any = None) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "identity": {"methods": ["password"], "password": {"user": user}},
    }
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


def test_version_documents_need_no_token(os_sim: OsSim) -> None:
    base = os_sim.server.url
    root = httpx.get(f"{base}/identity")
    assert root.status_code == 300
    assert [v["id"] for v in root.json()["versions"]["values"]] == ["v3.14", "v2.0"]
    v3 = httpx.get(f"{base}/identity/v3").json()["version"]
    assert v3["status"] == "stable" and v3["links"][0]["href"] == f"{base}/identity/v3/"
    nova = httpx.get(f"{base}/compute/v2.1").json()["version"]
    assert (nova["min_version"], nova["version"]) == ("2.1", "2.90")
    assert httpx.get(f"{base}/image").status_code == 300
    assert httpx.get(f"{base}/networking").json()["versions"][0]["id"] == "v2.0"
    assert httpx.get(f"{base}/volume/v3").json()["version"]["version"] == "3.70"


def test_password_token_carries_the_catalog(os_sim: OsSim) -> None:
    token, body = os_sim.token()
    assert token.startswith("gAAAAA")
    assert token not in repr(os_sim.state)
    info = body["token"]
    assert info["methods"] == ["password"]
    assert info["user"]["name"] == "admin" and info["project"]["name"] == "demo"
    assert info["project"]["domain"] == {"id": "default", "name": "Default"}
    assert {r["name"] for r in info["roles"]} == {"admin", "member", "reader"}
    services = {entry["type"]: entry for entry in info["catalog"]}
    assert set(services) >= {"identity", "compute", "image", "network", "volumev3", "block-storage"}
    for entry in services.values():
        assert sorted(e["interface"] for e in entry["endpoints"]) == ["admin", "internal", "public"]
        assert {e["region_id"] for e in entry["endpoints"]} == {"RegionOne"}
    compute = services["compute"]["endpoints"][0]["url"]
    assert compute == f"{os_sim.server.url}/compute/v2.1"
    volume = services["volumev3"]["endpoints"][0]["url"]
    assert volume.endswith(f"/volume/v3/{info['project']['id']}")


def test_password_auth_by_ids_and_validation(os_sim: OsSim) -> None:
    _, body = os_sim.token()
    user_id, project_id = body["token"]["user"]["id"], body["token"]["project"]["id"]
    response = httpx.post(
        f"{os_sim.auth_url}/auth/tokens",
        json=_password_auth(
            {"id": user_id, "password": os_sim.state.password}, {"project": {"id": project_id}}
        ),
    )
    assert response.status_code == 201
    subject = response.headers["X-Subject-Token"]
    caller, _ = os_sim.token()
    headers = {"X-Auth-Token": caller, "X-Subject-Token": subject}
    checked = httpx.get(f"{os_sim.auth_url}/auth/tokens", headers=headers)
    assert checked.status_code == 200
    assert checked.headers["X-Subject-Token"] == subject
    assert checked.json()["token"]["project"]["id"] == project_id
    assert httpx.head(f"{os_sim.auth_url}/auth/tokens", headers=headers).status_code == 200
    assert httpx.delete(f"{os_sim.auth_url}/auth/tokens", headers=headers).status_code == 204
    assert httpx.get(f"{os_sim.auth_url}/auth/tokens", headers=headers).status_code == 404
    revoked = httpx.get(
        f"{os_sim.server.url}/compute/v2.1/flavors", headers={"X-Auth-Token": subject}
    )
    assert revoked.status_code == 401
    assert revoked.json() == UNAUTHORIZED
    assert revoked.headers["WWW-Authenticate"].startswith("Keystone uri=")


@pytest.mark.parametrize(
    "user",
    [
        {"name": "admin", "domain": {"name": "Default"}, "password": "wrong"},
        {"name": "nobody", "domain": {"name": "Default"}, "password": "wrong"},
        {"name": "admin", "domain": {"name": "Elsewhere"}, "password": "wrong"},
        {"id": "0" * 32, "password": "wrong"},
    ],
)
def test_bad_credentials_are_keystones_401(os_sim: OsSim, user: dict[str, Any]) -> None:
    response = httpx.post(f"{os_sim.auth_url}/auth/tokens", json=_password_auth(user))
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert "X-Subject-Token" not in response.headers


def test_openstacksdk_with_a_bad_password_is_unauthorized(os_sim: OsSim) -> None:
    conn = os_sim.connect(password="not-the-password")
    with pytest.raises((keystoneauth1.exceptions.Unauthorized, openstack.exceptions.HttpException)):
        list(conn.compute.flavors())
    conn.close()


def test_token_method_and_missing_token(os_sim: OsSim) -> None:
    token, _ = os_sim.token()
    response = httpx.post(
        f"{os_sim.auth_url}/auth/tokens",
        json={
            "auth": {
                "identity": {"methods": ["token"], "token": {"id": token}},
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        },
    )
    assert response.status_code == 201
    assert response.json()["token"]["project"]["name"] == "admin"
    assert "token" in response.json()["token"]["methods"]
    missing = httpx.get(f"{os_sim.server.url}/compute/v2.1/servers")
    assert missing.status_code == 401 and missing.json() == UNAUTHORIZED


def test_application_credentials(os_sim: OsSim) -> None:
    token, body = os_sim.token()
    user_id = body["token"]["user"]["id"]
    created = httpx.post(
        f"{os_sim.auth_url}/users/{user_id}/application_credentials",
        headers={"X-Auth-Token": token},
        json={"application_credential": {"name": "ci"}},
    )
    assert created.status_code == 201, created.text
    credential = created.json()["application_credential"]
    secret = credential["secret"]
    listed = httpx.get(
        f"{os_sim.auth_url}/users/{user_id}/application_credentials",
        headers={"X-Auth-Token": token},
    ).json()["application_credentials"]
    assert [c["name"] for c in listed] == ["ci"] and "secret" not in listed[0]
    conn = openstack.connect(
        auth_type="v3applicationcredential",
        auth_url=os_sim.auth_url,
        application_credential_id=credential["id"],
        application_credential_secret=secret,
        region_name="RegionOne",
    )
    assert "m1.tiny" in {f.name for f in conn.compute.flavors()}
    conn.close()
    by_name = httpx.post(
        f"{os_sim.auth_url}/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["application_credential"],
                    "application_credential": {
                        "name": "ci",
                        "secret": secret,
                        "user": {"id": user_id},
                    },
                }
            }
        },
    )
    assert by_name.status_code == 201
    assert by_name.json()["token"]["application_credential"]["id"] == credential["id"]
    wrong = httpx.post(
        f"{os_sim.auth_url}/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["application_credential"],
                    "application_credential": {"id": credential["id"], "secret": "nope"},
                }
            }
        },
    )
    assert wrong.status_code == 401 and wrong.json() == UNAUTHORIZED
    assert (
        httpx.delete(
            f"{os_sim.auth_url}/users/{user_id}/application_credentials/{credential['id']}",
            headers={"X-Auth-Token": token},
        ).status_code
        == 204
    )


@pytest.mark.parametrize("path", ["/identity/v2.0/tokens", "/v2.0/tokens"])
def test_v2_tokens_for_old_clients(os_sim: OsSim, path: str) -> None:
    response = httpx.post(
        f"{os_sim.server.url}{path}",
        json={
            "auth": {
                "passwordCredentials": {"username": "admin", "password": os_sim.state.password},
                "tenantName": "demo",
            }
        },
    )
    assert response.status_code == 200
    access = response.json()["access"]
    assert access["token"]["tenant"]["name"] == "demo"
    assert access["user"]["name"] == "admin"
    compute = next(s for s in access["serviceCatalog"] if s["type"] == "compute")
    endpoint = compute["endpoints"][0]
    assert endpoint["region"] == "RegionOne" and endpoint["publicURL"].endswith("/compute/v2.1")
    flavors = httpx.get(
        f"{endpoint['publicURL']}/flavors", headers={"X-Auth-Token": access["token"]["id"]}
    )
    assert flavors.status_code == 200 and len(flavors.json()["flavors"]) == 5
    bad = httpx.post(
        f"{os_sim.server.url}{path}",
        json={
            "auth": {
                "passwordCredentials": {"username": "admin", "password": "x"},
                "tenantName": "demo",
            }
        },
    )
    assert bad.status_code == 401 and bad.json() == UNAUTHORIZED


def test_microversions_are_negotiated_and_echoed(http: httpx.Client) -> None:
    plain = http.get("/compute/v2.1/flavors/detail")
    assert plain.headers["OpenStack-API-Version"] == "compute 2.1"
    assert plain.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert "extra_specs" not in plain.json()["flavors"][0]
    newer = http.get(
        "/compute/v2.1/flavors/detail", headers={"OpenStack-API-Version": "compute 2.61"}
    )
    assert newer.headers["OpenStack-API-Version"] == "compute 2.61"
    assert newer.json()["flavors"][0]["extra_specs"] == {"hw_rng:allowed": "True"}
    legacy = http.get("/compute/v2.1/flavors", headers={"X-OpenStack-Nova-API-Version": "2.10"})
    assert legacy.headers["X-OpenStack-Nova-API-Version"] == "2.10"
    latest = http.get("/compute/v2.1/flavors", headers={"OpenStack-API-Version": "compute latest"})
    assert latest.headers["OpenStack-API-Version"] == "compute 2.90"
    too_new = http.get("/compute/v2.1/flavors", headers={"OpenStack-API-Version": "compute 2.999"})
    assert too_new.status_code == 406
    assert too_new.json() == {
        "computeFault": {
            "code": 406,
            "message": (
                "Version 2.999 is not supported by the API. Minimum is 2.1 and maximum is 2.90."
            ),
        }
    }


def test_nova_error_documents(http: httpx.Client) -> None:
    missing = http.get("/compute/v2.1/servers/abc")
    assert missing.status_code == 404
    assert missing.json() == {
        "itemNotFound": {"code": 404, "message": "Instance abc could not be found."}
    }
    bad = http.post("/compute/v2.1/servers", json={"server": {"name": "x", "flavorRef": "nope"}})
    assert bad.status_code == 400 and "badRequest" in bad.json()
    action = http.post("/compute/v2.1/servers/abc/action", json={"reboot": {"type": "SOFT"}})
    assert action.status_code == 404
    glance = http.get("/image/v2/images/abc")
    assert glance.status_code == 404 and glance.text.startswith("404 Not Found")
    cinder = http.get("/compute/v2.1/os-keypairs/none")
    assert cinder.json()["itemNotFound"]["message"].startswith("Keypair none not found")


def test_server_paging_links(http: httpx.Client, os_sim: OsSim) -> None:
    image = "a7c3f4d0-5f1e-4c1a-9c3e-0b7e1d2c3f01"
    ids = []
    for index in range(3):
        made = http.post(
            "/compute/v2.1/servers",
            json={"server": {"name": f"raw-{index}", "flavorRef": "1", "imageRef": image}},
        )
        assert made.status_code == 202, made.text
        assert made.headers["Location"].endswith(made.json()["server"]["id"])
        assert made.json()["server"]["adminPass"]
        ids.append(made.json()["server"]["id"])
    try:
        first = http.get("/compute/v2.1/servers", params={"limit": 2, "name": "^raw-"}).json()
        assert [s["name"] for s in first["servers"]] == ["raw-2", "raw-1"]
        (link,) = first["servers_links"]
        assert link["rel"] == "next" and f"marker={ids[1]}" in link["href"]
        second = http.get(link["href"]).json()
        assert [s["name"] for s in second["servers"]] == ["raw-0"]
        assert "servers_links" not in second
        bad_marker = http.get("/compute/v2.1/servers", params={"marker": "nope"})
        assert bad_marker.status_code == 400
        assert bad_marker.json()["badRequest"]["message"] == "marker [nope] not found"
    finally:
        for ident in ids:
            assert http.delete(f"/compute/v2.1/servers/{ident}").status_code == 204


def test_cinder_path_must_name_the_callers_project(http: httpx.Client) -> None:
    response = http.get("/volume/v3/someone-else/volumes")
    assert response.status_code == 403


def test_faults_answer_in_the_services_shape() -> None:
    state = OpenStackState()
    config = SimConfig()
    with httpx.Client(
        transport=SyncASGITransport(create_app(state, config=config)), base_url="http://sim"
    ) as client:
        config.error_rate = 1.0
        failed = client.get("/compute/v2.1/flavors")
        assert failed.status_code == 503
        assert failed.json()["serviceUnavailable"]["code"] == 503
        neutron = client.get("/networking/v2.0/networks")
        assert neutron.status_code == 503 and "NeutronError" in neutron.json()
        config.error_rate = 0.0
        config.rate_limit = 1
        client.get("/identity/v3")
        limited = client.get("/identity/v3")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    state.close()


def test_state_file_keeps_password_and_servers(tmp_path: Path) -> None:
    path = tmp_path / "os.db"
    first = OpenStackState(path)
    password = first.password
    assert password not in repr(first)
    config = SimConfig(server_latency=0)
    with httpx.Client(
        transport=SyncASGITransport(create_app(first, config=config)), base_url="http://sim"
    ) as client:
        token = client.post(
            "/identity/v3/auth/tokens",
            json=_password_auth(
                {"name": "admin", "domain": {"id": "default"}, "password": password},
                {"project": {"name": "demo", "domain": {"id": "default"}}},
            ),
        ).headers["X-Subject-Token"]
        made = client.post(
            "/compute/v2.1/servers",
            headers={"X-Auth-Token": token},
            json={
                "server": {
                    "name": "kept",
                    "flavorRef": "1",
                    "imageRef": "a7c3f4d0-5f1e-4c1a-9c3e-0b7e1d2c3f01",
                }
            },
        )
        assert made.status_code == 202
    first.close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = OpenStackState(path)
    assert second.password == password
    assert [s["name"] for s in second.all("servers")] == ["kept"]
    assert len(second.all("flavors")) == 5  # not seeded twice
    second.close()


def test_malformed_auth_never_echoes_the_secret(os_sim: OsSim) -> None:
    response = httpx.post(
        f"{os_sim.auth_url}/auth/tokens",
        json={"auth": {"identity": {"methods": ["password"], "password": "hunter2-secret"}}},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400
    assert "hunter2" not in response.text


def test_glance_next_link_is_relative_to_v2(http: httpx.Client) -> None:
    first = http.get("/image/v2/images", params={"limit": 1}).json()
    assert len(first["images"]) == 1
    assert first["next"].startswith("/v2/images?")
    assert f"marker={first['images'][0]['id']}" in first["next"]
    assert first["images"][0]["self"] == f"/v2/images/{first['images'][0]['id']}"
    rest = http.get("/image" + first["next"]).json()
    assert [i["id"] for i in rest["images"]] != [first["images"][0]["id"]]
