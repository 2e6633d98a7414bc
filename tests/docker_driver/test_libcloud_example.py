"""Libcloud's Docker example (docs/examples/container/docker, the credentials one) runs on
omnicloud with only the imports changed: against a stub Engine API, since a real daemon here
can reach no registry to pull ``tomcat:8.0`` from. ``Cls(*CREDS)`` names no host, so the
daemon comes from ``DOCKER_HOST`` as with the docker CLI; the credentials go as HTTP Basic."""

from __future__ import annotations

import base64
import json

import pytest

from omnicloud.container import ContainerState
from tests.support.stub_server import Reply, Seen, StubServer

from .conftest import PROGRESS, container_doc, engine, image_doc

LIBCLOUD_CODE = """
from libcloud.container.types import Provider
from libcloud.container.providers import get_driver

CREDS = ("user", "api key")

Cls = get_driver(Provider.DOCKER)
driver = Cls(*CREDS)

image = driver.install_image("tomcat:8.0")
container = driver.deploy_container("tomcat", image)

container.restart()
"""

IDENT = "c0ffee" * 10 + "abcd"


def test_the_libcloud_example_runs_with_only_the_imports_changed(
    stub: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[dict[str, object]] = []
    actions: list[str] = []

    def create(seen: Seen) -> Reply:
        created.append(json.loads(seen.body))
        assert seen.params == {"name": "tomcat"}
        return Reply(201, {"Id": IDENT, "Warnings": []})

    def act(name: str) -> object:
        def handle(seen: Seen) -> Reply:
            actions.append(name)
            return Reply(204)

        return handle

    stub.handle(
        engine(
            routes={
                ("POST", "/images/create"): lambda s: Reply(200, PROGRESS),
                ("GET", "/images/tomcat:8.0/json"): lambda s: Reply(200, image_doc("tomcat:8.0")),
                ("POST", "/containers/create"): create,
                ("POST", f"/containers/{IDENT}/start"): act("start"),  # type: ignore[dict-item]
                ("POST", f"/containers/{IDENT}/restart"): act("restart"),  # type: ignore[dict-item]
                ("GET", f"/containers/{IDENT}/json"): lambda s: Reply(
                    200, container_doc(IDENT, "tomcat", "tomcat:8.0", "running")
                ),
            }
        )
    )
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{stub.port}")
    monkeypatch.delenv("DOCKER_TLS_VERIFY", raising=False)
    code = LIBCLOUD_CODE.replace("from libcloud.", "from omnicloud.")
    assert code.count("omnicloud") == 2
    namespace: dict[str, object] = {}
    exec(compile(code, "libcloud_docker_example.py", "exec"), namespace)
    container = namespace["container"]
    driver = namespace["driver"]
    assert container.name == "tomcat"  # type: ignore[attr-defined]
    assert container.state is ContainerState.RUNNING  # type: ignore[attr-defined]
    assert container.ip_addresses == ["172.17.0.2"]  # type: ignore[attr-defined]
    assert actions == ["start", "restart"]
    assert created[0]["Image"] == "tomcat:8.0"
    assert created[0]["Tty"] is True and created[0]["OpenStdin"] is True  # Libcloud's defaults
    token = base64.b64encode(b"user:api key").decode()
    assert {s.headers.get("Authorization") for s in stub.requests} == {f"Basic {token}"}
    assert "api key" not in repr(driver) and token not in repr(driver)
    driver.close()  # type: ignore[attr-defined]
