"""Docker's container specifics: create bodies (Libcloud's keywords, ``parameters`` merged,
Libcloud's positional order), conflicts and missing things as errors, driver options."""

from __future__ import annotations

import json

import pytest

from omnicloud.container import Container, ContainerImage, ContainerState
from omnicloud.container.drivers.docker import DockerContainerDriver
from omnicloud.container.drivers.docker_client import DockerConflictError, DockerNotFoundError
from omnicloud.errors import NotSupportedError, ValidationError
from omnicloud.http import HttpConfig
from tests.support.stub_server import Reply, Seen, StubServer

from .conftest import IMAGE, QUICK, container_doc, engine, fresh_name

IDENT = "f" * 64


def test_the_create_body(stub: StubServer) -> None:
    bodies: list[dict[str, object]] = []

    def create(seen: Seen) -> Reply:
        bodies.append(json.loads(seen.body))
        return Reply(201, {"Id": IDENT})

    stub.handle(
        engine(
            routes={
                ("POST", "/containers/create"): create,
                ("GET", f"/containers/{IDENT}/json"): lambda s: Reply(
                    200, container_doc(IDENT, "n", "busybox:1", "created")
                ),
            }
        )
    )
    image = ContainerImage("sha256:aa", "busybox", "busybox:1", "1")
    with DockerContainerDriver(endpoint=stub.url, http=HttpConfig(retry=QUICK)) as driver:
        # Libcloud's Docker order: name, image, parameters, start
        made = driver.deploy_container(
            "n",
            image,
            {"HostConfig": {"Memory": 5}, "StopSignal": "SIGINT"},
            False,
            command="echo hi",
            environment={"A": "1"},
            labels={"team": "x"},
            network_mode="none",
        )
        with pytest.raises(NotSupportedError):
            driver.deploy_container("n", image, cluster=object())  # type: ignore[arg-type]
    assert made.state is ContainerState.PENDING
    body = bodies[0]
    assert body["Image"] == "busybox:1"
    assert body["Cmd"] == ["/bin/sh", "-c", "echo hi"]
    assert body["Env"] == ["A=1"] and body["Labels"] == {"team": "x"}
    assert body["HostConfig"] == {"NetworkMode": "none", "Memory": 5}
    assert body["StopSignal"] == "SIGINT"
    assert body["Tty"] is True and body["OpenStdin"] is True
    assert not [s for s in stub.requests if s.path.endswith("/start")]  # start=False


def test_conflicts_and_missing_things_on_the_daemon(
    d: DockerContainerDriver, made: list[Container]
) -> None:
    image = d.ex_get_image(IMAGE)
    name = fresh_name()
    first = d.deploy_container(name, image, network_mode="none")
    made.append(first)
    with pytest.raises(DockerConflictError, match="already in use"):
        d.deploy_container(name, image, network_mode="none")
    with pytest.raises(DockerConflictError):
        d.destroy_container(first, ex_force=False)  # running
    assert d.get_container(name).id == first.id  # a name works as an id
    ghost = ContainerImage("sha256:" + "0" * 64, "ghost", "omnicloud-ghost:1", "1")
    with pytest.raises(DockerNotFoundError):
        d.deploy_container(fresh_name(), ghost, network_mode="none")
    with pytest.raises(DockerNotFoundError):
        d.ex_get_image("omnicloud-ghost:1")
    with pytest.raises(DockerNotFoundError):
        list(d.ex_iterate_logs("no-such-container-" + fresh_name()))


def test_driver_options() -> None:
    with DockerContainerDriver(endpoint="tcp://127.0.0.1:1", stop_timeout="5") as driver:  # type: ignore[arg-type]
        assert driver.stop_timeout == 5
        assert driver.api_version is None
        assert repr(driver) == (
            "<DockerContainerDriver at http://127.0.0.1:1 (API not negotiated)>"
        )
    for bad in ("soon", -1):
        with pytest.raises(ValidationError, match="stop_timeout"):
            DockerContainerDriver(endpoint="tcp://127.0.0.1:1", stop_timeout=bad)  # type: ignore[arg-type]
