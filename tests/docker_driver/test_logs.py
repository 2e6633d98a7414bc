"""Logs: multiplexed frames demultiplexed (stdout and stderr apart, frames split or joined in
any way), a TTY container's raw stream, lazy and followed iteration on the real daemon."""

from __future__ import annotations

import struct
import time

import anyio
import pytest

from omnicloud.container import Container, ContainerState
from omnicloud.container.drivers.docker import AsyncDockerContainerDriver, DockerContainerDriver
from omnicloud.container.drivers.docker_client import FrameDecoder
from omnicloud.errors import MalformedResponseError
from tests.support.docker import DockerDaemon

from .conftest import IMAGE, fresh_name


def frame(kind: int, data: bytes) -> bytes:
    return struct.pack(">BxxxL", kind, len(data)) + data


def test_frames_split_anywhere_decode_the_same() -> None:
    stream = frame(1, b"hello\n") + frame(2, b"oops\n") + frame(1, b"") + frame(1, b"x" * 70000)
    expected = [
        ("stdout", b"hello\n"),
        ("stderr", b"oops\n"),
        ("stdout", b""),
        ("stdout", b"x" * 70000),
    ]
    for size in (1, 3, 8, 9, 13, 1000, len(stream)):
        decoder = FrameDecoder()
        got = []
        for start in range(0, len(stream), size):
            got += list(decoder.feed(stream[start : start + size]))
        decoder.close()
        assert got == expected, size


def test_a_bad_stream_type_or_a_cut_frame_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="stream type 7"):
        list(FrameDecoder().feed(b"\x07\x00\x00\x00\x00\x00\x00\x01x"))
    decoder = FrameDecoder()
    assert list(decoder.feed(frame(1, b"abcdef")[:-2])) == []
    with pytest.raises(MalformedResponseError, match="inside a frame"):
        decoder.close()


def _run(d: DockerContainerDriver, made: list[Container], command: str, tty: bool) -> Container:
    image = d.ex_get_image(IMAGE)
    container = d.deploy_container(
        fresh_name(), image, command=command, tty=tty, stdin_open=False, network_mode="none"
    )
    made.append(container)
    deadline = time.monotonic() + 10
    while d.get_container(container.id).state is ContainerState.RUNNING:
        assert time.monotonic() < deadline, "the command did not end"
        time.sleep(0.05)
    return container


def test_stdout_and_stderr_come_apart(d: DockerContainerDriver, made: list[Container]) -> None:
    container = _run(d, made, "echo one; echo two >&2; echo three", tty=False)
    chunks = list(d.ex_iterate_logs(container))
    by_stream = {
        name: b"".join(c.data for c in chunks if c.stream == name) for name in ("stdout", "stderr")
    }
    assert by_stream == {"stdout": b"one\nthree\n", "stderr": b"two\n"}
    assert [c.text for c in d.ex_iterate_logs(container, stderr=False)] == ["one\n", "three\n"]
    assert [c.stream for c in d.ex_iterate_logs(container, stdout=False)] == ["stderr"]
    # Docker orders lines within a stream, not across the two pipes
    assert sorted(d.ex_get_logs(container).splitlines()) == ["one", "three", "two"]
    (last,) = d.ex_iterate_logs(container, tail=1)
    assert last.text in ("three\n", "two\n")  # the last line written, whichever pipe won


def test_a_tty_container_has_one_raw_stream(
    d: DockerContainerDriver, made: list[Container]
) -> None:
    container = _run(d, made, "echo out; echo err >&2", tty=True)
    chunks = list(d.ex_iterate_logs(container))
    assert {c.stream for c in chunks} == {"stdout"}
    text = b"".join(c.data for c in chunks).replace(b"\r\n", b"\n")
    assert b"out\n" in text and b"err\n" in text


def test_followed_logs_arrive_while_the_container_runs(
    d: DockerContainerDriver, made: list[Container]
) -> None:
    image = d.ex_get_image(IMAGE)
    container = d.deploy_container(
        fresh_name(),
        image,
        command="i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done",
        tty=False,
        stdin_open=False,
        network_mode="none",
    )
    made.append(container)
    if getattr(d, "mode", "sync") == "async":  # the portal collects a whole iterator
        assert d.ex_get_logs(container).startswith("tick 0\n")
        return
    seen = []
    started = time.monotonic()
    for chunk in d.ex_iterate_logs(container, follow=True):
        seen.append(chunk.text)
        if len(seen) == 3:
            break  # stopping early closes the stream
    assert seen == ["tick 0\n", "tick 1\n", "tick 2\n"]
    assert time.monotonic() - started < 5
    assert d.get_container(container.id).state is ContainerState.RUNNING


@pytest.mark.parametrize("way", ["unix", "tcp"])
def test_async_followed_logs_stop_when_the_consumer_does(
    d: DockerContainerDriver, made: list[Container], docker_daemon: DockerDaemon, way: str
) -> None:
    image = d.ex_get_image(IMAGE)
    container = d.deploy_container(
        fresh_name(),
        image,
        command="i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done",
        tty=False,
        stdin_open=False,
        network_mode="none",
    )
    made.append(container)
    endpoint = docker_daemon.unix if way == "unix" else docker_daemon.tcp

    async def follow() -> list[str]:
        seen: list[str] = []
        async with AsyncDockerContainerDriver(endpoint=endpoint) as driver:
            async for chunk in driver.ex_iterate_logs(container, follow=True):
                seen.append(chunk.text)
                if len(seen) == 3:
                    break
            # the driver still works after the abandoned stream
            assert (await driver.get_container(container.id)).state is ContainerState.RUNNING
        return seen

    started = time.monotonic()
    assert anyio.run(follow) == ["tick 0\n", "tick 1\n", "tick 2\n"]
    assert time.monotonic() - started < 5
