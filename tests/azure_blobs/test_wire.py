"""What the driver sends, seen by a stub server: Content-MD5 on Put Blob and on every block,
the block list with the whole content's MD5, metadata and type; answers that contradict it are
refused. And what Azurite does with a block whose Content-MD5 is wrong."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest

from omnicloud.azure._signing import DEV_KEY
from omnicloud.storage import Container
from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from omnicloud.storage.drivers.azure_blobs_upload import block_id
from omnicloud.storage.errors import ObjectHashMismatchError
from tests.conformance.storage import unique
from tests.support.azurite import Azurite
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen, StubServer


def _b64md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


@pytest.fixture
def stub_driver(stub: StubServer, mode: str, portal: Portal) -> Iterator[AzureBlobsStorageDriver]:
    driver = open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver,
        "acct", DEV_KEY, endpoint=stub.url, ex_block_size=1000, ex_concurrency=2,
    )  # fmt: skip
    yield driver
    close_in_mode(driver, portal)


def test_every_block_carries_its_md5_and_the_list_the_whole_md5(
    stub: StubServer, stub_driver: AzureBlobsStorageDriver
) -> None:
    stub.requests.clear()
    stub.handle(lambda seen: Reply(201, headers={"ETag": '"0x1"'}))
    data = bytes(range(256)) * 14  # 3584 bytes: blocks of 1000, 1000, 1000, 584
    box = Container(name="box", extra={}, driver=None)
    obj = stub_driver.upload_object_via_stream(
        iter([data]), box, "a/b.bin", content_type="image/png", meta_data={"k": "v"}
    )
    assert obj.hash == hashlib.md5(data).hexdigest() and obj.extra["blocks"] == 4
    blocks = [s for s in stub.requests if s.params.get("comp") == "block"]
    assert len(blocks) == 4
    bodies = {}
    for seen in blocks:
        assert seen.method == "PUT" and seen.path == "/acct/box/a/b.bin"
        assert seen.headers["Content-MD5"] == _b64md5(seen.body)
        assert seen.headers["Authorization"].startswith("SharedKey acct:")
        bodies[seen.params["blockid"]] = seen.body
    (commit,) = [s for s in stub.requests if s.params.get("comp") == "blocklist"]
    ids = re.findall(r"<Latest>([^<]+)</Latest>", commit.body.decode())
    assert len(ids) == 4 and len({len(i) for i in ids}) == 1
    assert b"".join(bodies[i] for i in ids) == data
    assert commit.headers["x-ms-blob-content-md5"] == _b64md5(data)
    assert commit.headers["Content-MD5"] == _b64md5(commit.body)
    assert commit.headers["x-ms-blob-content-type"] == "image/png"
    assert commit.headers["x-ms-meta-k"] == "v"
    assert not [s for s in stub.requests if s.method == "PUT" and not s.params]  # no Put Blob


def test_small_data_is_one_put_blob_with_its_md5(
    stub: StubServer, stub_driver: AzureBlobsStorageDriver
) -> None:
    stub.requests.clear()
    stub.handle(lambda seen: Reply(201, headers={"ETag": '"0x2"'}))
    box = Container(name="box", extra={}, driver=None)
    stub_driver.upload_object_via_stream(iter([b"tiny"]), box, "t")
    (put,) = stub.requests
    assert put.headers["x-ms-blob-type"] == "BlockBlob" and put.body == b"tiny"
    assert put.headers["Content-MD5"] == _b64md5(b"tiny")


def test_an_answer_with_another_md5_is_refused(
    stub: StubServer, stub_driver: AzureBlobsStorageDriver
) -> None:
    wrong = _b64md5(b"something else")

    def answer(seen: Seen) -> Reply:
        return Reply(201, headers={"Content-MD5": wrong, "ETag": '"0x3"'})

    stub.handle(answer)
    box = Container(name="box", extra={}, driver=None)
    with pytest.raises(ObjectHashMismatchError):
        stub_driver.upload_object_via_stream(iter([b"tiny"]), box, "t")
    stub.requests.clear()
    with pytest.raises(ObjectHashMismatchError):
        stub_driver.upload_object_via_stream(iter([b"b" * 5000]), box, "big")
    assert not [s for s in stub.requests if s.params.get("comp") == "blocklist"]


def test_block_ids_have_one_length() -> None:
    ids = {block_id("0123456789abcdef", n) for n in (1, 9, 10, 49_999, 50_000)}
    assert len(ids) == 5 and {len(i) for i in ids} == {44}
    assert base64.b64decode(block_id("0123456789abcdef", 7)) == b"0123456789abcdef-000000000000007"


def test_azurite_refuses_a_block_whose_md5_is_wrong(azurite_server: Azurite) -> None:
    from omnicloud.http._config import HttpConfig
    from omnicloud.http._streaming import StreamingSyncHttp

    driver = AzureBlobsStorageDriver(azurite_server.account, azurite_server.key,
                                     endpoint=azurite_server.url)  # fmt: skip
    box = driver.create_container(unique("md5"))
    service = driver._ops.service  # type: ignore[attr-defined]
    runner = StreamingSyncHttp(HttpConfig())
    try:
        flow = service.send(
            HttpConfig().retry, "PUT", box.name, "blob",
            query=[("comp", "block"), ("blockid", block_id("x", 1))],
            headers={"Content-MD5": _b64md5(b"other bytes")}, content=b"these bytes",
        )  # fmt: skip
        answer = runner.run(flow)
        assert answer.status == 400
        from omnicloud.azure._blob import error_from_response

        assert isinstance(error_from_response(answer, "put block"), ObjectHashMismatchError)
    finally:
        runner.close()
        driver.delete_container(box)
        driver.close()
