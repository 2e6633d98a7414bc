"""``driver.connection.request(...)``: Libcloud's raw-request hook, sync and async, against
the in-process simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from omnicloud import connect
from omnicloud.compute.drivers.cloudstack import RawResponse
from omnicloud.errors import CloudStackApiError, ValidationError


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def test_sync_request_sends_any_command(data: Path) -> None:
    with connect("local") as driver:
        response = driver.connection.request("listZones", params={"available": True})
        assert isinstance(response, RawResponse) and response.status == 200
        names = sorted(zone["name"] for zone in response.object["zone"])
        assert names == sorted(location.name for location in driver.list_locations())
        assert '"zone"' in response.body


def test_libcloud_style_path_and_command_param(data: Path) -> None:
    with connect("local") as driver:
        response = driver.connection.request(
            "/client/api", params={"command": "listServiceOfferings"}, method="GET"
        )
        offered = {offering["id"] for offering in response.object["serviceoffering"]}
        assert offered == {size.id for size in driver.list_sizes()}


def test_async_request(data: Path) -> None:
    import anyio

    async def run() -> Any:
        driver = connect("local", asynchronous=True)
        try:
            return await driver.connection.request("listZones")
        finally:
            await driver.aclose()

    response = anyio.run(run)
    assert response.status == 200 and response.object["zone"]


def test_errors_raise_and_bad_input_is_refused(data: Path) -> None:
    with connect("local") as driver:
        with pytest.raises(CloudStackApiError):
            driver.connection.request("noSuchCommandAtAll")
        with pytest.raises(ValidationError, match="command name"):
            driver.connection.request("/client/api")
        with pytest.raises(ValidationError, match="not POST"):
            driver.connection.request("listZones", method="POST")
