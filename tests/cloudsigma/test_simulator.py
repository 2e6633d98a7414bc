"""The simulator's wire behaviour: status codes, envelopes, state rules and persistence."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from omnicloud.sim.cloudsigma import CloudSigmaState, SimConfig, create_app
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


V = {"vnc_password": "v"}
LIMIT_CASES = [
    ("servers/", {"name": "m", "cpu": 1000, "mem": 2**20, **V}, "mem", "greater"),
    ("servers/", {"name": "s", "cpu": 1000, "mem": 2**30, "smp": 41, **V}, "smp", "less"),
    ("servers/", {"name": "c", "cpu": 20000, "mem": 2**30, "smp": 1, **V}, "smp", "per core"),
    ("servers/", {"name": "n", "cpu": 1000, "mem": 2**30}, "vnc_password", "required"),
    ("drives/", {"name": "tiny", "size": 2**20, "media": "disk"}, "size", "between"),
    ("drives/", {"name": "t", "size": 2**30, "media": "tape"}, "media", "valid choice"),
    ("subscriptions/", {"amount": 1, "period": "1 month", "resource": "gold"}, "resource", "valid"),
]


@pytest.mark.parametrize(("path", "body", "point", "words"), LIMIT_CASES)
def test_capability_limits_answer_validation_bodies(
    http: httpx.Client, path: str, body: dict[str, object], point: str, words: str
) -> None:
    answer = http.post(path, json={"objects": [body]})
    assert answer.status_code == 400
    (error,) = answer.json()
    assert set(error) == {"error_type", "error_point", "error_message"}
    assert (error["error_type"], error["error_point"]) == ("validation", point)
    assert words in error["error_message"]


def test_capability_overrides_are_enforced(sim: Sim, http: httpx.Client, knobs: SimConfig) -> None:
    knobs.capabilities = {"servers": {"mem": {"max": 2**31}}}
    assert http.get("capabilities/").json()["servers"]["mem"]["max"] == 2**31
    answer = http.post(
        "servers/",
        json={"objects": [{"name": "x", "cpu": 1000, "mem": 2**32, "vnc_password": "v"}]},
    )
    assert answer.status_code == 400 and answer.json()[0]["error_point"] == "mem"


def test_pagination_edges(http: httpx.Client) -> None:
    everything = http.get("libdrives/", params={"limit": 0}).json()
    total = everything["meta"]["total_count"]
    assert len(everything["objects"]) == total == 9
    past = http.get("libdrives/", params={"limit": 5, "offset": total + 3}).json()
    assert past["objects"] == [] and past["meta"]["total_count"] == total
    last = http.get("libdrives/", params={"limit": 4, "offset": 8}).json()
    assert [d["uuid"] for d in last["objects"]] == [everything["objects"][8]["uuid"]]
    filtered = http.get("libdrives/", params={"media": "cdrom", "limit": 0}).json()
    assert filtered["meta"]["total_count"] == len(filtered["objects"]) == 4


def test_vlan_subscription_charges_and_creates_the_vlan(sim: Sim, http: httpx.Client) -> None:
    before = Decimal(http.get("balance/").json()["balance"])
    answer = http.post(
        "subscriptions/",
        json={"objects": [{"amount": 2, "period": "30 days", "resource": "vlan"}]},
    )
    assert answer.status_code == 201
    subs = answer.json()["objects"]
    assert len(subs) == 2 and Decimal(answer.json()["price"]) == Decimal("18.0000")
    assert Decimal(http.get("balance/").json()["balance"]) == before - Decimal("18.00")
    for sub in subs:
        vlan = http.get(f"vlans/{sub['subscribed_object']}/").json()
        assert vlan["subscription"]["id"] == sub["id"] and vlan["servers"] == []
    toggled = http.post(
        f"subscriptions/{subs[0]['id']}/action/", params={"do": "auto_renew"}, json={}
    )
    assert toggled.status_code == 200 and toggled.json()["auto_renew"] is True


def test_drive_and_server_actions_answer_202_with_their_envelopes(
    sim: Sim, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # long enough that the early resize surely arrives while the drive is still being created
    # (the shared fast setting, 20 ms, can pass on a loaded machine before the next request)
    monkeypatch.setattr(sim.config, "drive_latency", 0.5)
    drive = http.post(
        "drives/", json={"objects": [{"name": "r", "size": 2**30, "media": "disk"}]}
    ).json()["objects"][0]
    path = f"drives/{drive['uuid']}/"
    early = http.post(path + "action/", params={"do": "resize"}, json={**drive, "size": 2**31})
    assert early.status_code == 403  # still creating
    deadline = time.monotonic() + 5
    while http.get(path).json()["status"] != "unmounted" and time.monotonic() < deadline:
        time.sleep(0.01)
    resized = http.post(path + "action/", params={"do": "resize"}, json={**drive, "size": 2**31})
    assert resized.status_code == 202
    assert resized.json()["objects"][0]["status"] == "resizing"
    assert resized.json()["objects"][0]["size"] == 2**31
    server = http.post(
        "servers/",
        json={"objects": [{"name": "c", "cpu": 1000, "mem": 2**30, "vnc_password": "v"}]},
    ).json()["objects"][0]
    clone = http.post(f"servers/{server['uuid']}/action/", params={"do": "clone"}, json={})
    assert clone.status_code == 202 and "objects" not in clone.json()  # a bare server
    assert clone.json()["name"] == "c - clone" and clone.json()["status"] == "stopped"
    for uuid in (server["uuid"], clone.json()["uuid"]):
        deadline = time.monotonic() + 5
        while http.delete(f"servers/{uuid}/").status_code != 204:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    while http.delete(path).status_code != 204:
        assert time.monotonic() < deadline
        time.sleep(0.02)


# fields of recorded CloudSigma responses (cloudsigma-docs dumps) -------------------------------

_RUNTIME = {
    "is_downloadable",
    "is_ephemeral",
    "is_snapshotable",
    "snapshots_allocated_size",
    "storage_type",
}


def test_drives_carry_the_full_runtime(http: httpx.Client, sim: Sim) -> None:
    created = http.post(
        "drives/", json={"objects": [{"name": "rt", "size": 2**30, "media": "disk"}]}
    ).json()["objects"][0]
    for shown in (
        created,
        http.get(f"drives/{created['uuid']}/").json(),
        next(
            d for d in http.get("drives/detail/").json()["objects"] if d["uuid"] == created["uuid"]
        ),
    ):
        runtime = shown["runtime"]
        assert set(runtime) == _RUNTIME
        assert runtime["snapshots_allocated_size"] == 0
        assert runtime["is_downloadable"] is True and runtime["is_ephemeral"] is False
        assert runtime["storage_type"] == "dssd"
    # drives made in bulk (and by older state files) without a runtime get one when shown
    sim.state.seed_servers(1, prefix="rt-bulk")
    bulk = next(
        d for d in http.get("drives/detail/").json()["objects"] if d["name"].startswith("rt-bulk")
    )
    assert set(bulk["runtime"]) == _RUNTIME


def test_library_drives_read_through_drives_have_a_runtime(http: httpx.Client) -> None:
    lib = http.get("libdrives/", params={"limit": 1}).json()["objects"][0]
    assert "runtime" not in lib  # /libdrives/ answers without one
    through = http.get(f"drives/{lib['uuid']}/").json()
    assert through["runtime"] == {
        "is_snapshotable": True,
        "snapshots_allocated_size": 0,
        "storage_type": "dssd",
    }


def test_subscriptions_say_whether_they_were_billed(http: httpx.Client) -> None:
    created = http.post(
        "subscriptions/",
        json={"objects": [{"amount": 1, "period": "1 month", "resource": "vlan"}]},
    ).json()["objects"][0]
    listed = http.get("subscriptions/").json()["objects"][0]
    for shown in (created, listed, http.get(f"subscriptions/{created['id']}/").json()):
        assert shown["was_billed"] is True
        assert "discounts" in shown and shown["discounts"] is None


def test_locations_name_their_frontends(http: httpx.Client) -> None:
    for location in http.get("locations/").json()["objects"]:
        host = location["api_endpoint"].removeprefix("https://").removesuffix("/api/2.0/")
        ui = f"https://{host}/ui/"
        assert location["default_frontend_url"] == ui
        assert location["default_frontend_signup_url"] == ui
        assert location["alternative_frontend_url"] == ui
        assert location["documentation_url"] == "https://docs.cloudsigma.com"
