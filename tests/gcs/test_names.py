"""Object names go into the JSON API path as one percent-encoded segment (``/`` as ``%2F``), so
``.``/``..`` pieces of a name can never address another object; names Cloud Storage cannot hold
are refused before anything is sent."""

from __future__ import annotations

import pytest

from omnicloud.storage import Container
from omnicloud.storage.drivers.gcs import GoogleStorageDriver
from omnicloud.storage.errors import InvalidContainerNameError, InvalidObjectNameError
from tests.support.stub_server import StubServer

from ._fake import serve


def test_names_are_sent_as_one_encoded_segment(stub: StubServer) -> None:
    fake = serve(stub)
    fake.objects["logs/../victim"] = (b"x", fake.doc("logs/../victim", b"x", {}))
    d = GoogleStorageDriver(endpoint=stub.url)
    try:
        obj = d.get_object("bk", "logs/../victim")
        assert obj.name == "logs/../victim"
        assert b"".join(d.download_object_as_stream(obj)) == b"x"
        d.delete_object(obj)
    finally:
        d.close()
    targets = [seen.target for seen in stub.requests]
    assert targets[0] == "/storage/v1/b/bk/o/logs%2F..%2Fvictim"
    assert targets[1] == "/storage/v1/b/bk/o/logs%2F..%2Fvictim?alt=media"
    assert targets[2] == "/storage/v1/b/bk/o/logs%2F..%2Fvictim"
    assert all("/../" not in target for target in targets)


@pytest.mark.parametrize("name", [".", "..", "", "a\nb", "x" * 1025])
def test_names_cloud_storage_cannot_hold_are_refused_before_sending(
    stub: StubServer, name: str
) -> None:
    serve(stub)
    d = GoogleStorageDriver(endpoint=stub.url)
    try:
        with pytest.raises(InvalidObjectNameError):
            d.upload_object_via_stream(iter([b"data"]), Container("bk"), name)
        with pytest.raises(InvalidObjectNameError):
            d.get_object("bk", name)
        with pytest.raises(InvalidContainerNameError):
            d.get_container("a/b")
    finally:
        d.close()
    assert stub.requests == []
