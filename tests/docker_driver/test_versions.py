"""Version negotiation: ``GET /version`` first, then ``/v1.NN/`` never above the server's."""

from __future__ import annotations

import pytest

from omnicloud.container.drivers.docker import DockerContainerDriver
from omnicloud.container.drivers.docker_client import MAX_API_VERSION, DockerError, negotiate
from omnicloud.errors import ValidationError
from omnicloud.http import HttpConfig
from tests.support.docker import DockerDaemon
from tests.support.stub_server import Reply, StubServer

from .conftest import QUICK, engine


@pytest.mark.parametrize(
    ("server", "minimum", "pinned", "chosen"),
    [
        ("1.41", "1.12", None, "1.41"),
        ("1.99", "1.24", None, MAX_API_VERSION),
        ("1.30", None, None, "1.30"),
        ("1.43", "1.12", "1.40", "1.40"),
        ("1.43", "1.12", "v1.25", "1.25"),
    ],
)
def test_negotiate(server: str, minimum: str | None, pinned: str | None, chosen: str) -> None:
    assert negotiate(server, minimum, pinned) == chosen


def test_negotiation_refuses_what_cannot_work() -> None:
    with pytest.raises(DockerError, match=r"needs 1\.24 or newer"):
        negotiate("1.20", "1.12", None)
    with pytest.raises(ValidationError, match="outside what the server speaks"):
        negotiate("1.30", "1.12", "1.41")
    with pytest.raises(ValidationError, match="not a Docker API version"):
        DockerContainerDriver(endpoint="tcp://127.0.0.1:1", api_version="latest")


@pytest.mark.parametrize(("server", "prefix"), [("1.30", "/v1.30/"), ("1.52", "/v1.45/")])
def test_requests_use_the_negotiated_prefix(stub: StubServer, server: str, prefix: str) -> None:
    stub.handle(
        engine(
            server,
            {
                ("GET", "/images/json"): lambda s: Reply(
                    200, b"[]", {"Content-Type": "application/json"}
                )
            },
        )
    )
    with DockerContainerDriver(endpoint=stub.url, http=HttpConfig(retry=QUICK)) as driver:
        assert driver.api_version is None
        assert driver.list_images() == []
        assert driver.list_images() == []
        assert driver.api_version == prefix.strip("/v")
    paths = [seen.path for seen in stub.requests]
    assert paths == ["/version", f"{prefix}images/json", f"{prefix}images/json"]


def test_the_real_daemon_is_spoken_to_at_its_own_version(docker_daemon: DockerDaemon) -> None:
    with DockerContainerDriver(endpoint=docker_daemon.unix) as driver:
        info = driver.ex_version()
        assert info["ApiVersion"]
        wanted = negotiate(info["ApiVersion"], info.get("MinAPIVersion"), None)
        assert driver.api_version == wanted
        assert tuple(map(int, wanted.split("."))) <= tuple(map(int, MAX_API_VERSION.split(".")))
        assert "API " + wanted in repr(driver)
