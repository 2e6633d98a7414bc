"""The rest of the surface with a raw client: project images and families, disk resize and
labels, global addresses, firewall patches and checks, aggregated lists of regional resources,
wrong-typed payloads (400, never 500), random 503s, and logs without secrets."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from .conftest import DEBIAN, GceSim


def _wait(http: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    op: dict[str, Any] = response.json()
    for _ in range(100):
        if op["status"] == "DONE":
            assert "error" not in op, op
            return op
        op = http.post(f"{op['selfLink']}/wait").json()
    raise AssertionError("the operation never finished")


def _reason(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["errors"][0]["reason"])


def test_project_images_and_families(http: httpx.Client, gce: GceSim) -> None:
    zone = gce.zone
    _wait(http, http.post(f"zones/{zone}/disks", json={"name": "img-src", "sourceImage": DEBIAN}))
    source = f"zones/{zone}/disks/img-src"
    for name in ("golden-v1", "golden-v2"):
        body = {"name": name, "sourceDisk": source, "family": "golden", "labels": {"v": "x"}}
        op = _wait(http, http.post("global/images", json=body))
        assert op["operationType"] == "insert" and "zone" not in op and "region" not in op
    image = http.get("global/images/golden-v2").json()
    assert image["status"] == "READY" and image["diskSizeGb"] == "10"
    assert image["sourceDisk"].endswith(f"/zones/{zone}/disks/img-src")
    newest = http.get("global/images/family/golden").json()
    assert newest["name"] in ("golden-v1", "golden-v2") and newest["family"] == "golden"
    listed = [i["name"] for i in http.get("global/images").json()["items"]]
    assert listed == ["golden-v1", "golden-v2"]
    assert (
        _reason(http.post("global/images", json={"name": "golden-v1", "sourceDisk": source}), 409)
        == "alreadyExists"
    )
    body = {
        "name": "from-golden",
        "machineType": f"zones/{zone}/machineTypes/e2-micro",
        "disks": [
            {"boot": True, "initializeParams": {"sourceImage": "global/images/family/golden"}}
        ],
    }
    _wait(http, http.post(f"zones/{zone}/instances", json=body))
    vm = http.get(f"zones/{zone}/instances/from-golden").json()
    assert vm["status"] == "RUNNING" and not vm.get("networkInterfaces")
    _wait(http, http.delete(f"zones/{zone}/instances/from-golden"))
    for name in ("golden-v1", "golden-v2"):
        _wait(http, http.delete(f"global/images/{name}"))
    assert _reason(http.get("global/images/family/golden"), 404) == "notFound"
    assert _reason(http.post("global/images", json={"name": "x-img"}), 400) == "invalid"
    _wait(http, http.delete(source))


def test_disk_resize_labels_and_aggregated(http: httpx.Client, gce: GceSim) -> None:
    zone = gce.zone
    _wait(http, http.post(f"zones/{zone}/disks", json={"name": "grow", "sizeGb": "20"}))
    disk = http.get(f"zones/{zone}/disks/grow").json()
    assert disk["sizeGb"] == "20" and disk["type"].endswith("/diskTypes/pd-balanced")
    assert (
        _reason(http.post(f"zones/{zone}/disks/grow/resize", json={"sizeGb": "10"}), 400)
        == "invalid"
    )
    _wait(http, http.post(f"zones/{zone}/disks/grow/resize", json={"sizeGb": "30"}))
    assert http.get(f"zones/{zone}/disks/grow").json()["sizeGb"] == "30"
    labels = {"labels": {"tier": "gold"}, "labelFingerprint": disk["labelFingerprint"]}
    _wait(http, http.post(f"zones/{zone}/disks/grow/setLabels", json=labels))
    assert http.get(f"zones/{zone}/disks/grow").json()["labels"] == {"tier": "gold"}
    found = http.get("aggregated/disks", params={"filter": "labels.tier = gold"}).json()
    assert [d["name"] for d in found["items"][f"zones/{zone}"]["disks"]] == ["grow"]
    small = http.post(
        f"zones/{zone}/disks", json={"name": "tiny", "sourceImage": DEBIAN, "sizeGb": "5"}
    )
    assert "smaller than the image size" in small.json()["error"]["message"]
    bad_type = {"name": "odd", "type": f"zones/{zone}/diskTypes/floppy"}
    assert _reason(http.post(f"zones/{zone}/disks", json=bad_type), 400) == "invalid"
    types = [t["name"] for t in http.get(f"zones/{zone}/diskTypes").json()["items"]]
    assert {"pd-standard", "pd-balanced", "pd-ssd"} <= set(types)
    _wait(http, http.delete(f"zones/{zone}/disks/grow"))


def test_global_addresses_and_aggregated_addresses(http: httpx.Client) -> None:
    _wait(http, http.post("global/addresses", json={"name": "lb-ip"}))
    address = http.get("global/addresses/lb-ip").json()
    assert address["ipVersion"] == "IPV4" and "region" not in address
    assert address["status"] == "RESERVED"
    _wait(http, http.post("regions/europe-west1/addresses", json={"name": "eu-ip"}))
    fixed = {"name": "fixed", "address": "34.99.1.2"}
    _wait(http, http.post("regions/us-central1/addresses", json=fixed))
    assert http.get("regions/us-central1/addresses/fixed").json()["address"] == "34.99.1.2"
    again = {"name": "fixed-2", "address": "34.99.1.2"}
    assert _reason(http.post("regions/us-central1/addresses", json=again), 400) == "invalid"
    internal = {
        "name": "inner",
        "addressType": "INTERNAL",
        "subnetwork": "regions/us-central1/subnetworks/default",
    }
    _wait(http, http.post("regions/us-central1/addresses", json=internal))
    assert http.get("regions/us-central1/addresses/inner").json()["address"].startswith("10.128.")
    aggregated = http.get("aggregated/addresses").json()["items"]
    assert [a["name"] for a in aggregated["regions/europe-west1"]["addresses"]] == ["eu-ip"]
    assert aggregated["regions/asia-east1"]["warning"]["code"] == "NO_RESULTS_ON_PAGE"
    for path in (
        "global/addresses/lb-ip",
        "regions/europe-west1/addresses/eu-ip",
        "regions/us-central1/addresses/fixed",
        "regions/us-central1/addresses/inner",
    ):
        _wait(http, http.delete(path))
    ops = http.get("global/operations").json()["items"]
    assert any(o["operationType"] == "delete" and o["targetLink"].endswith("/lb-ip") for o in ops)
    regional = http.get("regions/us-central1/operations").json()["items"]
    assert all(o["region"].endswith("/regions/us-central1") for o in regional)


def test_firewall_checks_and_patch(http: httpx.Client) -> None:
    base = {"name": "fw-x", "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]}
    cases: list[dict[str, Any]] = [
        {**base, "allowed": [{"IPProtocol": "tcp", "ports": ["70000"]}]},
        {**base, "allowed": [{"IPProtocol": "icmp", "ports": ["1"]}]},
        {**base, "allowed": [{"IPProtocol": "nope"}]},
        {**base, "sourceRanges": ["10.0.0.300/8"]},
        {**base, "denied": [{"IPProtocol": "udp"}]},
        {"name": "fw-x"},
        {**base, "network": "global/networks/missing"},
        {**base, "priority": 70000},
    ]
    for body in cases:
        assert _reason(http.post("global/firewalls", json=body), 400) == "invalid", body
    _wait(http, http.post("global/firewalls", json=base))
    rule = http.get("global/firewalls/fw-x").json()
    assert rule["sourceRanges"] == ["0.0.0.0/0"] and rule["direction"] == "INGRESS"
    _wait(
        http,
        http.patch("global/firewalls/fw-x", json={"sourceRanges": ["10.0.0.0/8"], "priority": 10}),
    )
    patched = http.get("global/firewalls/fw-x").json()
    assert patched["sourceRanges"] == ["10.0.0.0/8"] and patched["priority"] == 10
    assert patched["allowed"] == [{"IPProtocol": "tcp", "ports": ["22"]}]
    _wait(http, http.delete("global/firewalls/fw-x"))


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("zones/us-central1-a/instances", {"name": "t1", "disks": 5}),
        ("zones/us-central1-a/instances", {"name": "t2", "machineType": 5}),
        (
            "zones/us-central1-a/instances",
            {
                "name": "t3",
                "scheduling": "fast",
                "machineType": "zones/us-central1-a/machineTypes/e2-micro",
                "disks": [{"initializeParams": {"sourceImage": DEBIAN}}],
            },
        ),
        (
            "zones/us-central1-a/instances",
            {
                "name": "t4",
                "machineType": "zones/us-central1-a/machineTypes/e2-micro",
                "disks": [{"initializeParams": {"sourceImage": DEBIAN}}],
                "networkInterfaces": [{"accessConfigs": 7}],
            },
        ),
        (
            "zones/us-central1-a/instances",
            {
                "name": "t5",
                "machineType": "zones/us-central1-a/machineTypes/e2-micro",
                "disks": [{"initializeParams": {"sourceImage": DEBIAN, "diskSizeGb": "big"}}],
            },
        ),
        (
            "zones/us-central1-a/instances",
            {
                "name": "t6",
                "machineType": "zones/us-central1-a/machineTypes/e2-micro",
                "disks": [{"initializeParams": {"sourceImage": DEBIAN}}],
                "metadata": {"items": 3},
            },
        ),
        ("zones/us-central1-a/disks", {"name": "d1", "labels": ["a"]}),
        ("global/networks", {"name": "n1", "routingConfig": "x"}),
        ("global/networks", {"name": "n2", "mtu": "big"}),
        ("global/firewalls", {"name": "f1", "allowed": "tcp"}),
        ("global/images", {"name": "i1", "sourceDisk": 4}),
        ("regions/us-central1/addresses", {"name": "a1", "address": "not-an-ip"}),
        ("zones/us-central1-a/instances", ["not", "an", "object"]),
    ],
)
def test_wrong_types_are_400(http: httpx.Client, path: str, body: Any) -> None:
    response = http.post(path, json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == 400


def test_method_not_allowed_and_unknown_path(http: httpx.Client, gce: GceSim) -> None:
    assert http.put("zones").status_code == 405
    assert _reason(http.get("nothing/here"), 404) == "notFound"
    assert httpx.get(f"{gce.url}/sim/health").json()["project"] == gce.project


def test_error_rate_gives_503(http: httpx.Client, gce: GceSim) -> None:
    gce.config.error_rate, gce.config.seed = 1.0, 7
    try:
        response = http.get("zones")
    finally:
        gce.config.error_rate, gce.config.seed = 0.0, None
    assert _reason(response, 503) == "backendError"


def test_no_secret_reaches_the_logs(
    http: httpx.Client, gce: GceSim, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = str(http.headers["Authorization"]).split(" ", 1)[1]
    http.get("zones")
    http.get("zones", headers={"Authorization": "Bearer forged.jwt.value"})
    gce.token()
    key = gce.state.service_account_info("x")["private_key"].splitlines()[1]
    assert token not in caplog.text and "forged.jwt.value" not in caplog.text
    assert key not in caplog.text
