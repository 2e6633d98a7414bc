"""Run the same CloudStack client test through the sync and the async client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from tests.support.fake_cloudstack import KEY, SECRET
from tests.support.stub_server import StubServer

Invoke = Callable[..., Any]


@pytest.fixture
def invoke(mode: str, stub: StubServer) -> Invoke:
    """``invoke(command, client_options=None, **params)`` through a fresh client of either kind
    (the shared ``mode`` parametrisation: sync, then async)."""
    kind = mode

    def run(command: str, client_options: dict[str, Any] | None = None, **params: Any) -> Any:
        options = {"poll_interval": 0.05, **(client_options or {})}
        endpoint = f"{stub.url}/client/api"
        if kind == "sync":
            with CloudStack(endpoint, KEY, SECRET, **options) as client:
                return client.call(command, **params)

        async def go() -> Any:
            async with AsyncCloudStack(endpoint, KEY, SECRET, **options) as client:
                return await client.call(command, **params)

        return anyio.run(go)

    return run
