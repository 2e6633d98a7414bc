"""A scripted Compute Engine stand-in on ``httpx.MockTransport`` for protocol-level tests: a
token endpoint, and answers chosen per (method, path) by each test."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

PROJECT = "proj-1"
EMAIL = "robot@proj-1.iam.gserviceaccount.com"
BASE = f"/compute/v1/projects/{PROJECT}"

Answer = Callable[[httpx.Request], httpx.Response]


def make_key() -> dict[str, Any]:
    """A service account key with a fresh RSA private key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "kid-1",
        "private_key": pem,
        "client_email": EMAIL,
        "token_uri": "http://fake.gce/token",
    }


def reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={"content-type": "application/json", **headers}
    )


def op(name: str = "op-1", status: str = "DONE", zone: str = "us-central1-a", **more: Any) -> Any:
    doc = {"kind": "compute#operation", "name": name, "status": status, **more}
    if zone:
        doc["zone"] = f"https://compute.googleapis.com{BASE}/zones/{zone}"
    return doc


@dataclass
class FakeGce:
    """Routes: ``routes[(method, path)]`` is a response, a list of them (served in turn, the
    last one repeated) or a function of the request."""

    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0
    token_status: int = 200

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if path == "/token":
            form = parse_qs(request.content.decode())
            assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
            if self.token_status != 200:
                return reply(
                    self.token_status,
                    {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
                )
            self.tokens_issued += 1
            return reply(
                200,
                {
                    "access_token": f"ya29.secret-{self.tokens_issued}",
                    "expires_in": 3600,
                    "token_type": "Bearer",
                },
            )
        route = self.routes.get((request.method, path))
        if route is None:
            return reply(
                404,
                {
                    "error": {
                        "code": 404,
                        "message": f"The resource '{path}' was not found",
                        "errors": [{"reason": "notFound"}],
                    }
                },
            )
        if isinstance(route, list):
            answer = route.pop(0) if len(route) > 1 else route[0]
        else:
            answer = route
        result: httpx.Response = answer(request) if callable(answer) else answer
        return result

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.seen if r.url.path != "/token"]
