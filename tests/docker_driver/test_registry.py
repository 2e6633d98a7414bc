"""Pushes and pulls through a real registry (Debian's docker-registry with htpasswd auth,
``tests/support/registry.py``) by the real daemon: credentials from the call, from
``config.json`` and from a credential helper; refusals as DockerRegistryAuthError; no secret in
messages or logs."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicloud.container import ContainerImage
from omnicloud.container.drivers.docker import (
    AsyncDockerContainerDriver,
    DockerContainerDriver,
    DockerRegistryAuthError,
    RegistryAuth,
)
from omnicloud.errors import InvalidCredentialsError
from omnicloud.http import HttpConfig
from omnicloud.http._trace import LOGGER_NAME
from tests.support.docker import DockerDaemon
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.registry import Registry, registry_server

from .conftest import IMAGE, QUICK

__all__ = ["registry_server"]


@pytest.fixture(scope="module")
def pushed(docker_daemon: DockerDaemon, registry_server: Registry) -> Iterator[str]:
    """The test image pushed to the registry (with credentials) as ``HOST/omni/bb:TAG``; the
    reference. Its local tag is removed after the module."""
    tag = uuid.uuid4().hex[:8]
    repository = f"{registry_server.host}/omni/bb"
    with DockerContainerDriver(
        endpoint=docker_daemon.unix, http=HttpConfig(retry=QUICK), ex_docker_config=False
    ) as driver:
        tagged = driver.ex_tag_image(IMAGE, repository, tag)
        assert tagged.path == f"{repository}:{tag}"
        auth = RegistryAuth(registry_server.user, registry_server.password)
        progress = list(driver.ex_push_image(tagged, ex_registry_auth=auth))
        assert progress[-1]["aux"]["Tag"] == tag
        assert progress[-1]["aux"]["Digest"].startswith("sha256:")
        yield f"{repository}:{tag}"
        driver.ex_delete_image(f"{repository}:{tag}", force=True)


def driver_for(mode: str, portal: Portal, daemon: DockerDaemon, **kwargs: Any) -> Any:
    return open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        endpoint=daemon.unix,
        http=HttpConfig(retry=QUICK),
        **kwargs,
    )


@pytest.fixture
def plain(mode: str, portal: Portal, docker_daemon: DockerDaemon, tmp_path: Path) -> Iterator[Any]:
    """A driver whose docker client configuration is empty."""
    driver = driver_for(mode, portal, docker_daemon, ex_environ={"HOME": str(tmp_path)})
    yield driver
    close_in_mode(driver, portal)


def test_a_pull_with_the_calls_credentials(
    plain: Any, pushed: str, registry_server: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        image = plain.install_image(
            pushed, ex_registry_auth=(registry_server.user, registry_server.password)
        )
    assert isinstance(image, ContainerImage)
    assert image.path == pushed
    assert caplog.text and registry_server.password not in caplog.text


def test_a_pull_without_credentials_is_refused(plain: Any, pushed: str) -> None:
    with pytest.raises(DockerRegistryAuthError, match="no basic auth credentials") as caught:
        plain.install_image(pushed)
    assert isinstance(caught.value, InvalidCredentialsError)


def test_a_wrong_password_is_refused_and_not_shown(
    plain: Any, pushed: str, registry_server: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-" + registry_server.password
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        with pytest.raises(DockerRegistryAuthError, match="unauthorized") as caught:
            list(plain.ex_pull_image(pushed, ex_registry_auth=(registry_server.user, wrong)))
    assert wrong not in str(caught.value) and wrong not in caplog.text


def test_a_push_without_credentials_is_refused(plain: Any, pushed: str) -> None:
    with pytest.raises(DockerRegistryAuthError, match="no basic auth credentials"):
        list(plain.ex_push_image(pushed))


def test_a_pull_with_the_docker_config(
    mode: str, portal: Portal, docker_daemon: DockerDaemon, pushed: str, registry_server: Registry,
    tmp_path: Path,
) -> None:  # fmt: skip
    token = base64.b64encode(f"{registry_server.user}:{registry_server.password}".encode())
    folder = tmp_path / "docker-config"
    folder.mkdir()
    entry = {"auth": token.decode()}
    (folder / "config.json").write_text(json.dumps({"auths": {registry_server.host: entry}}))
    driver = driver_for(mode, portal, docker_daemon, ex_environ={"DOCKER_CONFIG": str(folder)})
    try:
        assert driver.install_image(pushed).path == pushed
    finally:
        close_in_mode(driver, portal)


def test_a_pull_with_a_credential_helper(
    docker_daemon: DockerDaemon, pushed: str, registry_server: Registry, tmp_path: Path
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "asked"
    answer = json.dumps({"Username": registry_server.user, "Secret": registry_server.password})
    program = bin_dir / "docker-credential-omnireg"
    program.write_text(f"#!/bin/sh\nread server\necho \"$server\" >> '{asked}'\necho '{answer}'\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    folder = tmp_path / "docker-config"
    folder.mkdir()
    helpers = {registry_server.host: "omnireg", "elsewhere.example": "absent-helper"}
    (folder / "config.json").write_text(json.dumps({"credHelpers": helpers}))
    env = {"DOCKER_CONFIG": str(folder), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    with DockerContainerDriver(
        endpoint=docker_daemon.unix, http=HttpConfig(retry=QUICK), ex_environ=env
    ) as driver:
        assert driver.install_image(pushed).path == pushed
    assert asked.read_text().split() == [registry_server.host]  # that registry's helper only
