"""CloudSigma simulator hardening: non-ASCII / malformed Basic credentials, oversized bodies."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from omnicloud.sim.cloudsigma import CloudSigmaState, create_app
from omnicloud.sim.server import RunningServer, serve_in_thread

MAX_BODY = 8 * 1024 * 1024

DENIED = [
    {
        "error_point": None,
        "error_type": "permission",
        "error_message": "Invalid username/password.",
    }
]


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[CloudSigmaState, RunningServer]]:
    state = CloudSigmaState(username="sim@example.com", password="pässwörd")
    with serve_in_thread(create_app(state)) as server:
        yield state, server
    state.close()


@pytest.fixture
def raw(world: tuple[CloudSigmaState, RunningServer]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{world[1].url}/api/2.0/", timeout=30) as client:
        yield client


def _basic(token: bytes) -> dict[str, bytes]:
    return {"authorization": b"Basic " + token}  # type: ignore[dict-item]


def _b64(text: bytes) -> bytes:
    return base64.b64encode(text)


BAD_TOKENS = [
    _b64("ü:x".encode()),
    _b64("sim@example.com:ü".encode()),
    _b64("ü:pässwörd".encode()),
    _b64("\u2603:\U0001f600".encode()),
    _b64(b"\xff\xfe:\xc3"),  # not UTF-8
    _b64("sim@example.com:pässwörd".encode("latin-1")),  # the right password, wrong encoding
    b"\xc3\xbc\xc3\xbc==",  # non-ASCII where base64 belongs
    b"\xff\xff",
    b"!!!notbase64",
    b"Zm9v",  # "foo": no colon
    b"=",
]


@pytest.mark.parametrize("token", BAD_TOKENS)
def test_bad_basic_credentials_are_401_with_the_error_list(raw: httpx.Client, token: bytes) -> None:
    response = raw.get("balance/", headers=_basic(token))
    assert response.status_code == 401, response.text
    assert response.json() == DENIED
    assert response.headers["www-authenticate"].startswith("Basic")


def test_non_ascii_scheme_and_header_are_401(raw: httpx.Client) -> None:
    response = raw.get("balance/", headers={"authorization": "Bäsic Zm9vOmJhcg==".encode()})  # type: ignore[dict-item]
    assert response.status_code == 401
    assert response.json() == DENIED


def test_non_ascii_password_is_accepted_when_right(
    world: tuple[CloudSigmaState, RunningServer], raw: httpx.Client
) -> None:
    token = _b64("sim@example.com:pässwörd".encode())
    response = raw.get("balance/", headers=_basic(token))
    assert response.status_code == 200, response.text


def test_oversized_body_is_413_with_the_error_list(
    world: tuple[CloudSigmaState, RunningServer], raw: httpx.Client
) -> None:
    response = raw.post(
        "tags/",
        content=b"[" + b" " * (MAX_BODY + 1) + b"]",
        headers={"content-type": "application/json"},
        auth=world[0].credentials,
    )
    assert response.status_code == 413
    (error,) = response.json()
    assert error["error_type"] == "validation"
    assert str(MAX_BODY) in error["error_message"]
    assert raw.get("balance/", auth=world[0].credentials).status_code == 200


def _asgi_post(headers: list[tuple[bytes, bytes]], chunk: int, limit: int) -> tuple[int, int]:
    """POST an endless body straight to the app; (status, bytes the app pulled)."""
    state = CloudSigmaState()
    app = create_app(state)
    token = _b64(f"{state.username}:{state.password}".encode())
    pulled = 0
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled > limit:
            raise AssertionError(f"the app read {pulled} bytes")
        pulled += chunk
        return {"type": "http.request", "body": b" " * chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "path": "/api/2.0/tags/",
        "raw_path": b"/api/2.0/tags/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"authorization", b"Basic " + token), *headers],
        "client": ("127.0.0.1", 1),
    }
    try:
        anyio.run(app, scope, receive, send)
    finally:
        state.close()
    return status[0], pulled


def test_endless_body_is_not_read_past_the_limit() -> None:
    status, pulled = _asgi_post([], 1 << 20, 2 * MAX_BODY)
    assert status == 413
    assert pulled <= MAX_BODY + (1 << 20)


def test_declared_oversized_body_is_refused_unread() -> None:
    status, pulled = _asgi_post([(b"content-length", str(MAX_BODY + 1).encode())], 1 << 20, 0)
    assert (status, pulled) == (413, 0)
