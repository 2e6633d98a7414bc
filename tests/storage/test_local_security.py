"""Local storage never follows a symlink out of (or around inside) its root, sync and async."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from omnicloud.cli import _root
from omnicloud.storage._models import Container, Object
from omnicloud.storage.drivers.local import AsyncLocalStorageDriver, LocalStorageDriver
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    InvalidContainerNameError,
    InvalidObjectNameError,
)

SECRET = b"outside the root\n"


def snapshot(path: Path) -> dict[str, bytes | None]:
    """Every entry under ``path`` (not following links) with the bytes of regular files."""
    found: dict[str, bytes | None] = {}
    for entry in sorted(path.rglob("*")):
        rel = str(entry.relative_to(path))
        found[rel] = entry.read_bytes() if entry.is_file() and not entry.is_symlink() else None
    return found


@pytest.fixture
def world(tmp_path: Path) -> dict[str, Any]:
    """A root with container ``c`` holding ``real/doc`` and links out of it and inside it."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret").write_bytes(SECRET)
    (outside / "sub" / "deep").write_bytes(SECRET)
    root = tmp_path / "root"
    driver = LocalStorageDriver(str(root))
    box = driver.create_container("c")
    driver.upload_object_via_stream(iter([b"mine"]), box, "real/doc")
    base = root / "c"
    (base / "out").symlink_to(outside)  # directory link out of the root
    (base / "real" / "out").symlink_to(outside)  # the same, one level down
    (base / "alias").symlink_to(base / "real")  # directory link inside the container
    (base / "file-link").symlink_to(outside / "secret")  # object link out of the root
    (base / "doc-link").symlink_to(base / "real" / "doc")  # object link inside the container
    (base / "dangling").symlink_to(outside / "missing-dir")  # a link to nothing (yet)
    (root / "evil").symlink_to(outside)  # a container that is a link
    return {"root": root, "outside": outside, "driver": driver, "box": box}


DIR_LINKS = ["out/secret", "real/out/secret", "alias/doc", "out/sub/deep", "dangling/x"]
OBJECT_LINKS = ["file-link", "doc-link", "out", "alias"]
ALL_LINKED = DIR_LINKS + OBJECT_LINKS


def _fake(driver: Any, container: str, name: str) -> Object:
    return Object(
        name=name, size=len(SECRET), hash=None, container=Container(container), driver=driver
    )


@pytest.mark.parametrize("name", ALL_LINKED)
def test_reads_through_symlinks_are_refused(
    world: dict[str, Any], name: str, tmp_path: Path
) -> None:
    driver: LocalStorageDriver = world["driver"]
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        driver.get_object("c", name)
    fake = _fake(driver, "c", name)
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        b"".join(driver.download_object_as_stream(fake))
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        b"".join(driver.download_object_range_as_stream(fake, 0, 4))
    target = tmp_path / "copy"
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        driver.download_object(fake, str(target))
    assert not target.exists()


@pytest.mark.parametrize("name", [*ALL_LINKED, "out/new", "dangling/new/deeper", "out/sub/new"])
def test_writes_and_deletes_through_symlinks_are_refused(
    world: dict[str, Any], name: str, tmp_path: Path
) -> None:
    driver: LocalStorageDriver = world["driver"]
    before_out, before_root = snapshot(world["outside"]), snapshot(world["root"])
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        driver.upload_object_via_stream(iter([b"evil"]), world["box"], name)
    source = tmp_path / "src.bin"
    source.write_bytes(b"evil file")
    for verify in (True, False):
        with pytest.raises(InvalidObjectNameError, match="symbolic link"):
            driver.upload_object(str(source), world["box"], name, verify_hash=verify)
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        driver.delete_object(_fake(driver, "c", name))
    assert snapshot(world["outside"]) == before_out
    assert snapshot(world["root"]) == before_root
    assert not (world["outside"] / "missing-dir").exists()
    assert os.listdir(world["root"] / ".omnicloud" / "tmp") == []


def test_listing_skips_links_and_never_descends_through_them(world: dict[str, Any]) -> None:
    driver: LocalStorageDriver = world["driver"]
    box = world["box"]
    assert [o.name for o in driver.list_container_objects(box)] == ["real/doc"]
    for prefix in ("out/", "out/sub/", "real/out/", "real/out/sub/", "alias/", "dangling/", "f"):
        assert driver.list_container_objects(box, prefix=prefix) == [], prefix
    listed = driver.list_container_objects(box, delimiter="/")
    assert [(o.name, o.is_prefix) for o in listed] == [("real/", True)]
    assert [c.name for c in driver.list_containers()] == ["c"]


def test_symlinked_container_is_refused(world: dict[str, Any]) -> None:
    driver: LocalStorageDriver = world["driver"]
    before_out = snapshot(world["outside"])
    evil = Container("evil", driver=driver)
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.get_container("evil")
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.list_container_objects(evil)
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.get_object("evil", "secret")
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        b"".join(driver.download_object_as_stream(_fake(driver, "evil", "secret")))
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.upload_object_via_stream(iter([b"evil"]), evil, "new")
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.delete_object(_fake(driver, "evil", "secret"))
    with pytest.raises(InvalidContainerNameError, match="symbolic link"):
        driver.delete_container(evil)
    with pytest.raises(ContainerAlreadyExistsError):
        driver.create_container("evil")
    assert snapshot(world["outside"]) == before_out
    assert (world["root"] / "evil").is_symlink()


