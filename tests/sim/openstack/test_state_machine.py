"""Nova's and Cinder's state machines on a manual clock: transitions settle only as time
passes, with OS-EXT-STS task_state meanwhile; failed builds end in ERROR with a fault."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openstack import exceptions

from omnicloud.sim.core import ManualClock
from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.transport import SyncASGITransport

from .conftest import OsSim

CIRROS = "a7c3f4d0-5f1e-4c1a-9c3e-0b7e1d2c3f01"
MV = {"OpenStack-API-Version": "compute 2.90"}


class World:
    def __init__(self) -> None:
        self.clock = ManualClock(1_800_000_000.0)
        self.state = OpenStackState(clock=self.clock)
        self.config = SimConfig(server_latency=10, volume_latency=5)
        transport = SyncASGITransport(create_app(self.state, config=self.config))
        self.http = httpx.Client(transport=transport, base_url="http://sim")
        token = self.http.post(
            "/identity/v3/auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": "admin",
                                "domain": {"name": "Default"},
                                "password": self.state.password,
                            }
                        },
                    },
                    "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
                }
            },
        )
        self.http.headers["X-Auth-Token"] = token.headers["X-Subject-Token"]
        self.project = token.json()["token"]["project"]["id"]

    def server(self, ident: str) -> dict[str, Any]:
        response = self.http.get(f"/compute/v2.1/servers/{ident}", headers=MV)
        assert response.status_code == 200, response.text
        server: dict[str, Any] = response.json()["server"]
        return server

    def boot(self) -> str:
        made = self.http.post(
            "/compute/v2.1/servers",
            headers=MV,
            json={
                "server": {"name": "sm", "flavorRef": "1", "imageRef": CIRROS, "networks": "auto"}
            },
        )
        assert made.status_code == 202, made.text
        ident: str = made.json()["server"]["id"]
        return ident

    def action(self, ident: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"/compute/v2.1/servers/{ident}/action", headers=MV, json=body)


@pytest.fixture
def world() -> Iterator[World]:
    made = World()
    yield made
    made.http.close()
    made.state.close()


def _sts(server: dict[str, Any]) -> tuple[str, str, str | None, int]:
    return (
        server["status"],
        server["OS-EXT-STS:vm_state"],
        server["OS-EXT-STS:task_state"],
        server["OS-EXT-STS:power_state"],
    )


def test_build_then_active_after_the_latency(world: World) -> None:
    ident = world.boot()
    assert _sts(world.server(ident)) == ("BUILD", "building", "spawning", 0)
    world.clock.advance(9.9)
    assert world.server(ident)["status"] == "BUILD"
    world.clock.advance(0.2)
    server = world.server(ident)
    assert _sts(server) == ("ACTIVE", "active", None, 1)
    assert server["OS-SRV-USG:launched_at"] is not None
    assert server["addresses"]["private"][0]["addr"].startswith("10.0.0.")


def test_stop_start_reboot_resize_and_delete_transitions(world: World) -> None:
    ident = world.boot()
    world.clock.advance(10)
    assert world.action(ident, {"os-stop": None}).status_code == 202
    assert _sts(world.server(ident)) == ("ACTIVE", "active", "powering-off", 1)
    busy = world.action(ident, {"os-start": None})
    assert busy.status_code == 409
    assert "task_state powering-off" in busy.json()["conflictingRequest"]["message"]
    world.clock.advance(10)
    assert _sts(world.server(ident)) == ("SHUTOFF", "stopped", None, 4)
    assert world.action(ident, {"reboot": {"type": "SOFT"}}).status_code == 409
    assert world.action(ident, {"os-start": None}).status_code == 202
    world.clock.advance(10)
    assert world.action(ident, {"reboot": {"type": "HARD"}}).status_code == 202
    assert _sts(world.server(ident))[:3] == ("HARD_REBOOT", "active", "reboot_started_hard")
    world.clock.advance(10)
    assert world.action(ident, {"resize": {"flavorRef": "1"}}).status_code == 400
    assert world.action(ident, {"resize": {"flavorRef": "3"}}).status_code == 202
    assert world.server(ident)["status"] == "RESIZE"
    world.clock.advance(10)
    server = world.server(ident)
    assert (server["status"], server["OS-EXT-STS:vm_state"]) == ("VERIFY_RESIZE", "resized")
    assert server["flavor"]["original_name"] == "m1.medium"
    assert world.action(ident, {"confirmResize": None}).status_code == 204
    assert world.server(ident)["status"] == "ACTIVE"
    assert world.action(ident, {"explode": None}).json() == {
        "badRequest": {"code": 400, "message": "There is no such action: explode"}
    }
    assert world.http.delete(f"/compute/v2.1/servers/{ident}").status_code == 204
    assert world.server(ident)["OS-EXT-STS:task_state"] == "deleting"
    world.clock.advance(10)
    assert world.http.get(f"/compute/v2.1/servers/{ident}").status_code == 404


def test_microversion_shapes_of_a_server(world: World) -> None:
    ident = world.boot()
    old = world.http.get(f"/compute/v2.1/servers/{ident}").json()["server"]
    assert set(old["flavor"]) == {"id", "links"}
    assert "tags" not in old and "locked" not in old
    new = world.server(ident)
    assert new["flavor"]["original_name"] == "m1.tiny" and new["tags"] == []
    assert new["locked"] is False and new["server_groups"] == []


def test_volume_transitions(world: World) -> None:
    base = f"/volume/v3/{world.project}"
    made = world.http.post(f"{base}/volumes", json={"volume": {"size": 1, "name": "v"}})
    assert made.status_code == 202
    ident = made.json()["volume"]["id"]
    assert made.json()["volume"]["status"] == "creating"
    world.clock.advance(5)
    assert world.http.get(f"{base}/volumes/{ident}").json()["volume"]["status"] == "available"
    server = world.boot()
    world.clock.advance(10)
    attached = world.http.post(
        f"/compute/v2.1/servers/{server}/os-volume_attachments",
        headers=MV,
        json={"volumeAttachment": {"volumeId": ident}},
    )
    assert attached.status_code == 200
    assert set(attached.json()["volumeAttachment"]) >= {"attachment_id", "bdm_uuid", "device"}
    assert world.http.get(f"{base}/volumes/{ident}").json()["volume"]["status"] == "attaching"
    world.clock.advance(5)
    assert world.http.get(f"{base}/volumes/{ident}").json()["volume"]["status"] == "in-use"
    world.http.delete(f"/compute/v2.1/servers/{server}/os-volume_attachments/{ident}")
    assert world.http.get(f"{base}/volumes/{ident}").json()["volume"]["status"] == "detaching"
    world.clock.advance(5)
    volume = world.http.get(f"{base}/volumes/{ident}").json()["volume"]
    assert (volume["status"], volume["attachments"]) == ("available", [])


def test_boot_from_volume(world: World) -> None:
    made = world.http.post(
        "/compute/v2.1/servers",
        headers=MV,
        json={
            "server": {
                "name": "bfv",
                "flavorRef": "1",
                "networks": "none",
                "block_device_mapping_v2": [
                    {
                        "boot_index": 0,
                        "uuid": CIRROS,
                        "source_type": "image",
                        "destination_type": "volume",
                        "volume_size": 2,
                        "delete_on_termination": True,
                    }
                ],
            }
        },
    )
    assert made.status_code == 202, made.text
    ident = made.json()["server"]["id"]
    world.clock.advance(10)
    server = world.server(ident)
    assert server["image"] == "" and server["addresses"] == {}
    (volume,) = server["os-extended-volumes:volumes_attached"]
    assert volume["delete_on_termination"] is True
    base = f"/volume/v3/{world.project}"
    assert world.http.get(f"{base}/volumes/{volume['id']}").json()["volume"]["status"] == "in-use"
    world.http.delete(f"/compute/v2.1/servers/{ident}")
    assert world.http.get(f"{base}/volumes/{volume['id']}").status_code == 404


def test_failed_build_is_error_with_a_fault(conn: Any, os_sim: OsSim) -> None:
    os_sim.config.build_error_rate = 1.0
    try:
        server = conn.compute.create_server(
            name="doomed", flavor_id="1", image_id=CIRROS, networks="none"
        )
    finally:
        os_sim.config.build_error_rate = 0.0
    with pytest.raises(exceptions.ResourceFailure):
        conn.compute.wait_for_server(server, interval=0.02, wait=20)
    failed = conn.compute.get_server(server)
    assert (failed.status, failed.vm_state) == ("ERROR", "error")
    assert failed.fault["message"].startswith("No valid host was found")
    conn.compute.delete_server(failed)
    conn.compute.wait_for_delete(failed, interval=0.02, wait=20)


def test_tokens_expire_on_the_clock(world: World) -> None:
    world.config.token_ttl = 60
    token = world.http.post(
        "/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"id": "default"},
                            "password": world.state.password,
                        }
                    },
                },
                "scope": {"project": {"name": "demo", "domain": {"id": "default"}}},
            }
        },
    )
    assert token.status_code == 201
    body = token.json()["token"]
    assert body["expires_at"].endswith("Z")
    headers = {"X-Auth-Token": token.headers["X-Subject-Token"]}
    assert world.http.get("/compute/v2.1/flavors", headers=headers).status_code == 200
    world.clock.advance(61)
    assert world.http.get("/compute/v2.1/flavors", headers=headers).status_code == 401


def test_neutron_quota_is_409_over_quota(world: World) -> None:
    quota = world.http.put(
        f"/networking/v2.0/quotas/{world.project}", json={"quota": {"network": 1}}
    )
    assert quota.status_code == 200 and quota.json()["quota"]["network"] == 1
    # the seeded private network already uses the only one
    refused = world.http.post("/networking/v2.0/networks", json={"network": {"name": "n"}})
    assert refused.status_code == 409
    assert refused.json() == {
        "NeutronError": {
            "type": "OverQuota",
            "message": "Quota exceeded for resources: ['network'].",
            "detail": "",
        }
    }
    details = world.http.get(f"/networking/v2.0/quotas/{world.project}/details").json()
    assert details["quota"]["network"] == {"limit": 1, "used": 1, "reserved": 0}
