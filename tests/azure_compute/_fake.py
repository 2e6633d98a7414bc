"""A scripted Azure AD + Resource Manager stand-in on ``httpx.MockTransport`` for protocol
tests (token caching, long-running operations, paging, errors) without the simulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx

TENANT = "tenant-1"
SUB = "sub-1"
CLIENT = "client-1"
SECRET = "s3cr3t-client-value"
ARM = "http://arm.test"
LOGIN = "http://login.test"

Handler = Callable[[httpx.Request], httpx.Response]


def reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    """A JSON answer."""
    content = b"" if body is None else json.dumps(body).encode()
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    if body is not None:
        headers["content-type"] = "application/json"
    return httpx.Response(status, content=content, headers=headers)


@dataclass
class FakeAzure:
    """Routes by ``(method, path)``; each route is a list of answers used in turn (the last one
    repeats). Tokens are ``token-N``; ``secret`` is the only accepted client secret."""

    secret: str = SECRET
    routes: dict[tuple[str, str], list[Handler | httpx.Response]] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)
    tokens_issued: int = 0
    valid: set[str] = field(default_factory=set)
    expires_in: int = 3599

    def on(self, method: str, path: str, *answers: Handler | httpx.Response) -> None:
        self.routes[(method, path)] = list(answers)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.seen if method is None or r.method == method]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if request.url.path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(request)
        if request.url.host == "arm.test":
            auth = request.headers.get("authorization", "")
            if auth.removeprefix("Bearer ") not in self.valid:
                return reply(
                    401,
                    {
                        "error": {
                            "code": "InvalidAuthenticationToken",
                            "message": "The access token is invalid.",
                        }
                    },
                )
            if "api-version" not in request.url.params:
                return reply(
                    400,
                    {
                        "error": {
                            "code": "MissingApiVersionParameter",
                            "message": "api-version is required",
                        }
                    },
                )
        answers = self.routes.get((request.method, request.url.path))
        if not answers:
            return reply(
                404,
                {
                    "error": {
                        "code": "ResourceNotFound",
                        "message": f"{request.url.path} was not found.",
                    }
                },
            )
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        return answer(request) if callable(answer) else answer

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if form.get("client_id") != CLIENT or (
            "client_secret" in form and form["client_secret"] != self.secret
        ):
            return reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. "
                    "Ensure the secret being sent is the client secret value.\r\nTrace ID: x",
                },
            )
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}"
        self.valid.add(token)
        return reply(
            200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}
        )


def vm_path(name: str, group: str = "rg") -> str:
    rg = f"/subscriptions/{SUB}/resourceGroups/{group}"
    return f"{rg}/providers/Microsoft.Compute/virtualMachines/{name}"


def vm_doc(name: str, power: str = "running", nic: str | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "storageProfile": {
            "imageReference": {"publisher": "Canonical", "offer": "o", "sku": "s", "version": "1"}
        },
        "instanceView": {
            "statuses": [{"code": "ProvisioningState/succeeded"}, {"code": f"PowerState/{power}"}]
        },
        "networkProfile": {"networkInterfaces": [{"id": nic}] if nic else []},
    }
    return {"id": vm_path(name), "name": name, "location": "eastus", "properties": props}
