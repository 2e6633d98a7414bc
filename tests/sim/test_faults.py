"""Fault knobs: rate limit (429), random 5xx, connection resets, slow answers; set at run time."""

from __future__ import annotations

import time

import httpx
import pytest
import requests

from .conftest import Sim


def test_rate_limit_429_with_cloudstack_text(live: Sim) -> None:
    live.config.rate_limit = 3
    statuses = [live.request("listZones", "alice").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    response = live.request("listZones", "alice")
    body = response.json()["listzonesresponse"]
    assert response.status_code == 429 and body["errorcode"] == 429
    text = body["errortext"]
    assert text.startswith(
        "The given user has reached his/her account api limit, please retry after "
    )
    assert text.endswith(" ms.")
    wait_ms = int(text.rsplit(" ", 2)[-2])
    assert 0 < wait_ms <= 1000
    assert live.request("listZones", "admin").status_code == 200  # root admins are exempt


def test_get_api_limit(sim: Sim) -> None:
    sim.config.rate_limit = 10
    sim.call("listZones", "alice")
    limit = sim.call("getApiLimit", "alice")["apilimit"]
    assert limit["account"] == "alice" and limit["apiIssued"] >= 2 and limit["apiAllowed"] <= 8


def test_random_5xx_is_html_and_seeded(live: Sim) -> None:
    live.config.seed = 7
    live.config.error_rate = 0.5
    first = [live.request("listZones").status_code for _ in range(20)]
    live.config.seed = 8
    live.request("listZones")
    live.config.seed = 7  # a changed seed restarts the generator
    second = [live.request("listZones").status_code for _ in range(20)]
    assert first == second
    assert set(first) & {500, 502, 503} and 200 in first
    live.config.error_rate = 1.0
    response = live.request("listZones")
    assert response.headers["content-type"].startswith("text/html")
    assert "<html>" in response.text


def test_reset_closes_the_connection(live: Sim) -> None:
    live.config.reset_rate = 1.0
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        live.request("listZones")
    with pytest.raises(requests.ConnectionError):
        requests.get(live.endpoint, params=live.signed(command="listZones"), timeout=5)
    live.config.reset_rate = 0.0
    assert live.request("listZones").status_code == 200


def test_reset_in_process_is_a_read_error(sim: Sim) -> None:
    sim.config.reset_rate = 1.0
    with pytest.raises(httpx.ReadError):
        sim.request("listZones")


def test_slow_answers(live: Sim) -> None:
    live.config.slow_seconds = 0.2
    started = time.monotonic()
    assert live.request("listZones").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_configure_simulator_command(live: Sim) -> None:
    assert live.error("configureSimulator", "alice")[0] == 531
    current = live.call("configureSimulator")["simulatorconfig"]
    assert current["max_page_size"] == 500
    changed = live.call(
        "configureSimulator", error_rate="1", fail_jobs="stopVirtualMachine,startVirtualMachine"
    )["simulatorconfig"]
    assert changed["error_rate"] == 1.0
    assert changed["fail_jobs"] == ["startVirtualMachine", "stopVirtualMachine"]
    assert live.request("listZones").status_code in (500, 502, 503)
    # the simulator's own command is exempt from faults, so it can always turn them off
    live.call("configureSimulator", error_rate="0", fail_jobs="")
    assert live.config.fail_jobs == set()
    assert live.request("listZones").status_code == 200