def test_async_driver_refuses_symlinks_too(world: dict[str, Any]) -> None:
    before_out = snapshot(world["outside"])

    async def scenario() -> None:
        async with AsyncLocalStorageDriver(str(world["root"])) as driver:
            box = await driver.get_container("c")
            for name in ("out/secret", "file-link"):
                with pytest.raises(InvalidObjectNameError, match="symbolic link"):
                    await driver.get_object("c", name)
                fake = _fake(driver, "c", name)
                with pytest.raises(InvalidObjectNameError, match="symbolic link"):
                    [chunk async for chunk in driver.download_object_as_stream(fake)]
                with pytest.raises(InvalidObjectNameError, match="symbolic link"):
                    await driver.upload_object_via_stream(iter([b"x"]), box, name)
                with pytest.raises(InvalidObjectNameError, match="symbolic link"):
                    await driver.delete_object(fake)
            names = [o.name async for o in driver.iterate_container_objects(box)]
            assert names == ["real/doc"]
            assert [o.name async for o in driver.iterate_container_objects(box, "out/")] == []
            with pytest.raises(InvalidContainerNameError, match="symbolic link"):
                await driver.get_container("evil")

    anyio.run(scenario)
    assert snapshot(world["outside"]) == before_out


def test_objects_beside_links_still_work(world: dict[str, Any]) -> None:
    driver: LocalStorageDriver = world["driver"]
    obj = driver.get_object("c", "real/doc")
    assert b"".join(driver.download_object_as_stream(obj)) == b"mine"
    driver.upload_object_via_stream(iter([b"two"]), world["box"], "real/two")
    driver.delete_object(driver.get_object("c", "real/two"))
    assert [o.name for o in driver.list_container_objects(world["box"])] == ["real/doc"]


def test_a_container_holding_only_links_is_not_deleted(world: dict[str, Any]) -> None:
    """``rb`` never removes entries that are not objects (the links stay, and so does their
    target)."""
    from omnicloud.storage.errors import ContainerIsNotEmptyError

    driver: LocalStorageDriver = world["driver"]
    driver.delete_object(driver.get_object("c", "real/doc"))
    with pytest.raises(ContainerIsNotEmptyError):
        driver.delete_container(world["box"])
    assert (world["root"] / "c" / "out").is_symlink()
    assert (world["outside"] / "secret").read_bytes() == SECRET


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


def test_cli_refuses_symlinks_with_one_line(
    world: dict[str, Any], cli: Runner, tmp_path: Path
) -> None:
    base = ["storage", "--root", str(world["root"])]
    before_out = snapshot(world["outside"])
    source = tmp_path / "src.txt"
    source.write_bytes(b"evil")
    for args in (
        ["get", "c/out/secret", "-"],
        ["get", "c/file-link", str(tmp_path / "got")],
        ["stat", "c/out/secret"],
        ["put", str(source), "c/out/planted"],
        ["rm", "c/out/secret"],
        ["rm", "c/file-link"],
        ["ls", "evil"],
        ["get", "evil/secret", "-"],
    ):
        code, out, err = cli([*base, *args])
        assert code == 2, (args, err)
        assert out == "" and "symbolic link" in err and len(err.splitlines()) == 1, (args, err)
    code, out, _ = cli([*base, "ls", "-r", "c"])
    assert code == 0 and out.split()[-1] == "real/doc" and len(out.splitlines()) == 1
    code, out, _ = cli([*base, "ls", "-r", "c/out/"])
    assert (code, out) == (0, "")
    assert snapshot(world["outside"]) == before_out
    assert not (tmp_path / "got").exists()


@pytest.mark.parametrize(
    ("plant", "name"),
    [("out", "out/new"), ("dangling", "dangling/new/deeper"), ("final", "final")],
)
def test_links_planted_after_the_write_began_are_refused_at_commit(
    world: dict[str, Any], plant: str, name: str
) -> None:
    """The check before the upload and the commit are apart in time: the commit resolves the
    path again, without following links, so a link planted meanwhile is still refused."""
    store = world["driver"]._ops.store
    base: Path = world["root"] / "c"
    outside: Path = world["outside"]
    if plant != "final":
        (base / plant).unlink()  # the name is free when the upload starts
    writer = store.begin_write("c", name)
    writer.write(b"planted?")
    if plant == "out":
        (base / "out").symlink_to(outside)
    elif plant == "dangling":
        (base / "dangling").symlink_to(outside / "missing-dir")
    else:
        (base / "final").symlink_to(outside / "secret")
    before = snapshot(outside)
    with pytest.raises(InvalidObjectNameError, match="symbolic link"):
        writer.commit("text/plain", {})
    writer.discard()
    assert snapshot(outside) == before
    assert os.listdir(world["root"] / ".omnicloud" / "tmp") == []
