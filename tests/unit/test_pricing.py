"""Pricing: Libcloud's file format, region prices, file selection, download."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from omnicloud import pricing
from omnicloud.errors import OmnicloudError, ValidationError
from tests.support.stub_server import Reply, StubServer

DATA = {
    "updated": 1700000000,
    "compute": {
        "cloudsigma_zrh": {"small": 0.05, "large": "0.20"},
        "ec2": {"t2.micro": {"us-east-1": 0.0116, "eu-west-1": 0.0126}},
    },
    "storage": {"s3": {"standard": 0.023}},
}


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    pricing.clear_pricing_data()
    yield
    pricing.clear_pricing_data()


@pytest.fixture
def pricing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pricing.json"
    path.write_text(json.dumps(DATA))
    monkeypatch.setenv("OMNICLOUD_PRICING_FILE", str(path))
    return path


def test_size_prices(pricing_file: Path) -> None:
    assert pricing.get_size_price("compute", "cloudsigma_zrh", "small") == 0.05
    assert pricing.get_size_price("compute", "cloudsigma_zrh", "large") == 0.20
    assert pricing.get_size_price("compute", "cloudsigma_zrh", "missing") is None
    assert pricing.get_size_price("compute", "ec2", "t2.micro", region="eu-west-1") == 0.0126
    assert pricing.get_size_price("compute", "ec2", "t2.micro") is None
    assert pricing.get_size_price("compute", "nobody", "x") is None
    assert pricing.get_pricing("storage", "s3") == {"standard": 0.023}


def test_unknown_driver_and_type(pricing_file: Path) -> None:
    with pytest.raises(pricing.PricingNotFoundError, match="no compute pricing for 'nobody'"):
        pricing.get_pricing("compute", "nobody")
    with pytest.raises(ValidationError):
        pricing.get_pricing("dns", "x")


def test_file_selection_order(
    tmp_path: Path, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert pricing.get_pricing_file_path().name == "pricing.json"
    assert pricing.get_pricing_file_path().parent.name == "data"  # bundled
    libcloud = clean_env / ".libcloud" / "pricing.json"
    libcloud.parent.mkdir()
    libcloud.write_text(json.dumps(DATA))
    assert pricing.get_pricing_file_path() == libcloud
    explicit = tmp_path / "mine.json"
    assert pricing.get_pricing_file_path(explicit) == explicit


def test_set_pricing_overrides(pricing_file: Path) -> None:
    pricing.set_pricing("compute", "cloudsigma_zrh", {"small": 1.5})
    assert pricing.get_size_price("compute", "cloudsigma_zrh", "small") == 1.5


def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(OmnicloudError, match="not valid JSON"):
        pricing.get_pricing("compute", "x", bad)


def test_download(stub: StubServer, tmp_path: Path) -> None:
    stub.handle(lambda seen: Reply(200, DATA))
    target = pricing.download_pricing_file(f"{stub.url}/pricing.json", tmp_path / "p.json")
    assert json.loads(target.read_text()) == DATA
    assert (
        pricing.get_size_price("compute", "cloudsigma_zrh", "small", pricing_file_path=target)
        == 0.05
    )


def test_download_rejects_non_pricing_json(stub: StubServer, tmp_path: Path) -> None:
    stub.handle(lambda seen: Reply(200, {"hello": "world"}))
    with pytest.raises(OmnicloudError, match="not a pricing file"):
        pricing.download_pricing_file(f"{stub.url}/x", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()
    with pytest.raises(ValidationError, match="does not exist"):
        pricing.download_pricing_file(f"{stub.url}/x", tmp_path / "missing" / "p.json")


# -- the built-in simulator's prices ----------------------------------------------------------
def test_bundled_file_publishes_the_simulator_prices() -> None:
    from omnicloud.sim.cloudstack._seed import published_prices, seed_id

    bundled = json.loads(pricing._bundled().read_text())
    assert bundled["updated"]
    assert bundled["compute"][pricing.SIMULATOR_DRIVER] == published_prices()
    small = seed_id("serviceoffering:Small Instance")
    assert pricing.get_size_price("compute", pricing.SIMULATOR_DRIVER, small) == 0.0125
    assert pricing.get_size_price("compute", pricing.SIMULATOR_DRIVER, "Small Instance") is None


def test_bundled_prices_survive_a_libcloud_file(clean_env: Path) -> None:
    libcloud = clean_env / ".libcloud" / "pricing.json"
    libcloud.parent.mkdir()
    libcloud.write_text(json.dumps(DATA))
    assert pricing.get_pricing_file_path() == libcloud
    assert pricing.get_size_price("compute", "cloudsigma_zrh", "small") == 0.05
    # the Libcloud file has no simulator section: the bundled one answers for it
    assert pricing.get_pricing("compute", pricing.SIMULATOR_DRIVER)
    # but a file passed explicitly is the only one consulted
    with pytest.raises(pricing.PricingNotFoundError):
        pricing.get_pricing("compute", pricing.SIMULATOR_DRIVER, libcloud)


def test_first_size_price(pricing_file: Path) -> None:
    assert (
        pricing.first_size_price(
            "compute",
            [("nobody", "small"), ("cloudsigma_zrh", "missing"), ("cloudsigma_zrh", "large")],
        )
        == 0.20
    )
    assert pricing.first_size_price("compute", [("ec2", "t2.micro")], region="us-east-1") == 0.0116
    assert pricing.first_size_price("compute", [("nobody", "x")]) is None
    assert pricing.first_size_price("compute", []) is None


def test_missing_drivers_are_remembered(pricing_file: Path) -> None:
    assert pricing.get_size_price("compute", "nobody", "x") is None
    pricing_file.write_text("{broken")  # not read again for a driver known to be absent
    assert pricing.get_size_price("compute", "nobody", "x") is None
    pricing.set_pricing("compute", "nobody", {"x": 2})
    assert pricing.get_size_price("compute", "nobody", "x") == 2.0
    pricing.clear_pricing_data()
    with pytest.raises(OmnicloudError, match="not valid JSON"):
        pricing.get_size_price("compute", "nobody", "x")


def test_cloudstack_driver_prices_its_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import omnicloud

    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    cloud = omnicloud.connect("local")
    try:
        sizes = {size.name: size for size in cloud.list_sizes()}
        assert sizes["Medium Instance"].price == 0.025
        assert sizes["Custom"].price is None
        # a pricing file entry for the driver itself (by offering name) wins
        pricing.set_pricing("compute", "cloudstack", {"Medium Instance": 0.5})
        assert {s.name: s.price for s in cloud.list_sizes()}["Medium Instance"] == 0.5
        # region (zone) prices, by offering id
        medium = sizes["Medium Instance"].id
        pricing.set_pricing("compute", "cloudstack", {medium: {"Sandbox-Basic": 0.3}})
        zone = next(z for z in cloud.list_locations() if z.name == "Sandbox-Basic")
        assert {s.name: s.price for s in cloud.list_sizes(zone)}["Medium Instance"] == 0.3
    finally:
        cloud.close()
