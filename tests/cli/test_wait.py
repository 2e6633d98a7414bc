"""``--wait/--no-wait`` and ``nodes create --count`` against the built-in clouds, in-process.

The built-in clouds' job latency is raised by wrapping the simulators' configuration: with an
hour-long latency a job cannot finish during the test, so ``--no-wait`` must show the transient
state (``starting``, ``stopping``, ``creating``); with a short one ``--wait`` must show the final
state, which the command can only print after the job has finished.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import omnicloud
import omnicloud.sim.cloudsigma as sigma_sim
import omnicloud.sim.cloudstack as cloudstack_sim
from omnicloud.cli import main

HOUR = 3600.0
Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*argv: str, code: int = 0) -> tuple[str, str]:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out, err

    return invoke


@pytest.fixture
def job_latency(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Set the built-in CloudStack cloud's job latency (seconds) for the commands run next."""
    real = cloudstack_sim.SimConfig
    chosen = {"latency": 0.05}

    def config(**kwargs: Any) -> Any:
        return real(**{**kwargs, "job_latency": chosen["latency"]})

    monkeypatch.setattr(cloudstack_sim, "SimConfig", config)
    return lambda seconds: chosen.update(latency=seconds)


@pytest.fixture
def server_latency(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Set the built-in CloudSigma cloud's server start/stop latency (seconds)."""
    real = sigma_sim.create_app
    chosen = {"latency": 0.05}

    def create_app(state: Any = None, **kwargs: Any) -> Any:
        return real(state, config=sigma_sim.SimConfig(server_latency=chosen["latency"]))

    monkeypatch.setattr(sigma_sim, "create_app", create_app)
    return lambda seconds: chosen.update(latency=seconds)


def states(out: str) -> dict[str, str]:
    data = json.loads(out)
    return {item["name"]: item["state"] for item in (data if isinstance(data, list) else [data])}


def test_count_20_creates_all_in_parallel_and_lists_them(run: Run) -> None:
    out, err = run("nodes", "create", "web", "--count", "20", "--location", "Sandbox-Basic")
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "STATE"]
    assert [row.split()[1] for row in rows] == [f"web-{i}" for i in range(1, 21)]
    assert all(row.split()[2] == "running" for row in rows)
    # not a terminal: one line per node on stderr, no progress bar, nothing of it on stdout
    assert sorted(err.split("\n")[:-1]) == sorted(f"created web-{i}" for i in range(1, 21))
    assert "created" not in out and "\x1b" not in out + err
    with omnicloud.connect("local") as driver:
        assert sorted(n.name for n in driver.list_nodes()) == sorted(
            f"web-{i}" for i in range(1, 21)
        )
    listed = json.loads(run("-o", "json", "nodes", "list")[0])
    assert len(listed) == 20 and len({n["id"] for n in listed}) == 20


def test_cloudstack_no_wait_returns_before_the_jobs_finish(
    run: Run, job_latency: Callable[[float], None]
) -> None:
    run("nodes", "create", "a", "--location", "Sandbox-Advanced")
    run("nodes", "create", "b", "--location", "Sandbox-Advanced")
    run("nodes", "stop", "b")
    job_latency(HOUR)
    out, err = run("-o", "json", "nodes", "create", "q", "--count", "2", "--no-wait")
    assert states(out) == {"q-1": "starting", "q-2": "starting"}
    assert err.count("submitted (job ") == 2
    out, err = run("-o", "json", "nodes", "stop", "a", "--no-wait")
    assert states(out) == {"a": "stopping"}
    assert "stopping a (" in err and ", job " in err
    out, _ = run("-o", "json", "nodes", "start", "b", "--no-wait")
    assert states(out) == {"b": "starting"}
    assert states(run("-o", "json", "nodes", "show", "a")[0]) == {"a": "stopping"}  # still
    volume = json.loads(
        run(
            "-o",
            "json",
            "volumes",
            "create",
            "v1",
            "--size",
            "5",
            "--location",
            "Sandbox-Advanced",
            "--no-wait",
        )[0]
    )
    assert volume["name"] == "v1" and volume["state"] == "creating"
    _, err = run("nodes", "destroy", "q-1", "--no-wait")
    assert "destroying q-1 (" in err and ", job " in err
    assert states(run("-o", "json", "nodes", "show", "q-1")[0]) == {"q-1": "starting"}  # not yet


def test_cloudstack_wait_waits_for_the_jobs(run: Run, job_latency: Callable[[float], None]) -> None:
    job_latency(0.3)
    out, _ = run("-o", "json", "nodes", "create", "w", "--location", "Sandbox-Advanced", "--wait")
    assert states(out) == {"w": "running"}
    out, err = run("-o", "json", "nodes", "stop", "w", "--wait")
    assert states(out) == {"w": "stopped"} and "stopped w (" in err
    out, _ = run("-o", "json", "nodes", "start", "w")  # --wait is the default
    assert states(out) == {"w": "running"}
    out, _ = run("-o", "json", "nodes", "reboot", "w", "--wait")
    assert states(out) == {"w": "running"}
    volume = json.loads(
        run(
            "-o", "json", "volumes", "create", "v", "--size", "5", "--location", "Sandbox-Advanced"
        )[0]
    )
    assert volume["state"] == "available"
    run("volumes", "attach", "v", "w", "--wait")
    attached = next(
        v for v in json.loads(run("-o", "json", "volumes", "list")[0]) if v["name"] == "v"
    )
    assert attached["state"] == "inuse" and attached["extra"]["vmname"] == "w"
    snapshot = json.loads(run("-o", "json", "snapshots", "create", "v", "--wait")[0])
    assert snapshot["state"] == "available" and snapshot["extra"]["state"] == "BackedUp"
    run("snapshots", "destroy", "v", snapshot["id"], "--wait")
    assert snapshot["id"] not in run("snapshots", "list", "v")[0]
    run("volumes", "detach", "v", "--wait")
    run("volumes", "destroy", "v")
    _, err = run("nodes", "destroy", "w", "--wait")
    assert "destroyed w (" in err
    assert states(run("-o", "json", "nodes", "show", "w")[0]) == {"w": "terminated"}


def test_cloudsigma_no_wait_and_wait(run: Run, server_latency: Callable[[float], None]) -> None:
    run("--cloud", "local-sigma", "nodes", "create", "s")
    server_latency(HOUR)
    out, _ = run("--cloud", "local-sigma", "-o", "json", "nodes", "stop", "s", "--no-wait")
    assert states(out) == {"s": "stopping"}
    server_latency(0.3)
    run("--cloud", "local-sigma", "nodes", "create", "t")
    out, _ = run("--cloud", "local-sigma", "-o", "json", "nodes", "stop", "t", "--wait")
    assert states(out) == {"t": "stopped"}
    out, _ = run("--cloud", "local-sigma", "-o", "json", "nodes", "start", "t")
    assert states(out) == {"t": "running"}
