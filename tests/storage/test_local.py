"""Local driver specifics: names cannot escape, writes are atomic, concurrent writers are safe."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from omnicloud.errors import ValidationError
from omnicloud.storage.drivers.local import LocalStorageDriver
from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError

BAD_OBJECT_NAMES = [
    "../escaped.txt",
    "a/../../escaped.txt",
    "a/..",
    "/etc/passwd",
    "a\x00b",
    "./a",
    "a//b",
    "a/./b",
    "dir\\..\\x",
    "",
]
BAD_CONTAINER_NAMES = ["..", ".", "a/b", "../x", ".omnicloud", "x\x00", "a\\b", ""]


def tree(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


def test_path_traversal_rejected(tmp_path: Path) -> None:
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    container = driver.create_container("box")
    before = tree(tmp_path)
    for name in BAD_OBJECT_NAMES:
        with pytest.raises(InvalidObjectNameError):
            driver.upload_object_via_stream(iter([b"evil"]), container, name)
        with pytest.raises(InvalidObjectNameError):
            driver.get_object("box", name)
    for name in BAD_CONTAINER_NAMES:
        with pytest.raises(InvalidContainerNameError):
            driver.create_container(name)
        with pytest.raises(ValidationError):
            driver.get_container(name)
    assert tree(tmp_path) == before
    assert not (tmp_path / "escaped.txt").exists()


def test_nested_names_and_conflicts(tmp_path: Path) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("box")
    driver.upload_object_via_stream(iter([b"1"]), container, "a/b/c")
    with pytest.raises(InvalidObjectNameError):
        driver.upload_object_via_stream(iter([b"2"]), container, "a/b")
    with pytest.raises(InvalidObjectNameError):
        driver.upload_object_via_stream(iter([b"3"]), container, "a/b/c/d")
    driver.delete_object(driver.get_object("box", "a/b/c"))
    assert not (tmp_path / "root" / "box" / "a").exists()


def test_readers_never_see_partial_objects(tmp_path: Path) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("box")
    driver.upload_object_via_stream(iter([b"old"]), container, "doc")
    seen: list[bytes] = []

    def source() -> Iterator[bytes]:
        for _ in range(4):
            yield b"new" * 1000
            seen.append(b"".join(driver.download_object_as_stream(driver.get_object("box", "doc"))))
        raise RuntimeError("writer died")

    with pytest.raises(RuntimeError):
        driver.upload_object_via_stream(source(), container, "doc")
    assert set(seen) == {b"old"}
    assert b"".join(driver.download_object_as_stream(driver.get_object("box", "doc"))) == b"old"
    assert os.listdir(tmp_path / "root" / ".omnicloud" / "tmp") == []
    assert [o.name for o in driver.list_container_objects(container)] == ["doc"]


def test_concurrent_writers_are_consistent_and_leave_no_lock_files(tmp_path: Path) -> None:
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    container = driver.create_container("box")
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            for round_ in range(15):
                body = f"{index}-{round_}-".encode() * (1000 + index)
                driver.upload_object_via_stream(
                    iter([body]), container, "shared", meta_data={"writer": str(index)}
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    obj = driver.get_object("box", "shared")
    body = b"".join(driver.download_object_as_stream(obj))
    assert obj.hash == hashlib.md5(body).hexdigest()
    assert body.startswith(f"{obj.meta_data['writer']}-".encode())
    assert os.listdir(root / ".omnicloud" / "tmp") == []
    assert os.listdir(root / ".omnicloud" / "locks") == ["box.lock"]
    driver.delete_object(obj)
    driver.delete_container(container)
    assert os.listdir(root / ".omnicloud" / "locks") == []
    assert tree(root / ".omnicloud") == {"meta", "tmp", "locks"}


def test_metadata_survives_a_new_driver(tmp_path: Path) -> None:
    root = str(tmp_path / "root")
    first = LocalStorageDriver(root)
    container = first.create_container("box")
    first.upload_object_via_stream(
        iter([b"x"]), container, "a/b.bin", content_type="image/png", meta_data={"k": "v"}
    )
    again = LocalStorageDriver(root).get_object("box", "a/b.bin")
    assert again.content_type == "image/png"
    assert again.meta_data == {"k": "v"}
    assert again.hash == hashlib.md5(b"x").hexdigest()
    assert LocalStorageDriver(root).get_object_cdn_url(again).endswith("/box/a/b.bin")


def test_files_from_other_tools_are_listed_without_hash(tmp_path: Path) -> None:
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    driver.create_container("box")
    (root / "box" / "sub").mkdir()
    (root / "box" / "sub" / "f.txt").write_bytes(b"hand made")
    (root / "box" / "link").symlink_to("/etc/passwd")
    [obj] = driver.list_container_objects(driver.get_container("box"))
    assert (obj.name, obj.size, obj.hash) == ("sub/f.txt", 9, None)
    assert b"".join(driver.download_object_as_stream(obj)) == b"hand made"


def test_upload_file_fast_path_and_hashed_path(tmp_path: Path) -> None:
    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("box")
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    fast = driver.upload_object(str(source), container, "fast", verify_hash=False)
    assert (fast.size, fast.hash) == (source.stat().st_size, None)
    hashed = driver.upload_object(str(source), container, "hashed")
    assert hashed.hash == hashlib.md5(source.read_bytes()).hexdigest()
    for name in ("fast", "hashed"):
        obj = driver.get_object("box", name)
        assert b"".join(driver.download_object_as_stream(obj)) == source.read_bytes()
    assert os.listdir(tmp_path / "root" / ".omnicloud" / "tmp") == []


def test_upload_file_fast_path_without_copy_file_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the kernel refuses copy_file_range (EXDEV, old kernels), the copy is done in user
    space part way through and still complete."""
    real = os.copy_file_range
    calls: list[int] = []

    def flaky(src: int, dst: int, count: int, *args: object) -> int:
        calls.append(count)
        if len(calls) > 1:
            raise OSError(18, "Invalid cross-device link")
        return real(src, dst, 1024 * 1024)  # a first, partial step

    monkeypatch.setattr(os, "copy_file_range", flaky)
    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("box")
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    obj = driver.upload_object(str(source), container, "copied", verify_hash=False)
    assert obj.size == source.stat().st_size and len(calls) == 2
    assert b"".join(driver.download_object_as_stream(obj)) == source.read_bytes()


def test_hashed_file_upload_of_a_large_file_and_a_failing_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large files are hashed beside the copy (a worker thread); a write failing part way
    leaves neither an object nor a temporary file."""
    from omnicloud.storage.drivers._local_store import LocalWriter

    driver = LocalStorageDriver(str(tmp_path / "root"))
    container = driver.create_container("box")
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(9 * 1024 * 1024 + 3))
    obj = driver.upload_object(str(source), container, "big")
    assert obj.hash == hashlib.md5(source.read_bytes()).hexdigest()
    assert obj.size == source.stat().st_size

    def full_disk(self: LocalWriter, path: str) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(LocalWriter, "copy_hashed_from", full_disk)
    with pytest.raises(OSError, match="No space left"):
        driver.upload_object(str(source), container, "lost")
    assert [o.name for o in driver.list_container_objects(container)] == ["big"]
    assert os.listdir(tmp_path / "root" / ".omnicloud" / "tmp") == []
