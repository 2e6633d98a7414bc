"""Registry credentials at the transport level (a stub Engine API): the ``X-Registry-Auth``
header from a call's argument, the driver's table, ``config.json`` (``auths``, credential
helpers run for the registry in use only), errors, and no secret in reprs, messages or logs."""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from omnicloud.container.drivers.docker import (
    AsyncDockerContainerDriver,
    DockerContainerDriver,
    DockerRegistryAuthError,
    RegistryAuth,
)
from omnicloud.container.drivers.docker_auth import (
    HUB_SERVER,
    DockerCredentialsError,
    from_config,
    registry_of,
    registry_table,
    run_helper,
)
from omnicloud.errors import InvalidCredentialsError, ValidationError
from omnicloud.http import HttpConfig
from omnicloud.http._trace import LOGGER_NAME
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen, StubServer

from .conftest import PROGRESS, QUICK, engine, image_doc, json_lines

PASSWORD = "s3cr3t-registry-pw"
TOKEN = "identity-token-xyz-123"


def decoded(header: str) -> dict[str, Any]:
    padded = header + "=" * (-len(header) % 4)
    document: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return document


def registry_stub(stub: StubServer, push_reply: bytes = b"") -> list[Seen]:
    """Pulls, pushes and inspections answered; the pull and push requests are returned."""
    seen: list[Seen] = []

    def pull(request: Seen) -> Reply:
        seen.append(request)
        return Reply(200, PROGRESS, {"Content-Type": "application/json"})

    def push(request: Seen) -> Reply:
        seen.append(request)
        body = push_reply or json_lines({"status": "pushed"})
        return Reply(200, body, {"Content-Type": "application/json"})

    def handle(request: Seen) -> Reply:
        path = request.path.split("/", 2)[2] if request.path.startswith("/v1.") else request.path
        if request.method == "POST" and path.endswith("/push"):
            return push(request)
        if request.method == "GET" and path.startswith("images/") and path.endswith("/json"):
            return Reply(200, image_doc(path[len("images/") : -len("/json")]))
        return engine(routes={("POST", "/images/create"): pull})(request)

    stub.handle(handle)
    return seen


@pytest.fixture
def sd(mode: str, portal: Portal, stub: StubServer, tmp_path: Path) -> Any:
    driver = open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        endpoint=stub.url,
        ex_environ={"DOCKER_CONFIG": str(tmp_path / "no-config"), "PATH": os.environ["PATH"]},
        http=HttpConfig(retry=QUICK),
    )
    yield driver
    close_in_mode(driver, portal)


def write_config(folder: Path, document: dict[str, Any]) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(document))
    return {"DOCKER_CONFIG": str(folder), "PATH": os.environ["PATH"]}


