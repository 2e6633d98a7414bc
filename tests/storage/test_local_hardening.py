"""Local storage: killed uploads are reclaimed, the umask is honoured, bad names and roots give
clear errors (library and CLI)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from omnicloud.cli import _root
from omnicloud.errors import ConfigurationError
from omnicloud.storage.drivers.local import LocalStorageDriver
from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError

ROOT = Path(__file__).resolve().parents[2]
LONG = "a" * 300
NOT_UTF8 = b"caf\xff".decode("utf-8", "surrogateescape")


def _temps(root: Path) -> list[str]:
    return sorted(os.listdir(root / ".omnicloud" / "tmp"))


# killed uploads ---------------------------------------------------------------------------------
def _wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if time.monotonic() > deadline:  # a hang guard, not a timing assertion
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_upload_killed_with_sigkill_is_reclaimed_by_a_later_write(tmp_path: Path) -> None:
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    box = driver.create_container("c")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-m", "omnicloud", "storage", "--root", str(root), "put", "-", "c/o"]
    child = subprocess.Popen(args, stdin=subprocess.PIPE, env=env)
    try:
        assert child.stdin is not None
        child.stdin.write(b"x" * (3 * 1024 * 1024))  # more than one read: the upload is under way
        child.stdin.flush()

        def started() -> bool:
            temps = _temps(root)
            return bool(temps) and (root / ".omnicloud" / "tmp" / temps[0]).stat().st_size > 0

        _wait_for(started, "the upload's temporary file")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.stdin is not None:
            child.stdin.close()
    assert child.returncode == -signal.SIGKILL
    [leaked] = _temps(root)
    assert leaked.startswith("up-")
    assert driver.list_container_objects(box) == []
    assert [c.name for c in driver.list_containers()] == ["c"]
    # a later write (a new process's driver, as the next CLI call would be) reclaims it
    later = LocalStorageDriver(str(root))
    later.upload_object_via_stream(iter([b"next"]), later.get_container("c"), "next")
    assert _temps(root) == []
    assert [o.name for o in later.list_container_objects(box)] == ["next"]


def test_reclaim_spares_live_uploads_and_takes_old_or_orphaned_ones(tmp_path: Path) -> None:
    from omnicloud.storage.drivers import _local_temp

    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    box = driver.create_container("c")
    tmp = root / ".omnicloud" / "tmp"
    live = _local_temp.temp_prefix("up") + "live"  # ours: this process is alive
    other_host = "up-0123456789ab-1-1-fresh"  # another machine's upload: age decides
    old_other_host = "up-0123456789ab-1-1-old"
    legacy_old = "up-abc12345"  # a name from before the owner was recorded, old
    legacy_fresh = "up-def67890"
    for name in (live, other_host, old_other_host, legacy_old, legacy_fresh):
        (tmp / name).write_bytes(b"partial")
    day_and_more = time.time() - 25 * 3600
    for name in (old_other_host, legacy_old):
        os.utime(tmp / name, (day_and_more, day_and_more))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    orphan = (
        _local_temp.temp_prefix("up").replace(f"-{os.getpid()}-", f"-{int(dead.stdout)}-")
        + "orphan"
    )
    (tmp / orphan).write_bytes(b"partial")
    fresh = LocalStorageDriver(str(root))
    fresh.upload_object_via_stream(iter([b"x"]), box, "x")
    assert _temps(root) == sorted([live, other_host, legacy_fresh])


# permissions ------------------------------------------------------------------------------------
@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    saved = os.umask(0o022)
    os.umask(saved)

    def set_(value: int) -> None:
        os.umask(value)

    try:
        yield set_
    finally:
        os.umask(saved)


@pytest.mark.parametrize(("mask", "mode"), [(0o077, 0o600), (0o027, 0o640), (0o022, 0o644)])
def test_objects_honour_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int, mode: int
) -> None:
    umask(mask)
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    box = driver.create_container("c")
    source = tmp_path / "private.bin"
    source.write_bytes(b"secret")
    source.chmod(0o640)
    driver.upload_object(str(source), box, "fast", verify_hash=False)
    driver.upload_object(str(source), box, "hashed")
    driver.upload_object_via_stream(iter([b"streamed"]), box, "dir/streamed")
    for name in ("fast", "hashed", "dir/streamed"):
        assert stat.S_IMODE((root / "c" / name).stat().st_mode) == mode, name
    metas = [p for p in (root / ".omnicloud" / "meta").rglob("*.json")]
    assert len(metas) == 3
    assert {stat.S_IMODE(p.stat().st_mode) for p in metas} == {mode}


def test_cli_put_under_umask_077_keeps_the_object_private(tmp_path: Path) -> None:
    root = tmp_path / "root"
    LocalStorageDriver(str(root)).create_container("c")
    source = tmp_path / "f"
    source.write_bytes(b"private")
    source.chmod(0o640)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    code = (
        "import os, sys; os.umask(0o077); from omnicloud.cli._root import run; "
        "sys.exit(run(sys.argv[1:]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, "storage", "--root", str(root), "put", str(source), "c/f"],
        check=True,
        env=env,
    )
    assert stat.S_IMODE((root / "c" / "f").stat().st_mode) == 0o600


# bad names and roots ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", [LONG, f"dir/{LONG}", f"{LONG}/x", NOT_UTF8, f"ok/{NOT_UTF8}"])
def test_bad_object_names_are_validation_errors(tmp_path: Path, name: str) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    box = driver.create_container("c")
    source = tmp_path / "src"
    source.write_bytes(b"data")
    with pytest.raises(InvalidObjectNameError):
        driver.upload_object_via_stream(iter([b"x"]), box, name)
    with pytest.raises(InvalidObjectNameError):
        driver.upload_object(str(source), box, name)
    with pytest.raises(InvalidObjectNameError):
        driver.get_object("c", name)
    assert _temps(tmp_path / "root") == []


def test_segment_of_255_bytes_is_fine(tmp_path: Path) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    box = driver.create_container("c")
    name = "é" * 127 + "a"  # 255 bytes in UTF-8
    driver.upload_object_via_stream(iter([b"x"]), box, f"d/{name}")
    assert [o.name for o in driver.list_container_objects(box)] == [f"d/{name}"]
    with pytest.raises(InvalidObjectNameError, match="255 bytes"):
        driver.get_object("c", "d/" + "é" * 128)


@pytest.mark.parametrize("name", [NOT_UTF8, "\udcff", "x" * 256])
def test_bad_container_names_are_validation_errors(tmp_path: Path, name: str) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    with pytest.raises(InvalidContainerNameError):
        driver.create_container(name)
    with pytest.raises(InvalidContainerNameError):
        driver.get_container(name)


def test_names_on_disk_that_cannot_be_addressed_are_not_listed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    box = driver.create_container("c")
    os.mkdir(os.fsencode(root) + b"/bad\xff")
    (root / "c" / "d").mkdir()
    with open(os.fsencode(root / "c" / "d") + b"/\xfe", "wb") as handle:
        handle.write(b"x")
    os.mkfifo(root / "c" / "fifo")
    driver.upload_object_via_stream(iter([b"x"]), box, "d/ok")
    assert [c.name for c in driver.list_containers()] == ["c"]
    assert [o.name for o in driver.list_container_objects(box)] == ["d/ok"]


def test_roots_that_are_files_or_missing_are_configuration_errors(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a directory")
    for create in (True, False):
        with pytest.raises(ConfigurationError, match="not a directory"):
            LocalStorageDriver(str(a_file), create=create)
        with pytest.raises(ConfigurationError, match="not a directory"):
            LocalStorageDriver(str(a_file / "below"), create=create)
    with pytest.raises(ConfigurationError, match="does not exist"):
        LocalStorageDriver(str(tmp_path / "missing" / "dir"), create=False)
    assert not (tmp_path / "missing").exists()
    LocalStorageDriver(str(tmp_path / "made" / "here"))  # the library default creates it
    assert (tmp_path / "made" / "here" / ".omnicloud").is_dir()


def test_a_root_with_a_symlinked_hidden_directory_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (root / ".omnicloud").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ConfigurationError, match="symbolic link"):
        LocalStorageDriver(str(root))
    assert os.listdir(tmp_path / "elsewhere") == []


Runner = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    entry = ("omnicloud.cli.storage_cmd", "storage", "Object storage.")
    monkeypatch.setitem(_root.SUBCOMMANDS, "storage", entry)
    monkeypatch.setitem(_root.cli.lazy_commands, "storage", entry)  # type: ignore[attr-defined]

    def run(args: list[str]) -> tuple[int, str, str]:
        code = _root.run(args)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_bad_names_and_roots_print_one_line_and_exit_2(tmp_path: Path, cli: Runner) -> None:
    root = tmp_path / "root"
    LocalStorageDriver(str(root)).create_container("c")
    source = tmp_path / "src"
    source.write_bytes(b"data")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    base = ["storage", "--root", str(root)]
    cases = [
        ([*base, "put", str(source), f"c/{LONG}"], "255 bytes"),
        ([*base, "get", f"c/dir/{LONG}", "-"], "255 bytes"),
        ([*base, "rm", f"c/{LONG}"], "255 bytes"),
        ([*base, "put", str(source), f"c/{NOT_UTF8}"], "UTF-8"),
        ([*base, "stat", f"c/{NOT_UTF8}"], "UTF-8"),
        ([*base, "mb", NOT_UTF8], "UTF-8"),
        ([*base, "ls", NOT_UTF8], "UTF-8"),
        (["storage", "--root", str(a_file), "ls"], "not a directory"),
        (["storage", "--root", str(tmp_path / "missing" / "dir"), "ls"], "does not exist"),
        (["storage", "--root", str(tmp_path / "missing" / "dir"), "mb", "c"], "does not exist"),
    ]
    for args, message in cases:
        code, out, err = cli(args)
        assert code == 2, (args, err)
        assert err.startswith("Error: ") and message in err, (args, err)
        assert len(err.splitlines()) == 1 and out == "", (args, err)
    assert not (tmp_path / "missing").exists()
    assert _temps(root) == []


def test_cli_default_root_is_still_created(
    tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_path", lambda name: tmp_path / "data" / name)
    code, _, err = cli(["storage", "--provider", "local", "mb", "made"])
    assert code == 0, err
    assert (tmp_path / "data" / "omnicloud" / "storage" / "made").is_dir()


def test_cli_file_system_failure_is_one_line_exit_1(
    tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from omnicloud.storage.drivers._local_store import LocalWriter

    root = tmp_path / "root"
    LocalStorageDriver(str(root)).create_container("c")
    source = tmp_path / "src"
    source.write_bytes(b"data")

    def full_disk(self: LocalWriter, chunk: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LocalWriter, "write", full_disk)
    code, out, err = cli(["storage", "--root", str(root), "put", str(source), "c/x"])
    assert (code, out, err) == (1, "", "Error: No space left on device\n")
    assert _temps(root) == []
