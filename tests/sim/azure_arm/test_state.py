"""State files: credentials, resources and pending operations survive a reopen."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from omnicloud.errors import ConfigurationError
from omnicloud.sim.azure import AzureState, SimConfig, create_app
from omnicloud.sim.transport import SyncASGITransport


def _client(state: AzureState) -> tuple[httpx.Client, dict[str, str]]:
    app = create_app(state, config=SimConfig(operation_latency=0))
    token, _ = state.issue_token(600)
    client = httpx.Client(transport=SyncASGITransport(app), base_url="https://sim")
    return client, {"Authorization": f"Bearer {token}"}


def test_state_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "azure.db"
    first = AzureState(path)
    ids = (first.tenant_id, first.client_id, first.client_secret, first.subscription_id)
    http, auth = _client(first)
    rg = f"/subscriptions/{first.subscription_id}/resourceGroups/{first.resource_group}"
    vnet = f"{rg}/providers/Microsoft.Network/virtualNetworks/kept"
    made = http.put(
        vnet,
        params={"api-version": "2024-07-01"},
        headers=auth,
        json={
            "location": "eastus",
            "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}},
        },
    )
    assert made.status_code == 201
    http.close()
    first.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    second = AzureState(path)
    try:
        assert (
            second.tenant_id,
            second.client_id,
            second.client_secret,
            second.subscription_id,
        ) == ids
        assert (second.resource_group, second.location) == ("omnicloud-rg", "eastus")
        http, auth = _client(second)
        got = http.get(vnet, params={"api-version": "2024-07-01"}, headers=auth)
        assert got.json()["properties"]["provisioningState"] == "Succeeded"  # settled on read
        http.close()
    finally:
        second.close()


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    with pytest.raises(ConfigurationError):
        AzureState(path)
    assert path.read_text() == "not a database"
