"""A profile of kind ``powerdns``: ``omnicloud.connect(name, "dns")`` and ``omnicloud dns``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
from tests.support.powerdns import PowerDNSServer


def test_a_powerdns_profile_reaches_the_server(
    powerdns_server: PowerDNSServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n  ns:\n    kind: powerdns\n    credentials:\n"
        f"      api_key: {powerdns_server.key}\n      url: {powerdns_server.url}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    domain = f"p-{uuid.uuid4().hex[:10]}.example.com"
    with omnicloud.connect("ns", "dns") as driver:
        assert isinstance(driver, PowerDNSDriver)
        assert powerdns_server.key not in repr(driver)
        zone = driver.create_zone(domain)
    try:
        assert main(["--cloud", "ns", "dns", "zones", "list"]) == 0
        out, err = capsys.readouterr()
        assert domain in out and powerdns_server.key not in out + err
    finally:
        with omnicloud.connect("ns", "dns") as driver:
            driver.delete_zone(driver.get_zone(zone.id))