def helper(folder: Path, name: str, script: str) -> str:
    """A credential helper ``docker-credential-NAME`` (a shell script) in ``folder``; the
    PATH that finds it first."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / f"docker-credential-{name}"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


# -- the header ----------------------------------------------------------------------------
def test_an_explicit_pair_becomes_the_header(sd: Any, stub: StubServer) -> None:
    seen = registry_stub(stub)
    sd.install_image("registry.example.com:5000/team/app:1.2", ex_registry_auth=("ann", PASSWORD))
    assert decoded(seen[0].headers["X-Registry-Auth"]) == {
        "username": "ann",
        "password": PASSWORD,
        "serveraddress": "registry.example.com:5000",
    }
    assert "=" not in seen[0].headers["X-Registry-Auth"].rstrip("=")  # base64url, no + or /
    assert seen[0].params == {"fromImage": "registry.example.com:5000/team/app", "tag": "1.2"}


def test_a_token_mapping_and_no_credentials(sd: Any, stub: StubServer) -> None:
    seen = registry_stub(stub)
    list(sd.ex_pull_image("busybox", ex_registry_auth={"IdentityToken": TOKEN}))
    assert decoded(seen[0].headers["X-Registry-Auth"]) == {
        "identitytoken": TOKEN,
        "serveraddress": HUB_SERVER,
    }
    list(sd.ex_pull_image("busybox"))  # nobody has credentials: no header at all
    assert "X-Registry-Auth" not in seen[1].headers


def test_the_drivers_table_applies_to_its_registry_only(
    mode: str, portal: Portal, stub: StubServer, tmp_path: Path
) -> None:
    seen = registry_stub(stub)
    driver = open_in_mode(
        mode, portal, DockerContainerDriver, AsyncDockerContainerDriver,
        endpoint=stub.url, http=HttpConfig(retry=QUICK),
        ex_environ={"DOCKER_CONFIG": str(tmp_path)},
        ex_registry_auth=[
            RegistryAuth("ann", PASSWORD, "https://registry.example.com/v2/"),
            {"username": "hubber", "password": "hub-pw-1234"},
        ],
    )  # fmt: skip
    try:
        driver.install_image("registry.example.com/app")
        driver.install_image("library/busybox:1")
        driver.install_image("quay.io/other/app:2")
        shown = repr(driver)
    finally:
        close_in_mode(driver, portal)
    first, hub, other = (s.headers.get("X-Registry-Auth") for s in seen)
    assert first and decoded(first)["username"] == "ann"
    assert decoded(first)["serveraddress"] == "https://registry.example.com/v2/"
    assert hub and decoded(hub) == {
        "username": "hubber",
        "password": "hub-pw-1234",
        "serveraddress": HUB_SERVER,
    }
    assert other is None  # quay.io: nobody named it
    assert PASSWORD not in shown and "hub-pw-1234" not in shown


def test_a_push_always_sends_a_header(sd: Any, stub: StubServer) -> None:
    seen = registry_stub(stub)
    progress = list(sd.ex_push_image("registry.example.com/team/app:3"))
    assert progress == [{"status": "pushed"}]
    assert unquote(seen[0].path).endswith("/images/registry.example.com/team/app/push")
    assert seen[0].params == {"tag": "3"}
    assert decoded(seen[0].headers["X-Registry-Auth"]) == {}  # the daemon wants one
    list(sd.ex_push_image("registry.example.com/team/app", tag="4", ex_registry_auth=("a", "b")))
    assert seen[1].params == {"tag": "4"}
    assert decoded(seen[1].headers["X-Registry-Auth"])["username"] == "a"
    with pytest.raises(ValidationError):
        list(sd.ex_push_image("app@sha256:" + "a" * 64))


# -- config.json ---------------------------------------------------------------------------
def test_config_auths_for_the_registry_and_for_docker_hub(
    mode: str, portal: Portal, stub: StubServer, tmp_path: Path
) -> None:
    seen = registry_stub(stub)
    hub = base64.b64encode(b"hubuser:hub-pw-5678").decode()
    mine = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()
    env = write_config(
        tmp_path / "cfg",
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": hub},
                "http://127.0.0.1:5000": {"auth": mine},
                "token.example.com": {"identitytoken": TOKEN},
                "empty.example.com": {},
            }
        },
    )
    driver = open_in_mode(
        mode, portal, DockerContainerDriver, AsyncDockerContainerDriver,
        endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_environ=env,
    )  # fmt: skip
    try:
        for ref in (
            "busybox",
            "127.0.0.1:5000/app:1",
            "token.example.com/x",
            "empty.example.com/y",
        ):
            list(driver.ex_pull_image(ref))
    finally:
        close_in_mode(driver, portal)
    headers = [s.headers.get("X-Registry-Auth") for s in seen]
    assert headers[0] and decoded(headers[0]) == {
        "username": "hubuser",
        "password": "hub-pw-5678",
        "serveraddress": HUB_SERVER,
    }
    assert headers[1] and decoded(headers[1]) == {
        "username": "ann",
        "password": PASSWORD,
        "serveraddress": "http://127.0.0.1:5000",
    }
    assert headers[2] and decoded(headers[2])["identitytoken"] == TOKEN
    assert headers[3] is None


def test_ex_docker_config_false_reads_no_file(stub: StubServer, tmp_path: Path) -> None:
    seen = registry_stub(stub)
    mine = base64.b64encode(f"ann:{PASSWORD}".encode()).decode()
    env = write_config(tmp_path / "cfg", {"auths": {"docker.io": {"auth": mine}}})
    with DockerContainerDriver(
        endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_environ=env, ex_docker_config=False
    ) as driver:
        list(driver.ex_pull_image("busybox"))
    assert "X-Registry-Auth" not in seen[0].headers


def test_docker_config_env_and_home(tmp_path: Path) -> None:
    mine = base64.b64encode(b"u:p-1234").decode()
    write_config(tmp_path / "home" / ".docker", {"auths": {"r.example": {"auth": mine}}})
    found = from_config("r.example", {"HOME": str(tmp_path / "home")})
    assert found == RegistryAuth("u", "p-1234", "r.example")
    assert from_config("r.example", {"DOCKER_CONFIG": str(tmp_path / "none")}) is None
    assert from_config("other.example", {"HOME": str(tmp_path / "home")}) is None


def test_a_broken_config_is_a_clear_error_without_its_content(
    stub: StubServer, tmp_path: Path
) -> None:
    registry_stub(stub)
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "config.json").write_text('{"auths": {"docker.io": {"auth": "' + PASSWORD)
    with DockerContainerDriver(
        endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_environ={"DOCKER_CONFIG": str(folder)}
    ) as driver:
        with pytest.raises(DockerCredentialsError, match="not a JSON object") as caught:
            list(driver.ex_pull_image("busybox"))
    assert PASSWORD not in str(caught.value)
    (folder / "config.json").write_text(json.dumps({"auths": {"docker.io": {"auth": "!!"}}}))
    with pytest.raises(DockerCredentialsError, match="not base64 of user:password"):
        from_config("docker.io", {"DOCKER_CONFIG": str(folder)})


# -- credential helpers --------------------------------------------------------------------
GOOD_HELPER = """read server
echo "$server" >> "{log}"
if [ "$server" = "{wanted}" ]; then
  printf '{{"ServerURL":"%s","Username":"{user}","Secret":"{secret}"}}' "$server"
