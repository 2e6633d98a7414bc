"""Secrets stay out of reprs, messages and logs: the Basic credentials never show; TLS file
paths may (they are not secret), key contents never."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import pytest

from omnicloud.container.drivers.docker import DockerContainerDriver
from omnicloud.container.drivers.docker_client import DockerAuthError, DockerSettings, locate
from omnicloud.http import HttpConfig
from omnicloud.http._trace import LOGGER_NAME
from tests.support.stub_server import Reply, StubServer

from .conftest import QUICK, engine

SECRET = "hunter2-docker-secret"


def test_reprs_show_where_not_who(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n")
    driver = DockerContainerDriver(
        "admin",
        SECRET,
        host="127.0.0.1",
        port=1,
        key_file=str(key),
        cert_file=str(tmp_path / "cert.pem"),
    )
    token = base64.b64encode(f"admin:{SECRET}".encode()).decode()
    shown = repr(driver) + repr(driver._settings) + repr(driver.location)
    assert str(tmp_path / "cert.pem") in repr(driver)
    assert SECRET not in shown and token not in shown and "SECRETKEYMATERIAL" not in shown
    assert "authorization" not in repr(
        DockerSettings(locate(host="h", environ={}), authorization="x")
    )
    driver.close()


def test_an_auth_failure_names_no_secret(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    stub.handle(engine(routes={("GET", "/images/json"): lambda s: Reply(401, {"message": "who?"})}))
    token = base64.b64encode(f"admin:{SECRET}".encode()).decode()
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        with DockerContainerDriver(
            "admin", SECRET, endpoint=stub.url, http=HttpConfig(retry=QUICK)
        ) as driver:
            with pytest.raises(DockerAuthError) as caught:
                driver.list_images()
    assert stub.requests[-1].headers["Authorization"] == f"Basic {token}"
    assert "who?" in str(caught.value)
    assert SECRET not in str(caught.value) and token not in str(caught.value)
    assert caplog.text  # the requests were logged...
    assert token not in caplog.text and SECRET not in caplog.text  # ...redacted
