"""The simulator's object store (Swift): on the wire, through omnicloud's Swift driver (large
objects, ranges, temp URLs) and through openstacksdk's ``object_store``, unchanged."""

from __future__ import annotations

import hashlib
import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread
from omnicloud.storage.drivers.swift import OpenStackSwiftStorageDriver
from omnicloud.storage.drivers.swift_protocol import temp_url_query
from omnicloud.storage.errors import (
    ContainerIsNotEmptyError,
    ObjectDoesNotExistError,
)

from .conftest import OsSim

NOT_FOUND = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"


def _data(size: int, seed: bytes = b"swift") -> bytes:
    block = hashlib.sha256(seed).digest()
    return (block * (size // len(block) + 1))[:size]


@pytest.fixture
def account(os_sim: OsSim, http: httpx.Client) -> str:
    """The demo project's storage URL path (``/swift/v1/AUTH_<id>``), from the catalog."""
    _, body = os_sim.token()
    store = next(s for s in body["token"]["catalog"] if s["type"] == "object-store")
    assert store["name"] == "swift"
    assert {e["interface"] for e in store["endpoints"]} == {"public", "internal", "admin"}
    url = store["endpoints"][0]["url"]
    project = body["token"]["project"]["id"]
    assert url == f"{os_sim.server.url}/swift/v1/AUTH_{project}"
    return url[len(os_sim.server.url) :]


@pytest.fixture
def driver(os_sim: OsSim) -> Iterator[OpenStackSwiftStorageDriver]:
    made = OpenStackSwiftStorageDriver(
        "admin",
        os_sim.state.password,
        ex_force_auth_url=os_sim.auth_url,
        ex_force_auth_version="3.x_password",
        ex_tenant_name="demo",
        ex_domain_name="Default",
        segment_size=64 * 1024,
    )
    with made:
        yield made


def test_account_container_and_object_on_the_wire(http: httpx.Client, account: str) -> None:
    assert http.put(f"{account}/wire").status_code == 201
    assert http.put(f"{account}/wire").status_code == 202  # exists: Swift's Accepted
    put = http.put(
        f"{account}/wire/dir/a.txt",
        content=b"hello",
        headers={"X-Object-Meta-Color": "blue", "Content-Type": "text/x-test"},
    )
    assert put.status_code == 201
    assert put.headers["etag"] == hashlib.md5(b"hello").hexdigest()
    assert put.headers["x-trans-id"].startswith("tx")
    head = http.head(f"{account}/wire/dir/a.txt")
    assert head.status_code == 200
    assert head.headers["content-length"] == "5"
    assert head.headers["x-object-meta-color"] == "blue"
    assert head.headers["content-type"] == "text/x-test"
    got = http.get(f"{account}/wire/dir/a.txt")
    assert got.content == b"hello" and got.headers["etag"] == put.headers["etag"]
    # a wrong ETag is refused and stores nothing
    bad = http.put(f"{account}/wire/bad", content=b"data", headers={"ETag": "0" * 32})
    assert bad.status_code == 422
    assert "Unprocessable Entity" in bad.text
    assert http.head(f"{account}/wire/bad").status_code == 404
    # a chunked body (no Content-Length) is streamed in
    streamed = http.put(f"{account}/wire/chunked", content=iter([b"ab", b"cd", b"ef"]))
    assert streamed.status_code == 201
    assert streamed.headers["etag"] == hashlib.md5(b"abcdef").hexdigest()
    # server-side copies: PUT with X-Copy-From, and COPY with Destination
    copied = http.put(
        f"{account}/wire/copy.txt", content=b"", headers={"X-Copy-From": "/wire/dir/a.txt"}
    )
    assert copied.status_code == 201 and copied.headers["x-copied-from"] == "wire/dir/a.txt"
    assert http.get(f"{account}/wire/copy.txt").content == b"hello"
    moved = http.request(
        "COPY", f"{account}/wire/copy.txt", headers={"Destination": "wire/copy2.txt"}
    )
    assert moved.status_code == 201
    assert http.head(f"{account}/wire/copy2.txt").headers["x-object-meta-color"] == "blue"
    assert http.delete(f"{account}/wire/copy.txt").status_code == 204
    assert http.delete(f"{account}/wire/copy2.txt").status_code == 204
    # container and account counters
    container = http.head(f"{account}/wire")
    assert container.status_code == 204
    assert container.headers["x-container-object-count"] == "2"
    assert container.headers["x-container-bytes-used"] == "11"
    acct = http.head(account)
    assert int(acct.headers["x-account-object-count"]) >= 2
    assert int(acct.headers["x-account-container-count"]) >= 1
    # metadata by POST
    assert (
        http.post(f"{account}/wire/dir/a.txt", headers={"X-Object-Meta-Shape": "round"}).status_code
        == 202
    )
    head = http.head(f"{account}/wire/dir/a.txt")
    assert head.headers["x-object-meta-shape"] == "round"
    assert "x-object-meta-color" not in head.headers  # POST replaces the object's metadata
    assert http.post(account, headers={"X-Account-Meta-Owner": "me"}).status_code == 204
    assert http.head(account).headers["x-account-meta-owner"] == "me"
    assert (
        http.post(f"{account}/wire", headers={"X-Container-Meta-Tier": "gold"}).status_code == 204
    )
    assert http.head(f"{account}/wire").headers["x-container-meta-tier"] == "gold"


def test_listings_prefix_delimiter_marker_limit(http: httpx.Client, account: str) -> None:
    http.put(f"{account}/list")
    for name in ["a", "b/1", "b/2", "c/x/1", "d"]:
        assert http.put(f"{account}/list/{name}", content=name.encode()).status_code == 201

    def names(**params: str) -> list[str]:
        response = http.get(f"{account}/list", params={"format": "json", **params})
        assert response.status_code == 200
        return [doc.get("name") or doc["subdir"] for doc in response.json()]

    assert names() == ["a", "b/1", "b/2", "c/x/1", "d"]
    assert names(delimiter="/") == ["a", "b/", "c/", "d"]
    assert names(prefix="b/") == ["b/1", "b/2"]
    assert names(prefix="c/", delimiter="/") == ["c/x/"]
    assert names(marker="b/1", limit="2") == ["b/2", "c/x/1"]
    assert names(marker="b/", delimiter="/") == ["c/", "d"]
    assert names(end_marker="b/2") == ["a", "b/1"]
    doc = http.get(f"{account}/list", params={"format": "json", "limit": "1"}).json()[0]
    assert set(doc) == {"name", "hash", "bytes", "last_modified", "content_type"}
    assert doc["hash"] == hashlib.md5(b"a").hexdigest() and doc["bytes"] == 1
    plain = http.get(f"{account}/list", params={"prefix": "b/"})
    assert plain.text == "b/1\nb/2\n"
    assert http.get(f"{account}/list", params={"prefix": "zz"}).status_code == 204
    assert http.get(f"{account}/list", params={"limit": "10001"}).status_code == 412
    containers = http.get(account, params={"format": "json", "prefix": "list"}).json()
    assert containers[0]["name"] == "list" and containers[0]["count"] == 5


def test_errors_are_swift_pages(os_sim: OsSim, http: httpx.Client, account: str) -> None:
    assert http.get(f"{account}/nowhere/%FF").status_code == 412  # not UTF-8
    missing = http.get(f"{account}/nowhere/thing")
    assert missing.status_code == 404 and missing.text == NOT_FOUND
    assert "x-trans-id" in missing.headers
    assert http.delete(f"{account}/nowhere").status_code == 404
    http.put(f"{account}/full")
    http.put(f"{account}/full/x", content=b"x")
    conflict = http.delete(f"{account}/full")
    assert conflict.status_code == 409 and "<h1>Conflict</h1>" in conflict.text
    assert http.delete(f"{account}/full/x").status_code == 204
    assert http.delete(f"{account}/full/x").status_code == 404
    assert http.delete(f"{account}/full").status_code == 204
    # no token, a bad token: 401; another project's account: 403
    anonymous = httpx.get(f"{os_sim.server.url}{account}")
    assert anonymous.status_code == 401 and "<h1>Unauthorized</h1>" in anonymous.text
    assert "Keystone uri=" in anonymous.headers["www-authenticate"]
    bogus = httpx.get(f"{os_sim.server.url}{account}", headers={"X-Auth-Token": "nope"})
    assert bogus.status_code == 401
    admin_token, _ = os_sim.token("admin")
    other = httpx.get(f"{os_sim.server.url}{account}", headers={"X-Auth-Token": admin_token})
    assert other.status_code == 403


def test_ranges(http: httpx.Client, account: str) -> None:
    http.put(f"{account}/ranges")
    data = _data(1000)
    http.put(f"{account}/ranges/blob", content=data)
    one = http.get(f"{account}/ranges/blob", headers={"Range": "bytes=10-19"})
    assert one.status_code == 206 and one.content == data[10:20]
    assert one.headers["content-range"] == "bytes 10-19/1000"
    tail = http.get(f"{account}/ranges/blob", headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    open_ended = http.get(f"{account}/ranges/blob", headers={"Range": "bytes=990-"})
    assert open_ended.content == data[990:]
    several = http.get(f"{account}/ranges/blob", headers={"Range": "bytes=0-1,5-6"})
    assert several.status_code == 206
    assert several.headers["content-type"].startswith("multipart/byteranges;boundary=")
    assert b"Content-Range: bytes 0-1/1000" in several.content
    assert data[5:7] in several.content
    assert len(several.content) == int(several.headers["content-length"])
    beyond = http.get(f"{account}/ranges/blob", headers={"Range": "bytes=5000-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == "bytes */1000"
    etag = one.headers["etag"]
    assert http.get(f"{account}/ranges/blob", headers={"If-Match": etag}).status_code == 200
    assert http.get(f"{account}/ranges/blob", headers={"If-Match": '"x"'}).status_code == 412
    assert http.get(f"{account}/ranges/blob", headers={"If-None-Match": etag}).status_code == 304


def test_driver_large_object_round_trip(
    driver: OpenStackSwiftStorageDriver, http: httpx.Client, account: str
) -> None:
    container = driver.create_container("big")
    data = _data(300 * 1024 + 7)
    obj = driver.upload_object_via_stream(iter([data]), container, "large.bin")
    assert obj.extra["segments"] == 5 and obj.extra["slo"]
    md5s = [
        hashlib.md5(data[i : i + 64 * 1024]).hexdigest() for i in range(0, len(data), 64 * 1024)
    ]
    expected = hashlib.md5("".join(md5s).encode()).hexdigest()
    assert obj.hash == expected
    stat = driver.get_object("big", "large.bin")
    assert stat.hash == expected and stat.size == len(data) and stat.extra["slo"]
    assert b"".join(driver.download_object_as_stream(stat)) == data
    ranged = b"".join(driver.download_object_range_as_stream(stat, 64 * 1024 - 3, 64 * 1024 + 5))
    assert ranged == data[64 * 1024 - 3 : 64 * 1024 + 5]
    # on the wire: quoted SLO ETag, the manifest, the listing's slo_etag
    head = http.head(f"{account}/big/large.bin")
    assert head.headers["etag"] == f'"{expected}"'
    assert head.headers["x-static-large-object"] == "True"
    manifest = http.get(f"{account}/big/large.bin", params={"multipart-manifest": "get"})
    segments = manifest.json()
    assert [s["hash"] for s in segments] == md5s
    assert sum(s["bytes"] for s in segments) == len(data)
    assert all(s["name"].startswith("/big_segments/large.bin/slo/") for s in segments)
    listed = http.get(f"{account}/big", params={"format": "json"}).json()
    assert listed[0]["slo_etag"] == f'"{expected}"' and listed[0]["bytes"] == len(data)
    assert len(http.get(f"{account}/big_segments", params={"format": "json"}).json()) == 5
    # deleting the large object deletes its segments too
    driver.delete_object(stat)
    assert http.get(f"{account}/big_segments", params={"format": "json"}).json() == []
    with pytest.raises(ObjectDoesNotExistError):
        driver.get_object("big", "large.bin")


def test_manifest_is_checked(http: httpx.Client, account: str) -> None:
    http.put(f"{account}/slo")
    first, second = _data(10, b"1"), _data(4, b"2")
    http.put(f"{account}/slo/s1", content=first)
    http.put(f"{account}/slo/s2", content=second)
    md5 = [hashlib.md5(first).hexdigest(), hashlib.md5(second).hexdigest()]
    good = [
        {"path": "/slo/s1", "etag": md5[0], "size_bytes": 10},
        {"path": "/slo/s2", "etag": None, "size_bytes": None},
    ]
    made = http.put(
        f"{account}/slo/joined",
        params={"multipart-manifest": "put"},
        content=json.dumps(good).encode(),
    )
    assert made.status_code == 201
    assert made.headers["etag"] == '"' + hashlib.md5("".join(md5).encode()).hexdigest() + '"'
    assert http.get(f"{account}/slo/joined").content == first + second
    raw = http.get(f"{account}/slo/joined", params={"multipart-manifest": "get", "format": "raw"})
    assert raw.json()[0] == {"path": "/slo/s1", "etag": md5[0], "size_bytes": 10}
    bad = [
        {"path": "/slo/s1", "etag": "0" * 32, "size_bytes": 10},
        {"path": "/slo/s2", "etag": md5[1], "size_bytes": 5},
        {"path": "/slo/nothing"},
    ]
    refused = http.put(
        f"{account}/slo/broken",
        params={"multipart-manifest": "put"},
        content=json.dumps(bad).encode(),
    )
    assert refused.status_code == 400
    assert refused.text == (
        "Errors:\n/slo/s1, Etag Mismatch\n/slo/s2, Size Mismatch\n/slo/nothing, 404 Not Found\n"
    )
    assert http.head(f"{account}/slo/broken").status_code == 404
    not_json = http.put(f"{account}/slo/broken", params={"multipart-manifest": "put"}, content=b"{")
    assert not_json.status_code == 400
    deleted = http.delete(
        f"{account}/slo/joined",
        params={"multipart-manifest": "delete"},
        headers={"Accept": "application/json"},
    )
    assert deleted.json()["Number Deleted"] == 3
    assert deleted.json()["Response Status"] == "200 OK"


def test_driver_temp_urls(
    driver: OpenStackSwiftStorageDriver, os_sim: OsSim, http: httpx.Client, account: str
) -> None:
    container = driver.create_container("shared")
    obj = driver.upload_object_via_stream(iter([b"secret bytes"]), container, "dir/file.txt")
    assert driver.ex_set_account_metadata_temp_url_key("k3y-for-tests") is True
    assert "x-account-meta-temp-url-key" not in driver.ex_get_account_metadata()
    for digest in ("sha256", "sha512", "sha1"):
        url = driver.ex_get_object_temp_url(obj, "GET", timeout=60, ex_digest=digest)
        got = httpx.get(url)  # no token at all
        assert got.status_code == 200 and got.content == b"secret bytes", digest
        assert got.headers["content-disposition"].startswith('attachment; filename="file.txt"')
        assert httpx.head(url).status_code == 200
    tampered = url.replace("temp_url_expires=", "temp_url_expires=1")
    refused = httpx.get(tampered)
    assert refused.status_code == 401 and refused.text == "401 Unauthorized: Temp URL invalid\n"
    path = f"{account}/shared/dir/file.txt"
    expired = temp_url_query("k3y-for-tests", "GET", path, int(time.time()) - 5)
    assert httpx.get(f"{os_sim.server.url}{path}", params=dict(expired)).status_code == 401
    # a GET signature does not allow PUT; a PUT signature does
    url = driver.ex_get_object_temp_url(obj, "GET", timeout=60)
    assert httpx.put(url, content=b"overwritten").status_code == 401
    put_url = driver.ex_get_object_temp_url(obj, "PUT", timeout=60)
    assert httpx.put(put_url, content=b"overwritten").status_code == 201
    assert http.get(path).content == b"overwritten"
    # the path signed without the /swift prefix is accepted too (swiftclient's /v1/... paths)
    bare = path.removeprefix("/swift")
    query = temp_url_query("k3y-for-tests", "GET", bare, int(time.time()) + 60, "sha256")
    assert httpx.get(f"{os_sim.server.url}{path}", params=dict(query)).content == b"overwritten"


def test_driver_refuses_deleting_a_non_empty_container(
    driver: OpenStackSwiftStorageDriver,
) -> None:
    container = driver.create_container("busy")
    obj = driver.upload_object_via_stream(iter([b"x"]), container, "x")
    with pytest.raises(ContainerIsNotEmptyError):
        driver.delete_container(container)
    driver.delete_object(obj)
    assert driver.delete_container(container) is True


def test_openstacksdk_object_store_unchanged(conn: Any) -> None:
    conn.object_store.create_container(name="sdk")
    conn.object_store.upload_object(
        container="sdk", name="hello.txt", data=b"hello from the sdk", metadata={"k": "v"}
    )
    conn.object_store.upload_object(container="sdk", name="sub/other.txt", data=b"other")
    names = sorted(o.name for o in conn.object_store.objects("sdk"))
    assert names == ["hello.txt", "sub/other.txt"]
    assert conn.object_store.download_object("hello.txt", container="sdk") == b"hello from the sdk"
    meta = conn.object_store.get_object_metadata("hello.txt", container="sdk")
    assert meta.metadata == {"k": "v"}
    assert meta.etag == hashlib.md5(b"hello from the sdk").hexdigest()
    assert "sdk" in {c.name for c in conn.object_store.containers()}
    conn.object_store.delete_object("hello.txt", container="sdk")
    conn.object_store.delete_object("sub/other.txt", container="sdk")
    conn.object_store.delete_container("sdk")
    assert "sdk" not in {c.name for c in conn.object_store.containers()}


def test_openstacksdk_large_upload(conn: Any, tmp_path: Path) -> None:
    data = _data(3 * 1024 * 1024 + 11)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    conn.object_store.create_container(name="sdk-large")
    conn.object_store.create_object(
        "sdk-large", "big.bin", filename=str(source), segment_size=1024 * 1024
    )
    assert conn.object_store.download_object("big.bin", container="sdk-large") == data
    meta = conn.object_store.get_object_metadata("big.bin", container="sdk-large")
    assert meta.is_static_large_object  # the SDK made segments and an SLO manifest
    assert int(meta.content_length) == len(data)


def test_bytes_live_in_files_beside_the_state_file(tmp_path: Path) -> None:
    state_file = tmp_path / "os.db"
    state = OpenStackState(state_file)
    data = _data(200_000, b"disk")
    with serve_in_thread(create_app(state)) as server:
        driver = OpenStackSwiftStorageDriver(
            "admin",
            state.password,
            ex_force_auth_url=f"{server.url}/identity/v3",
            ex_force_auth_version="3.x_password",
            ex_tenant_name="demo",
            ex_domain_name="Default",
        )
        with driver:
            container = driver.create_container("kept")
            driver.upload_object_via_stream(iter([data]), container, "obj")
    state.close()
    folder = tmp_path / "os.db.swift"
    assert folder.stat().st_mode & 0o777 == 0o700  # the temp URL keys are in its index
    assert (folder / "index.db").stat().st_mode & 0o777 == 0o600
    files = [p for p in (folder / "data").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in files] == [data]
    assert not any((folder / "tmp").iterdir())
    assert data[:1000] not in (folder / "index.db").read_bytes()
    # a new process (a new state object on the same file) sees the object
    again = OpenStackState(state_file)
    with serve_in_thread(create_app(again)) as server:
        driver = OpenStackSwiftStorageDriver(
            "admin",
            again.password,
            ex_force_auth_url=f"{server.url}/identity/v3",
            ex_force_auth_version="3.x_password",
            ex_tenant_name="demo",
            ex_domain_name="Default",
        )
        with driver:
            obj = driver.get_object("kept", "obj")
            assert obj.hash == hashlib.md5(data).hexdigest()
            assert b"".join(driver.download_object_as_stream(obj)) == data
            driver.delete_object(obj)
    again.close()
    assert not [p for p in (folder / "data").rglob("*") if p.is_file()]


def test_large_bodies_are_streamed_not_held_in_memory(http: httpx.Client, account: str) -> None:
    """48 MiB up (chunked) and down again: the simulator holds a few chunks at a time."""
    http.put(f"{account}/stream")
    chunk = _data(1024 * 1024, b"stream")
    total = 48
    tracemalloc.start()
    try:
        made = http.put(f"{account}/stream/big", content=(chunk for _ in range(total)), timeout=120)
        assert made.status_code == 201
        md5 = hashlib.md5()
        size = 0
        with http.stream("GET", f"{account}/stream/big", timeout=120) as response:
            for piece in response.iter_bytes(256 * 1024):
                md5.update(piece)
                size += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size == total * len(chunk)
    assert made.headers["etag"] == md5.hexdigest()
    assert peak < 16 * 1024 * 1024, f"peak {peak} bytes"
    assert http.delete(f"{account}/stream/big").status_code == 204


def test_metadata_limits_and_faults_in_swift_shape(http: httpx.Client, account: str) -> None:
    http.put(f"{account}/limits")
    too_long = http.put(
        f"{account}/limits/o", content=b"x", headers={"X-Object-Meta-Big": "v" * 257}
    )
    assert too_long.status_code == 400 and too_long.text == "Metadata value longer than 256"
    state = OpenStackState()
    config = SimConfig(error_rate=1.0)
    with serve_in_thread(create_app(state, config=config)) as server:
        token = httpx.post(
            f"{server.url}/identity/v3/auth/tokens",
            json={
                "auth": {
                    "identity": {
                        "methods": ["password"],
                        "password": {
                            "user": {
                                "name": "admin",
                                "domain": {"name": "Default"},
                                "password": state.password,
                            }
                        },
                    },
                    "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
                }
            },
        )
        assert token.status_code == 503  # Keystone fails too, in its own shape
        config.error_rate = 0.0
        config.rate_limit = 1
        answers = [httpx.get(f"{server.url}/swift/v1/AUTH_x") for _ in range(10)]
        assert answers[0].status_code == 401  # past the faults: no token
        slowed = [a for a in answers if a.status_code == 498]
        assert slowed and slowed[0].text == "Slow down" and "retry-after" in slowed[0].headers
        config.rate_limit = None
        config.error_rate = 1.0
        broken = httpx.get(f"{server.url}/swift/v1/AUTH_x")
        assert broken.status_code == 503 and "<h1>Service Unavailable</h1>" in broken.text
    state.close()


def test_python_swiftclient_unchanged(os_sim: OsSim, tmp_path: Path) -> None:
    from swiftclient import client as swift
    from swiftclient.utils import generate_temp_url

    conn = swift.Connection(
        authurl=os_sim.auth_url,
        user="admin",
        key=os_sim.state.password,
        auth_version="3",
        os_options={
            "project_name": "demo",
            "user_domain_name": "Default",
            "project_domain_name": "Default",
            "region_name": "RegionOne",
        },
    )
    try:
        conn.put_container("swc")
        data = _data(300_000, b"swc")
        source = tmp_path / "upload.bin"
        source.write_bytes(data)
        with source.open("rb") as handle:  # streamed in chunks (Transfer-Encoding: chunked)
            etag = conn.put_object("swc", "f.bin", handle, chunk_size=65536)
        assert etag == hashlib.md5(data).hexdigest()
        headers, body = conn.get_object("swc", "f.bin")
        assert body == data and headers["etag"] == etag
        _, listing = conn.get_container("swc")
        assert [(o["name"], o["bytes"], o["hash"]) for o in listing] == [("f.bin", len(data), etag)]
        account = conn.head_account()
        assert int(account["x-account-object-count"]) >= 1
        conn.post_account({"X-Account-Meta-Temp-URL-Key": "swc-key"})
        storage_url = conn.get_auth()[0]
        path = storage_url[len(os_sim.server.url) :] + "/swc/f.bin"
        signed = generate_temp_url(path, 60, "swc-key", "GET", digest="sha512")
        assert httpx.get(f"{os_sim.server.url}{signed}").content == data
        with pytest.raises(swift.ClientException) as raised:
            conn.delete_container("swc")
        assert raised.value.http_status == 409
        conn.delete_object("swc", "f.bin")
        conn.delete_container("swc")
    finally:
        conn.close()
