"""Instances and operations on a manual clock: states advance only as time passes
(PROVISIONING → STAGING → RUNNING, STOPPING → TERMINATED, deletion), and state files persist."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.sim.core import ManualClock
from omnicloud.sim.gce import GceState, SimConfig, create_app
from omnicloud.sim.gce._jwt import sign
from omnicloud.sim.transport import SyncASGITransport

from .conftest import DEBIAN

ZONE = "us-central1-a"


class World:
    def __init__(self, path: Path | None = None, latency: float = 10.0) -> None:
        self.clock = ManualClock(1_800_000_000.0)
        self.state = GceState(path, clock=self.clock)
        self.config = SimConfig(operation_latency=latency)
        transport = SyncASGITransport(create_app(self.state, config=self.config))
        base = f"http://sim/compute/v1/projects/{self.state.project}/"
        self.http = httpx.Client(transport=transport, base_url=base)
        self.authorize()

    def authorize(self) -> None:
        now = int(self.clock.now())
        claims = {
            "iss": self.state.client_email,
            "sub": self.state.client_email,
            "aud": "https://compute.googleapis.com/",
            "iat": now,
            "exp": now + 3600,
        }
        token = sign(claims, self.state.private_key, self.state.private_key_id)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def insert(self, name: str, machine: str = "n1-standard-2") -> dict[str, Any]:
        body = {
            "name": name,
            "machineType": f"zones/{ZONE}/machineTypes/{machine}",
            "disks": [{"boot": True, "initializeParams": {"sourceImage": DEBIAN}}],
            "networkInterfaces": [{"network": "global/networks/default"}],
        }
        response = self.http.post(f"zones/{ZONE}/instances", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, name: str) -> str:
        response = self.http.get(f"zones/{ZONE}/instances/{name}")
        if response.status_code == 404:
            return "GONE"
        return str(response.json()["status"])

    def op(self, op: dict[str, Any]) -> dict[str, Any]:
        return dict(self.http.get(f"zones/{ZONE}/operations/{op['name']}").json())

    def close(self) -> None:
        self.http.close()
        self.state.close()


@pytest.fixture
def world() -> Iterator[World]:
    made = World()
    yield made
    made.close()


def test_insert_goes_through_provisioning_and_staging(world: World) -> None:
    op = world.insert("sm-1")
    assert op["status"] == "RUNNING" and op["progress"] == 0
    assert world.status("sm-1") == "PROVISIONING"
    world.clock.advance(5)
    assert world.status("sm-1") == "STAGING"
    assert world.op(op)["status"] == "RUNNING"
    world.clock.advance(5)
    assert world.status("sm-1") == "RUNNING"
    finished = world.op(op)
    assert finished["status"] == "DONE" and finished["progress"] == 100 and finished["endTime"]
    waited = world.http.post(f"zones/{ZONE}/operations/{op['name']}/wait").json()
    assert waited["status"] == "DONE"


def test_wait_on_a_manual_clock_answers_running(world: World) -> None:
    op = world.insert("sm-wait")
    waited = world.http.post(f"zones/{ZONE}/operations/{op['name']}/wait").json()
    assert waited["status"] == "RUNNING"


def test_stop_start_reset_delete(world: World) -> None:
    world.insert("sm-2")
    world.clock.advance(10)
    reset = world.http.post(f"zones/{ZONE}/instances/sm-2/reset")
    assert reset.status_code == 200 and world.status("sm-2") == "RUNNING"
    world.http.post(f"zones/{ZONE}/instances/sm-2/stop")
    assert world.status("sm-2") == "STOPPING"
    refused = world.http.post(f"zones/{ZONE}/instances/sm-2/start")
    assert refused.status_code == 400
    assert refused.json()["error"]["errors"][0]["reason"] == "resourceNotReady"
    world.clock.advance(10)
    assert world.status("sm-2") == "TERMINATED"
    stopped = world.http.get(f"zones/{ZONE}/instances/sm-2").json()
    assert stopped["lastStopTimestamp"]
    assert world.http.post(f"zones/{ZONE}/instances/sm-2/reset").status_code == 400
    world.http.post(f"zones/{ZONE}/instances/sm-2/start")
    assert world.status("sm-2") == "STAGING"
    world.clock.advance(10)
    assert world.status("sm-2") == "RUNNING"
    world.http.delete(f"zones/{ZONE}/instances/sm-2")
    assert world.status("sm-2") == "STOPPING"
    assert world.http.get(f"zones/{ZONE}/disks/sm-2").status_code == 200
    world.clock.advance(10)
    assert world.status("sm-2") == "GONE"
    # the boot disk was not auto-delete: it stays, detached
    disk = world.http.get(f"zones/{ZONE}/disks/sm-2").json()
    assert "users" not in disk


def test_stopped_instances_free_cpu_quota(world: World) -> None:
    world.config.cpu_quota = 2
    world.insert("sm-q1")
    world.clock.advance(10)
    op = world.insert("sm-q2")
    world.clock.advance(10)
    failed = world.op(op)
    assert failed["httpErrorStatusCode"] == 403 and world.status("sm-q2") == "GONE"
    region = world.http.get("regions/us-central1").json()
    cpus = next(q for q in region["quotas"] if q["metric"] == "CPUS")
    assert cpus == {"metric": "CPUS", "limit": 2.0, "usage": 2.0}
    world.http.post(f"zones/{ZONE}/instances/sm-q1/stop")
    world.clock.advance(10)
    world.insert("sm-q2")
    world.clock.advance(10)
    assert world.status("sm-q2") == "RUNNING"
    start = world.http.post(f"zones/{ZONE}/instances/sm-q1/start").json()
    world.clock.advance(10)
    assert world.op(start)["error"]["errors"][0]["code"] == "QUOTA_EXCEEDED"
    assert world.status("sm-q1") == "TERMINATED"


def test_tokens_expire_with_the_clock(world: World) -> None:
    assert world.http.get("zones").status_code == 200
    world.clock.advance(3600 + 301)
    assert world.http.get("zones").status_code == 401
    world.authorize()
    assert world.http.get("zones").status_code == 200


def test_state_file_persists_key_and_resources(tmp_path: Path) -> None:
    path = tmp_path / "gce.db"
    first = World(path, latency=0)
    first.insert("kept")
    key_id, pem = first.state.private_key_id, first.state.service_account_info("t")["private_key"]
    first.close()
    assert os.stat(path).st_mode & 0o777 == 0o600
    second = World(path, latency=0)
    try:
        assert second.state.private_key_id == key_id
        assert second.state.service_account_info("t")["private_key"] == pem
        assert second.status("kept") == "RUNNING"
        key_file = second.state.write_key_file(tmp_path / "key.json", "http://h:1/token")
        info = json.loads(key_file.read_text())
        assert info["type"] == "service_account" and info["token_uri"] == "http://h:1/token"
        assert info["client_email"] == second.state.client_email
        assert info["project_id"] == "omnicloud-sim" and info["client_id"].isdigit()
        assert key_file.stat().st_mode & 0o777 == 0o600
    finally:
        second.close()


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    import sqlite3

    from omnicloud.errors import ConfigurationError

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE something (x)")
    with pytest.raises(ConfigurationError, match="not a GCE simulator state file"):
        GceState(path)