else
  echo "credentials not found in native keychain"; exit 1
fi
"""


def test_a_helper_is_run_for_the_registry_in_use_only(
    mode: str, portal: Portal, stub: StubServer, tmp_path: Path
) -> None:
    seen = registry_stub(stub)
    log = tmp_path / "asked.log"
    path = helper(
        tmp_path / "bin",
        "omnitest",
        GOOD_HELPER.format(log=log, wanted="reg.example:5000", user="ann", secret=PASSWORD),
    )
    env = write_config(
        tmp_path / "cfg",
        {
            "credsStore": "omnitest",
            "credHelpers": {"other.example": "not-installed-anywhere"},
            "auths": {"docker.io": {}},
        },
    )
    env["PATH"] = path
    driver = open_in_mode(
        mode, portal, DockerContainerDriver, AsyncDockerContainerDriver,
        endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_environ=env,
    )  # fmt: skip
    try:
        list(driver.ex_pull_image("reg.example:5000/app:1"))
        list(driver.ex_pull_image("busybox"))  # the helper has none for Docker Hub
        with pytest.raises(DockerCredentialsError, match="docker-credential-not-installed"):
            list(driver.ex_pull_image("other.example/app"))
    finally:
        close_in_mode(driver, portal)
    assert log.read_text().split() == ["reg.example:5000", HUB_SERVER]
    assert decoded(seen[0].headers["X-Registry-Auth"]) == {
        "username": "ann",
        "password": PASSWORD,
        "serveraddress": "reg.example:5000",
    }
    assert "X-Registry-Auth" not in seen[1].headers
    assert len(seen) == 2  # the missing helper stopped the third pull before it was sent


def test_helper_answers(tmp_path: Path) -> None:
    token_path = helper(
        tmp_path / "a",
        "tok",
        f'cat >/dev/null; echo \'{{"Username":"<token>","Secret":"{TOKEN}"}}\'',
    )
    found = run_helper("tok", "r.example", {"PATH": token_path})
    assert found == RegistryAuth(identitytoken=TOKEN, serveraddress="r.example")
    failing = helper(tmp_path / "b", "bad", "cat >/dev/null; echo 'keychain locked' >&2; exit 3")
    with pytest.raises(DockerCredentialsError, match=r"exit 3\): keychain locked"):
        run_helper("bad", "r.example", {"PATH": failing})
    empty = helper(
        tmp_path / "c", "empty", """cat >/dev/null; echo '{"Username":"","Secret":""}'"""
    )
    assert run_helper("empty", "r.example", {"PATH": empty}) is None
    with pytest.raises(DockerCredentialsError, match="not a credential helper name"):
        run_helper("../evil", "r.example", {"PATH": empty})


# -- refusals and secrets ------------------------------------------------------------------
def test_a_registry_refusal_is_an_invalid_credentials_error(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    refused = {"message": "unauthorized: authentication required"}
    stub.handle(engine(routes={("POST", "/images/create"): lambda s: Reply(500, refused)}))
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        with DockerContainerDriver(
            endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_docker_config=False
        ) as driver:
            with pytest.raises(DockerRegistryAuthError) as caught:
                driver.install_image("r.example/app", ex_registry_auth=("ann", PASSWORD))
    header = stub.requests[-1].headers["X-Registry-Auth"]
    assert isinstance(caught.value, InvalidCredentialsError)
    assert caught.value.status == 500
    assert "the registry refused: unauthorized" in str(caught.value)
    assert caplog.text  # the requests were logged...
    for secret in (PASSWORD, header):
        assert secret not in str(caught.value) and secret not in caplog.text  # ...redacted


def test_a_refusal_inside_a_push_stream(stub: StubServer) -> None:
    body = json_lines(
        {"status": "Preparing", "id": "b2"},
        {
            "errorDetail": {"message": "no basic auth credentials"},
            "error": "no basic auth credentials",
        },
    )
    registry_stub(stub, push_reply=body)
    with DockerContainerDriver(
        endpoint=stub.url, http=HttpConfig(retry=QUICK), ex_docker_config=False
    ) as driver:
        items = driver.ex_push_image("r.example/app:1")
        assert next(items) == {"status": "Preparing", "id": "b2"}
        with pytest.raises(DockerRegistryAuthError, match="no basic auth credentials"):
            next(items)


# -- names and values ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("reference", "registry"),
    [
        ("busybox", "docker.io"),
        ("busybox:1.36", "docker.io"),
        ("team/app:1", "docker.io"),
        ("docker.io/library/busybox", "docker.io"),
        ("index.docker.io/library/busybox", "docker.io"),
        ("localhost/app", "localhost"),
        ("localhost:5000/app", "localhost:5000"),
        ("Registry.Example.com/team/app@sha256:00", "registry.example.com"),
        ("127.0.0.1:5000/a/b/c:2", "127.0.0.1:5000"),
    ],
)
def test_registry_of(reference: str, registry: str) -> None:
    assert registry_of(reference) == registry


def test_credential_values() -> None:
    auth = RegistryAuth.of({"username": "u", "password": PASSWORD, "registry": "r.example"})
    assert auth == RegistryAuth("u", PASSWORD, "r.example")
    assert PASSWORD not in repr(auth) and PASSWORD not in str(auth)
    assert TOKEN not in repr(RegistryAuth(identitytoken=TOKEN))
    assert RegistryAuth.of({"auth": base64.b64encode(b"v:w-1234").decode()}).password == "w-1234"
    assert RegistryAuth.of(("u", "p", "r.example")).serveraddress == "r.example"
    with pytest.raises(ValidationError, match="username or an identitytoken"):
        RegistryAuth(password="only")
    with pytest.raises(ValidationError, match="not colour"):
        RegistryAuth.of({"username": "u", "colour": "x"})
    with pytest.raises(ValidationError):
        RegistryAuth.of("u:p")  # type: ignore[arg-type]
    assert registry_table(None) == {} and registry_table([]) == {}
    assert set(registry_table(("u", "p"))) == {"docker.io"}
