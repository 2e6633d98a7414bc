"""Where the daemon is: endpoint forms, Libcloud's host/port/secure, the docker CLI's
environment, unix socket and TCP on the real daemon, TLS with client certificates."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from omnicloud.container.drivers.docker import AsyncDockerContainerDriver, DockerContainerDriver
from omnicloud.container.drivers.docker_client import Location, locate
from omnicloud.errors import TransportError, ValidationError
from omnicloud.http import HttpConfig
from tests.support.docker import IMAGE, DockerDaemon
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, StubServer

from .conftest import QUICK, engine


@pytest.mark.parametrize(
    ("kwargs", "base", "socket"),
    [
        ({"endpoint": "unix:///run/docker.sock"}, "http://localhost", "/run/docker.sock"),
        ({"endpoint": "tcp://127.0.0.1:2375"}, "http://127.0.0.1:2375", None),
        ({"endpoint": "tcp://10.0.0.5"}, "http://10.0.0.5:2375", None),
        ({"endpoint": "127.0.0.1:2375"}, "http://127.0.0.1:2375", None),
        ({"endpoint": "https://docker.example:9999/"}, "https://docker.example:9999", None),
        ({"endpoint": "tcp://[::1]:2375"}, "http://[::1]:2375", None),
        ({}, "http://localhost:4243", None),
        ({"host": "192.0.2.7", "port": 2375}, "http://192.0.2.7:2375", None),
        ({"host": "192.0.2.7", "secure": True}, "https://192.0.2.7:4243", None),
        ({"host": "https://198.51.100.9", "port": 4243}, "https://198.51.100.9:4243", None),
        ({"host": "unix:///var/run/docker.sock"}, "http://localhost", "/var/run/docker.sock"),
    ],
)
def test_locations(kwargs: dict[str, object], base: str, socket: str | None) -> None:
    where = locate(environ={}, **kwargs)  # type: ignore[arg-type]
    assert (where.base, where.socket) == (base, socket)


def test_the_docker_cli_environment() -> None:
    env = {
        "DOCKER_HOST": "tcp://dock.example:2376",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": "/certs",
    }
    assert locate(environ=env) == Location(
        "https://dock.example:2376", None, "/certs/cert.pem", "/certs/key.pem", "/certs/ca.pem"
    )
    assert locate(environ={"DOCKER_HOST": "unix:///tmp/d.sock"}).socket == "/tmp/d.sock"
    # given arguments win over the environment
    assert locate(host="h", port=1, environ=env).base == "http://h:1"
    with pytest.raises(ValidationError, match="unix://, tcp://"):
        locate(endpoint="ftp://x", environ={})
    with pytest.raises(ValidationError, match="key_file given without cert_file"):
        locate(host="h", key_file="k.pem", environ={})


def test_the_driver_reads_the_environment_it_is_given(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/d.sock"}
    with DockerContainerDriver(ex_environ=env) as driver:
        assert driver.endpoint == f"unix://{tmp_path}/d.sock"


@pytest.mark.parametrize("way", ["unix", "tcp"])
def test_unix_socket_and_tcp_reach_the_same_daemon(
    mode: str, portal: Portal, docker_daemon: DockerDaemon, way: str
) -> None:
    endpoint = docker_daemon.unix if way == "unix" else docker_daemon.tcp
    driver = open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        endpoint=endpoint,
        http=HttpConfig(retry=QUICK),
    )
    try:
        assert IMAGE in {image.path for image in driver.list_images()}
        assert driver.endpoint == endpoint.replace("tcp://", "http://")
        assert driver.ex_version()["ApiVersion"]
    finally:
        close_in_mode(driver, portal)


def test_a_unix_socket_that_is_not_there_is_a_transport_error(tmp_path: Path) -> None:
    with DockerContainerDriver(endpoint=f"unix://{tmp_path}/none.sock") as driver:
        with pytest.raises(TransportError, match="could not connect"):
            driver.list_images()


@pytest.fixture(scope="module")
def tls_stub(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[StubServer, dict[str, str]]]:
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    client = ca.issue_cert("client.example")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED  # a client certificate or no answer
    folder = tmp_path_factory.mktemp("docker-tls")
    files = {
        "ca_cert": str(folder / "ca.pem"),
        "cert_file": str(folder / "cert.pem"),
        "key_file": str(folder / "key.pem"),
    }
    ca.cert_pem.write_to_path(files["ca_cert"])
    client.cert_chain_pems[0].write_to_path(files["cert_file"])
    client.private_key_pem.write_to_path(files["key_file"])
    stub = StubServer(ssl_context=context)
    yield stub, files
    stub.stop()


def test_tls_with_a_client_certificate(
    mode: str, portal: Portal, tls_stub: tuple[StubServer, dict[str, str]]
) -> None:
    stub, files = tls_stub
    stub.handle(
        engine(
            "1.41",
            {
                ("GET", "/containers/json"): lambda s: Reply(
                    200, b"[]", {"Content-Type": "application/json"}
                )
            },
        )
    )
    driver = open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        None,
        None,
        False,
        "127.0.0.1",
        stub.port,
        files["key_file"],
        files["cert_file"],
        files["ca_cert"],
        http=HttpConfig(retry=QUICK),
    )
    try:
        assert driver.endpoint == f"https://127.0.0.1:{stub.port}"
        assert driver.list_containers() == []
        assert [s.path for s in stub.requests] == ["/version", "/v1.41/containers/json"]
    finally:
        close_in_mode(driver, portal)


def test_tls_without_the_client_certificate_fails(
    tls_stub: tuple[StubServer, dict[str, str]],
) -> None:
    stub, files = tls_stub
    stub.handle(engine())
    with DockerContainerDriver(
        endpoint=f"https://127.0.0.1:{stub.port}",
        ca_cert=files["ca_cert"],
        http=HttpConfig(retry=QUICK),
    ) as driver:
        with pytest.raises(TransportError):
            driver.list_images()
