"""The wire protocol with a raw HTTP client: authentication, Google's error shape, operations,
paging and filters, fingerprints, networks, rate limits, and no secrets in answers or reprs."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from omnicloud.sim.gce._jwt import sign

from .conftest import DEBIAN, GceSim


def _wait(http: httpx.Client, op: dict[str, Any]) -> dict[str, Any]:
    assert op.get("kind") == "compute#operation", op
    for _ in range(100):
        if op["status"] == "DONE":
            return op
        response = http.post(f"{op['selfLink']}/wait")
        assert response.status_code == 200, response.text
        op = response.json()
    raise AssertionError("the operation never finished")


def _instance(gce: GceSim, name: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "machineType": f"zones/{gce.zone}/machineTypes/e2-small",
        "disks": [{"boot": True, "autoDelete": True, "initializeParams": {"sourceImage": DEBIAN}}],
        "networkInterfaces": [{"network": "global/networks/default"}],
    }
    body.update(extra)
    return body


def _make(http: httpx.Client, gce: GceSim, name: str, **extra: Any) -> dict[str, Any]:
    response = http.post(f"zones/{gce.zone}/instances", json=_instance(gce, name, **extra))
    assert response.status_code == 200, response.text
    done = _wait(http, response.json())
    assert "error" not in done, done
    got = http.get(f"zones/{gce.zone}/instances/{name}").json()
    assert got["status"] == "RUNNING"
    return dict(got)


def _error(response: httpx.Response, status: int, reason: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status and error["errors"][0]["reason"] == reason
    assert error["errors"][0]["domain"] == "global"
    return str(error["message"])


# authentication ---------------------------------------------------------------------------------


def test_requests_need_a_bearer_token(gce: GceSim) -> None:
    url = f"{gce.url}/compute/v1/projects/{gce.project}/zones"
    message = _error(httpx.get(url), 401, "required")
    assert "missing required authentication credential" in message
    bogus = httpx.get(url, headers={"Authorization": "Bearer ya29.not-a-token"})
    assert "ya29.not-a-token" not in bogus.text
    _error(bogus, 401, "authError")
    _error(httpx.get(url, headers={"Authorization": "Basic dXNlcjpwdw=="}), 401, "authError")


def test_self_signed_jwts_are_checked(gce: GceSim) -> None:
    url = f"{gce.url}/compute/v1/projects/{gce.project}/zones"
    now = int(time.time())
    claims = {
        "iss": gce.state.client_email,
        "sub": gce.state.client_email,
        "aud": "https://compute.googleapis.com/",
        "iat": now,
        "exp": now + 3600,
    }
    good = sign(claims, gce.state.private_key, gce.state.private_key_id)
    assert httpx.get(url, headers={"Authorization": f"Bearer {good}"}).status_code == 200
    for changed in (
        {"aud": "https://storage.googleapis.com/"},
        {"iss": "x@y.z"},
        {"iat": now - 9000, "exp": now - 5400},
    ):
        token = sign({**claims, **changed}, gce.state.private_key, gce.state.private_key_id)
        _error(httpx.get(url, headers={"Authorization": f"Bearer {token}"}), 401, "authError")
    wrong_kid = sign(claims, gce.state.private_key, "0" * 40)
    _error(httpx.get(url, headers={"Authorization": f"Bearer {wrong_kid}"}), 401, "authError")


def test_token_endpoint(gce: GceSim) -> None:
    now = int(time.time())
    claims = {
        "iss": gce.state.client_email,
        "aud": f"{gce.url}/token",
        "iat": now,
        "exp": now + 600,
    }
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    ok = httpx.post(
        f"{gce.url}/token",
        data={"grant_type": grant, "assertion": sign(claims, gce.state.private_key)},
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    listed = httpx.get(
        f"{gce.url}/compute/v1/projects/{gce.project}/regions",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert listed.status_code == 200 and listed.json()["kind"] == "compute#regionList"
    wrong_aud = sign({**claims, "aud": "https://elsewhere/token"}, gce.state.private_key)
    refused = httpx.post(f"{gce.url}/token", data={"grant_type": grant, "assertion": wrong_aud})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    bad_grant = httpx.post(f"{gce.url}/token", data={"grant_type": "password"})
    assert bad_grant.json()["error"] == "unsupported_grant_type"


def test_no_secret_in_reprs(gce: GceSim) -> None:
    info = gce.state.service_account_info("http://x/token")
    pem_body = info["private_key"].splitlines()[1]
    assert pem_body not in repr(gce.state)
    assert gce.key_file.stat().st_mode & 0o777 == 0o600


# errors, resources ---------------------------------------------------------------------------


def test_not_found_and_unknown_project(http: httpx.Client, gce: GceSim) -> None:
    message = _error(http.get(f"zones/{gce.zone}/instances/ghost"), 404, "notFound")
    assert message == (
        f"The resource 'projects/{gce.project}/zones/{gce.zone}/instances/ghost' was not found"
    )
    _error(http.get("zones/mars-1a/instances"), 404, "notFound")
    other = http.get(f"{gce.url}/compute/v1/projects/someone-else/zones")
    _error(other, 404, "notFound")


def test_bad_name_and_body(http: httpx.Client, gce: GceSim) -> None:
    message = _error(
        http.post(f"zones/{gce.zone}/instances", json=_instance(gce, "9lives")), 400, "invalid"
    )
    assert "Must be a match of regex" in message
    bare = _instance(gce, "bare-type", machineType="e2-micro")
    _error(http.post(f"zones/{gce.zone}/instances", json=bare), 400, "invalid")
    broken = http.post(f"zones/{gce.zone}/instances", content=b"{nope")
    assert broken.status_code == 400


def test_operations_get_wait_and_list(http: httpx.Client, gce: GceSim) -> None:
    response = http.post(f"zones/{gce.zone}/instances", json=_instance(gce, "op-vm"))
    op = response.json()
    assert op["status"] in ("RUNNING", "DONE") and op["operationType"] == "insert"
    assert op["zone"].endswith(f"/zones/{gce.zone}") and op["insertTime"]
    assert op["selfLink"].startswith(f"{gce.url}/compute/v1/projects/")
    done = _wait(http, op)
    assert done["progress"] == 100 and done["endTime"] and "error" not in done
    fetched = http.get(f"zones/{gce.zone}/operations/{op['name']}").json()
    assert fetched["status"] == "DONE" and fetched["targetId"] == done["targetId"]
    listed = http.get(f"zones/{gce.zone}/operations").json()
    assert op["name"] in [o["name"] for o in listed["items"]]
    _error(http.get(f"zones/{gce.zone}/operations/operation-nope"), 404, "notFound")
    _wait(http, http.delete(f"zones/{gce.zone}/instances/op-vm").json())


def test_paging_round_trip_and_tampering(http: httpx.Client) -> None:
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        params: dict[str, Any] = {"maxResults": 4}
        if token:
            params["pageToken"] = token
        page = http.get("zones", params=params).json()
        seen += [z["name"] for z in page["items"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    everything = [z["name"] for z in http.get("zones").json()["items"]]
    assert seen == everything and pages == -(-len(everything) // 4)
    first = http.get("zones", params={"maxResults": 4}).json()["nextPageToken"]
    tampered = first[:-2] + ("AA" if first[-2:] != "AA" else "BB")
    _error(http.get("zones", params={"maxResults": 4, "pageToken": tampered}), 400, "invalid")
    other_list = http.get("regions", params={"pageToken": first})
    _error(other_list, 400, "invalid")


def test_filters(http: httpx.Client, gce: GceSim) -> None:
    _make(http, gce, "flt-a", labels={"env": "prod"})
    _make(http, gce, "flt-b", labels={"env": "dev"})
    _make(http, gce, "flt-c", labels={"env": "prod"})

    def names(expression: str) -> list[str]:
        response = http.get(f"zones/{gce.zone}/instances", params={"filter": expression})
        assert response.status_code == 200, response.text
        return [i["name"] for i in response.json().get("items", []) if i["name"].startswith("flt")]

    assert names('name = "flt-a"') == ["flt-a"]
    assert names("name eq flt-[ab]") == ["flt-a", "flt-b"]
    assert names("name ne flt-a") == ["flt-b", "flt-c"]
    assert names("status = RUNNING") == ["flt-a", "flt-b", "flt-c"]
    assert names("status = TERMINATED") == []
    assert names("labels.env = prod") == ["flt-a", "flt-c"]
    assert names("(labels.env = prod) AND (name != flt-a)") == ["flt-c"]
    assert names("(name = flt-a) OR (name = flt-b)") == ["flt-a", "flt-b"]
    assert names('name = "flt-*"') == ["flt-a", "flt-b", "flt-c"]
    bad = http.get(f"zones/{gce.zone}/instances", params={"filter": "name = = x"})
    _error(bad, 400, "invalid")
    aggregated = http.get("aggregated/instances", params={"filter": "labels.env = dev"}).json()
    assert [i["name"] for i in aggregated["items"][f"zones/{gce.zone}"]["instances"]] == ["flt-b"]
    for name in ("flt-a", "flt-b", "flt-c"):
        _wait(http, http.delete(f"zones/{gce.zone}/instances/{name}").json())


def test_aggregated_paging(http: httpx.Client) -> None:
    first = http.get("aggregated/machineTypes", params={"maxResults": 10}).json()
    scope_items = [s for s in first["items"].values() if "machineTypes" in s]
    assert sum(len(s["machineTypes"]) for s in scope_items) == 10
    assert any("warning" in s for s in first["items"].values())
    second = http.get(
        "aggregated/machineTypes", params={"maxResults": 10, "pageToken": first["nextPageToken"]}
    ).json()
    names_1 = {(k, m["name"]) for k, s in first["items"].items() for m in s.get("machineTypes", [])}
    names_2 = {
        (k, m["name"]) for k, s in second["items"].items() for m in s.get("machineTypes", [])
    }
    assert names_1 and names_2 and not names_1 & names_2


def test_fingerprints_labels_metadata_tags(http: httpx.Client, gce: GceSim) -> None:
    vm = _make(http, gce, "fp-vm", labels={"a": "1"})
    base = f"zones/{gce.zone}/instances/fp-vm"
    stale = http.post(f"{base}/setLabels", json={"labels": {"b": "2"}, "labelFingerprint": "x"})
    _error(stale, 412, "conditionNotMet")
    fresh = {"labels": {"b": "2"}, "labelFingerprint": vm["labelFingerprint"]}
    _wait(http, http.post(f"{base}/setLabels", json=fresh).json())
    after = http.get(base).json()
    assert after["labels"] == {"b": "2"} and after["labelFingerprint"] != vm["labelFingerprint"]

    items = [{"key": "ssh-keys", "value": "me:ssh-ed25519 AAAA me"}]
    stale_md = http.post(f"{base}/setMetadata", json={"items": items, "fingerprint": "nope"})
    _error(stale_md, 412, "conditionNotMet")
    md = {"items": items, "fingerprint": after["metadata"]["fingerprint"]}
    _wait(http, http.post(f"{base}/setMetadata", json=md).json())
    assert http.get(base).json()["metadata"]["items"] == items

    tags = {"items": ["web", "db"], "fingerprint": after["tags"]["fingerprint"]}
    _wait(http, http.post(f"{base}/setTags", json=tags).json())
    assert http.get(base).json()["tags"]["items"] == ["web", "db"]
    _error(http.post(f"{base}/setTags", json=tags), 412, "conditionNotMet")
    _wait(http, http.delete(base).json())


def test_project_metadata(http: httpx.Client, gce: GceSim) -> None:
    project = http.get(f"{gce.url}/compute/v1/projects/{gce.project}").json()
    assert project["kind"] == "compute#project" and project["name"] == gce.project
    metadata = project["commonInstanceMetadata"]
    url = f"{gce.url}/compute/v1/projects/{gce.project}/setCommonInstanceMetadata"
    items = [{"key": "enable-oslogin", "value": "TRUE"}]
    _error(http.post(url, json={"items": items, "fingerprint": "stale"}), 412, "conditionNotMet")
    op = http.post(url, json={"items": items, "fingerprint": metadata["fingerprint"]}).json()
    assert "zone" not in op and _wait(http, op)["operationType"] == "setMetadata"
    again = http.get(f"{gce.url}/compute/v1/projects/{gce.project}").json()
    assert again["commonInstanceMetadata"]["items"] == items
    assert again["commonInstanceMetadata"]["fingerprint"] != metadata["fingerprint"]


def test_attach_and_detach_disk(http: httpx.Client, gce: GceSim) -> None:
    _make(http, gce, "att-vm")
    _wait(http, http.post(f"zones/{gce.zone}/disks", json={"name": "att-d", "sizeGb": "20"}).json())
    base = f"zones/{gce.zone}/instances/att-vm"
    source = f"zones/{gce.zone}/disks/att-d"
    _wait(
        http, http.post(f"{base}/attachDisk", json={"source": source, "deviceName": "extra"}).json()
    )
    vm = http.get(base).json()
    assert [d["deviceName"] for d in vm["disks"]][-1] == "extra"
    disk = http.get(source).json()
    assert disk["users"] == [vm["selfLink"]]
    _error(http.delete(source), 400, "resourceInUseByAnotherResource")
    _error(http.post(f"{base}/detachDisk", params={"deviceName": "nope"}), 400, "invalid")
    _wait(http, http.post(f"{base}/detachDisk", params={"deviceName": "extra"}).json())
    assert "users" not in http.get(source).json()
    _wait(http, http.delete(base).json())
    _wait(http, http.delete(source).json())


def test_networks_and_subnetworks(http: httpx.Client) -> None:
    default = http.get("global/networks/default").json()
    assert default["autoCreateSubnetworks"] is True and default["subnetworks"]
    subnets = http.get("regions/us-central1/subnetworks").json()["items"]
    assert subnets[0]["ipCidrRange"] == "10.128.0.0/20"
    _wait(
        http,
        http.post(
            "global/networks", json={"name": "custom", "autoCreateSubnetworks": False}
        ).json(),
    )
    body = {"name": "custom-a", "network": "global/networks/custom", "ipCidrRange": "10.9.0.0/24"}
    _wait(http, http.post("regions/us-central1/subnetworks", json=body).json())
    clash = {**body, "name": "custom-b", "ipCidrRange": "10.9.0.128/25"}
    _error(http.post("regions/us-central1/subnetworks", json=clash), 400, "invalid")
    _error(http.delete("global/networks/custom"), 400, "resourceInUseByAnotherResource")
    _wait(http, http.delete("regions/us-central1/subnetworks/custom-a").json())
    _wait(http, http.delete("global/networks/custom").json())
    _error(http.get("global/networks/custom"), 404, "notFound")
    _error(http.post("global/networks", json={"name": "default"}), 409, "alreadyExists")


def test_rate_limit_is_429(http: httpx.Client, gce: GceSim) -> None:
    gce.config.rate_limit = 1
    try:
        answers = [http.get("zones") for _ in range(3)]
    finally:
        gce.config.rate_limit = None
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    assert limited[0].headers["Retry-After"].isdigit()
    _error(limited[0], 429, "rateLimitExceeded")
    assert http.get("zones").status_code == 200


@pytest.mark.parametrize("path", ["regions/us-central1", "zones/us-central1-a"])
def test_places(http: httpx.Client, path: str) -> None:
    got = http.get(path).json()
    assert got["status"] == "UP" and got["selfLink"].endswith(path)


def test_google_auth_token_flows(gce: GceSim) -> None:
    import google.auth.jwt
    import google.auth.transport.requests
    from google.oauth2 import service_account

    url = f"{gce.url}/compute/v1/projects/{gce.project}/zones"
    scopes = ["https://www.googleapis.com/auth/compute"]
    granted = service_account.Credentials.from_service_account_file(
        str(gce.key_file), scopes=scopes
    )
    granted.refresh(google.auth.transport.requests.Request())  # POST /token
    assert granted.token.startswith("ya29.") and granted.expiry is not None
    headers = {"Authorization": f"Bearer {granted.token}"}
    assert httpx.get(url, headers=headers).status_code == 200
    scoped = google.auth.jwt.Credentials.from_signing_credentials(
        granted, None, additional_claims={"scope": scopes[0]}
    )  # a self-signed JWT with a scope claim and no audience, as google-auth makes with scopes
    scoped.refresh(google.auth.transport.requests.Request())
    token = scoped.token.decode() if isinstance(scoped.token, bytes) else scoped.token
    assert httpx.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
