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
