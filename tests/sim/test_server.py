"""Serving: serve_in_thread, the sync and async in-process transports, serve()'s banner."""

from __future__ import annotations

import io
import socket

import anyio
import httpx
import pytest

import omnicloud.sim.server as server_module
from omnicloud.sim.cloudstack import CloudStackState, create_app, serve
from omnicloud.sim.server import serve_in_thread
from omnicloud.sim.transport import ASGITransport, SyncASGITransport

from .conftest import Sim


def test_session_server_answers(live: Sim, endpoint: str) -> None:
    assert endpoint.startswith("http://127.0.0.1:") and endpoint.endswith("/client/api")
    health = httpx.get(endpoint.replace("/client/api", "/sim/health"))
    assert health.json()["status"] == "ok"


def test_serve_in_thread_free_port_and_stop() -> None:
    app = create_app(CloudStackState())
    with serve_in_thread(app) as running:
        assert running.port > 0 and running.url == f"http://127.0.0.1:{running.port}"
        assert httpx.get(f"{running.url}/sim/health").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.url}/sim/health", timeout=1)


def test_method_not_allowed(live: Sim) -> None:
    assert live.http.put(live.endpoint).status_code == 405


def test_sync_transport_closes_cleanly() -> None:
    transport = SyncASGITransport(create_app(CloudStackState()))
    with httpx.Client(transport=transport, base_url="http://sim") as client:
        assert client.get("/sim/health").status_code == 200
    transport.close()


def test_async_transport() -> None:
    state = CloudStackState()
    app = create_app(state)
    key, secret = state.credentials()

    async def main() -> int:
        from omnicloud.cloudstack._signing import sign

        params = {"command": "listZones", "response": "json", "apiKey": key}
        params["signature"] = sign(params, secret)
        async with httpx.AsyncClient(
            transport=ASGITransport(app=app), base_url="http://sim"
        ) as client:
            response = await client.get("/client/api", params=params)
        count: int = response.json()["listzonesresponse"]["count"]
        return count

    assert anyio.run(main) == 2


def test_serve_prints_endpoint_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(app: object, host: str, port: int, **options: object) -> None:
        sock = options["sock"]
        assert isinstance(sock, socket.socket)
        seen.update(app=app, host=host, port=port, bound=sock.getsockname()[1])

    monkeypatch.setattr(server_module, "run", fake_run)
    out = io.StringIO()
    serve("127.0.0.1", 0, None, api_key="AK", secret="SK", out=out)
    text = out.getvalue()
    assert seen["port"] == seen["bound"] != 0
    assert f"http://127.0.0.1:{seen['port']}/client/api" in text
    assert "AK" in text and "SK" in text


def test_serve_on_a_busy_port_prints_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from omnicloud.errors import ConfigurationError

    out = io.StringIO()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"127.0.0.1:{port}"):
            serve("127.0.0.1", port, None, api_key="AK", secret="SK", out=out)
    assert out.getvalue() == ""


def test_import_is_cheap() -> None:
    import subprocess
    import sys

    code = "import sys, omnicloud.sim; print('starlette' in sys.modules, 'uvicorn' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"
