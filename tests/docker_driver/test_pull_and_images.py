"""Images: pulls as lazy progress (errors inside the stream raised, error answers too), install,
import from a tar stream, inspect and removal, on the stub and on the real daemon."""

from __future__ import annotations

import io
import shutil
import tarfile
from typing import Any

import pytest

from omnicloud.container import ContainerImage, ContainerState
from omnicloud.container.drivers.docker import AsyncDockerContainerDriver, DockerContainerDriver
from omnicloud.container.drivers.docker_client import (
    DockerError,
    DockerNotFoundError,
    DockerStreamError,
    JsonStreamDecoder,
)
from omnicloud.errors import MalformedResponseError, NotFoundError
from omnicloud.http import HttpConfig
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, StubServer

from .conftest import IMAGE, PROGRESS, QUICK, engine, fresh_name, image_doc, json_lines


@pytest.fixture
def sd(mode: str, portal: Portal, stub: StubServer) -> Any:
    driver = open_in_mode(
        mode,
        portal,
        DockerContainerDriver,
        AsyncDockerContainerDriver,
        endpoint=stub.url,
        http=HttpConfig(retry=QUICK),
    )
    yield driver
    close_in_mode(driver, portal)


def test_a_pull_is_a_lazy_progress_stream_then_install_inspects(sd: Any, stub: StubServer) -> None:
    stub.handle(
        engine(
            routes={
                ("POST", "/images/create"): lambda s: Reply(
                    200, PROGRESS, {"Content-Type": "application/json"}
                ),
                ("GET", "/images/tomcat:8.0/json"): lambda s: Reply(200, image_doc("tomcat:8.0")),
            }
        )
    )
    progress = list(sd.ex_pull_image("tomcat:8.0"))
    assert progress[0]["status"] == "Pulling from library/tomcat"
    assert progress[1]["progressDetail"] == {"current": 1, "total": 2}
    pulls = [s for s in stub.requests if s.path.endswith("/images/create")]
    assert pulls[0].params == {"fromImage": "tomcat", "tag": "8.0"}
    assert pulls[0].path == "/v1.41/images/create"
    image = sd.install_image("tomcat:8.0")
    assert isinstance(image, ContainerImage)
    assert (image.name, image.version, image.path) == ("tomcat", "8.0", "tomcat:8.0")


def test_an_error_inside_the_stream_is_raised_after_the_progress(
    sd: Any, stub: StubServer, mode: str
) -> None:
    body = json_lines(
        {"status": "Pulling from library/nope"},
        {"errorDetail": {"message": "manifest unknown"}, "error": "manifest unknown"},
    )
    stub.handle(engine(routes={("POST", "/images/create"): lambda s: Reply(200, body)}))
    with pytest.raises(DockerStreamError, match="manifest unknown") as caught:
        sd.install_image("nope:1")
    assert caught.value.error == "manifest unknown"
    if mode == "sync":  # lazily: the first item arrives before the error
        items = sd.ex_pull_image("nope:1")
        assert next(items) == {"status": "Pulling from library/nope"}
        with pytest.raises(DockerStreamError):
            next(items)


def test_an_error_answer_to_a_pull_is_raised(sd: Any, stub: StubServer) -> None:
    stub.handle(
        engine(
            routes={
                ("POST", "/images/create"): lambda s: Reply(
                    404, {"message": "pull access denied for x"}
                )
            }
        )
    )
    with pytest.raises(DockerNotFoundError, match="pull access denied"):
        sd.install_image("x")


def test_the_progress_decoder_takes_any_split() -> None:
    data = PROGRESS + b'{"status":"a"}{"status":"b"}'
    for size in (1, 7, 50, len(data)):
        decoder = JsonStreamDecoder("pull")
        got: list[dict[str, Any]] = []
        for start in range(0, len(data), size):
            got += decoder.feed(data[start : start + size])
        decoder.close()
        assert [g["status"] for g in got][-2:] == ["a", "b"]
        assert len(got) == 6
    cut = JsonStreamDecoder("pull")
    list(cut.feed(b'{"status": "hal'))
    with pytest.raises(MalformedResponseError):
        cut.close()


def test_a_pull_on_the_real_daemon_fails_with_its_reason(d: DockerContainerDriver) -> None:
    # no registry is reachable from here: dockerd answers the pull with an error
    with pytest.raises(DockerError) as caught:
        d.install_image("omnicloud-no-such-image-here:1")
    assert caught.value.error


def _rootfs_tar(marker: str) -> bytes:
    buffer = io.BytesIO()
    busybox = shutil.which("busybox") or "/bin/busybox"
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(busybox, arcname="bin/busybox")
        for tool in ("sh", "echo", "cat"):
            link = tarfile.TarInfo(f"bin/{tool}")
            link.type = tarfile.SYMTYPE
            link.linkname = "busybox"
            tar.addfile(link)
        data = marker.encode()
        info = tarfile.TarInfo("marker.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_import_a_tar_stream_deploy_it_and_remove_it(d: DockerContainerDriver, mode: str) -> None:
    marker = fresh_name()
    data = _rootfs_tar(marker)
    pieces = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    image = d.ex_import_image(
        pieces if mode == "sync" else data,
        f"omnicloud-import-{marker}",
        "v1",
        changes=['CMD ["/bin/cat", "/marker.txt"]'],
    )
    try:
        assert (image.name, image.version) == (f"omnicloud-import-{marker}", "v1")
        assert image.id in {i.id for i in d.list_images()}
        container = d.deploy_container(
            fresh_name(), image, start=True, tty=False, stdin_open=False, network_mode="none"
        )
        try:
            for _ in range(100):
                if d.get_container(container.id).state is not ContainerState.RUNNING:
                    break
            assert d.ex_get_logs(container) == marker
            assert d.get_container(container.id).state is ContainerState.STOPPED
        finally:
            d.destroy_container(container)
    finally:
        assert d.ex_delete_image(image) is True
    with pytest.raises(NotFoundError):
        d.ex_get_image(image.id)
    assert IMAGE in {i.path for i in d.list_images()}
