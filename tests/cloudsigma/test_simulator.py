"""The simulator's wire behaviour: status codes, envelopes, state rules and persistence."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from omnicloud.sim.cloudsigma import CloudSigmaState, create_app
from omnicloud.sim.server import serve_in_thread

from .conftest import Sim


@pytest.fixture
def http(sim: Sim) -> httpx.Client:
    return httpx.Client(base_url=sim.endpoint, auth=sim.state.credentials)


def test_status_codes_and_envelopes(http: httpx.Client) -> None:
    created = http.post(
        "drives/", json={"objects": [{"name": "w", "size": 2**30, "media": "disk"}]}
    )
    assert created.status_code == 201 and created.json()["objects"][0]["status"] == "creating"
    uuid = created.json()["objects"][0]["uuid"]
    bare = http.post(
        "servers/", json={"name": "bare", "cpu": 1000, "mem": 2**30, "vnc_password": "v"}
    )
    assert bare.status_code == 201 and "objects" in bare.json()
    server = bare.json()["objects"][0]["uuid"]
    started = http.post(f"servers/{server}/action/", params={"do": "start"}, json={})
    assert started.status_code == 202 and started.json()["result"] == "success"
    slim = http.get("servers/", params={"limit": 0}).json()["objects"][0]
    assert set(slim) == {"uuid", "name", "owner", "resource_uri", "runtime", "status"}
    busy = http.delete(f"drives/{uuid}/")
    assert busy.status_code in (204, 403)
    time.sleep(0.1)
    deleted = http.delete(f"drives/{uuid}/") if busy.status_code == 403 else busy
    assert deleted.status_code == 204 and deleted.content == b""
    assert http.get("servers/", params={"limit": 1}).json()["meta"]["limit"] == 1
    assert http.request("PATCH", "balance/").status_code in (404, 405)


def test_errors_use_cloudsigma_bodies(http: httpx.Client) -> None:
    answer = http.post("drives/", json={"name": "big", "size": 10**15, "media": "disk"})
    assert answer.status_code == 400
    (error,) = answer.json()
    assert error["error_type"] == "validation" and error["error_point"] == "size"
    assert http.get("nothing/").json()[0]["error_type"] == "notexist"
    unauthorised = httpx.get(str(http.base_url) + "balance/", auth=("x", "y"))
    assert unauthorised.status_code == 401
    assert unauthorised.headers["www-authenticate"].startswith("Basic")


def test_library_disks_must_be_cloned_and_mounted_drives_kept(http: httpx.Client) -> None:
    libs = http.get("libdrives/", params={"limit": 0}).json()["objects"]
    disk = next(d for d in libs if d["media"] == "disk")
    refused = http.post(
        "servers/",
        json={
            "name": "x",
            "cpu": 1000,
            "mem": 2**30,
            "vnc_password": "v",
            "drives": [{"drive": disk["uuid"], "device": "virtio", "dev_channel": "0:0"}],
        },
    )
    assert refused.status_code == 400 and "clone" in refused.json()[0]["error_message"]
    clone = http.post(f"libdrives/{disk['uuid']}/action/", params={"do": "clone"}, json={})
    assert clone.status_code == 202
    assert clone.json()["objects"][0]["status"] == "cloning_dst"
    assert clone.json()["objects"][0]["meta"]["distribution"] == disk["distribution"]


def test_no_funds_no_start(sim: Sim, http: httpx.Client) -> None:
    saved = sim.state.balance
    server = http.post(
        "servers/", json={"name": "poor", "cpu": 1000, "mem": 2**30, "vnc_password": "v"}
    ).json()["objects"][0]["uuid"]
    sim.state.charge(saved + 1)
    try:
        answer = http.post(f"servers/{server}/action/", params={"do": "start"}, json={})
        assert answer.status_code == 402 and answer.json()[0]["error_type"] == "payment"
    finally:
        sim.state.charge(-(saved + 1))
    assert http.delete(f"servers/{server}/").status_code == 204


def test_state_persists_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "cs.db"
    state = CloudSigmaState(path, password="first-pass")
    with serve_in_thread(create_app(state)) as server:
        http = httpx.Client(base_url=f"{server.url}/api/2.0/", auth=state.credentials)
        http.post("tags/", json={"objects": [{"name": "kept"}]})
    state.close()
    again = CloudSigmaState(path)
    assert again.password == "first-pass"
    assert [t["name"] for t in again.all("tags")] == ["kept"]
