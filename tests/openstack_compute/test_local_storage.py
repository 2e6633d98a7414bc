"""The built-in ``local-openstack`` profile gives storage too: Swift on the same in-process
simulator state as its nodes (``local-openstack.db``, objects in ``local-openstack.db.swift``)."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

import omnicloud
from omnicloud._connect import data_dir
from omnicloud.cli import main
from omnicloud.storage.drivers.swift import (
    AsyncOpenStackSwiftStorageDriver,
    OpenStackSwiftStorageDriver,
)


def test_cli_storage_on_local_openstack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "hello.txt"
    source.write_bytes(b"hello from local-openstack\n")
    base = ["--cloud", "local-openstack", "storage"]
    assert main([*base, "mb", "box"]) == 0
    assert main([*base, "put", str(source), "box/dir/hello.txt"]) == 0
    capsys.readouterr()
    assert main([*base, "ls"]) == 0
    assert capsys.readouterr().out.split() == ["box"]
    assert main([*base, "ls", "box"]) == 0
    assert capsys.readouterr().out.split() == ["DIR", "dir/"]  # Swift's subdir entry
    assert main([*base, "ls", "box/dir/"]) == 0
    size, _when, name = capsys.readouterr().out.split()
    assert (size, name) == ("27", "dir/hello.txt")
    target = tmp_path / "back.txt"
    assert main([*base, "get", "box/dir/hello.txt", str(target)]) == 0
    assert target.read_bytes() == source.read_bytes()
    # the bytes are a file beside the shared state file, not in it
    folder = data_dir() / "local-openstack.db.swift"
    stored = [p.read_bytes() for p in (folder / "data").rglob("*") if p.is_file()]
    assert stored == [source.read_bytes()]
    # a non-empty container is refused, as Swift does (409)
    assert main([*base, "rb", "box"]) != 0
    capsys.readouterr()


def test_storage_and_nodes_share_one_simulated_cloud() -> None:
    with omnicloud.connect("local-openstack", "storage") as storage:
        assert isinstance(storage, OpenStackSwiftStorageDriver)
        container = storage.create_container("shared")
        obj = storage.upload_object_via_stream(iter([b"abc"]), container, "a")
        assert obj.hash == "900150983cd24fb0d6963f7d28e17f72"
        token = storage.ex_session.token
        assert token is not None and token.project_id
        account = storage.ex_session.endpoint_of(token, "object-store")
        assert account.endswith(f"/swift/v1/AUTH_{token.project_id}")
        # the compute driver works on the same state file meanwhile
        with omnicloud.connect("local-openstack") as compute:
            assert compute.ex_simulated
            assert "m1.tiny" in {size.name for size in compute.list_sizes()}
    with omnicloud.connect("local-openstack", "storage") as again:  # a fresh in-process app
        listed = again.list_container_objects(again.get_container("shared"))
        assert [o.name for o in listed] == ["a"]


def test_async_storage_on_local_openstack() -> None:
    async def scenario() -> int:
        storage = omnicloud.connect("local-openstack", "storage", asynchronous=True)
        assert isinstance(storage, AsyncOpenStackSwiftStorageDriver)
        async with storage:
            container = await storage.create_container("async-box")
            await storage.upload_object_via_stream(iter([b"xyz"]), container, "o")
            got = await storage.get_object("async-box", "o")
            return int(got.size)

    assert anyio.run(scenario) == 3
