"""Authorization on Azurite: Shared Key (a wrong key is refused), SAS tokens (alone, in an
endpoint URL, in a connection string, and as signed URLs), connection strings, and the account
key never shown in reprs, errors or logs."""

from __future__ import annotations

import base64
import logging
from typing import Any

import httpx
import pytest

from omnicloud.azure._signing import account_sas
from omnicloud.errors import InvalidCredentialsError, PermissionDeniedError
from omnicloud.storage.drivers.azure_blobs import (
    AsyncAzureBlobsStorageDriver,
    AzureBlobsStorageDriver,
)
from tests.conformance.storage import unique
from tests.support.azurite import Azurite
from tests.support.modes import Portal, close_in_mode, open_in_mode


def _open(mode: str, portal: Portal, *args: Any, **kwargs: Any) -> AzureBlobsStorageDriver:
    return open_in_mode(
        mode, portal, AzureBlobsStorageDriver, AsyncAzureBlobsStorageDriver, *args, **kwargs
    )


WRONG_KEY = base64.b64encode(b"not the account key" * 3).decode()


def native_ops(driver: Any) -> Any:
    """The driver's operations object (its service, account and settings)."""
    return getattr(driver, "driver", driver)._ops


def _roundtrip(driver: AzureBlobsStorageDriver) -> None:
    """Create, upload, list, download, delete: everything a full-rights SAS allows."""
    box = driver.create_container(unique("auth"))
    obj = driver.upload_object_via_stream(iter([b"signed"]), box, "dir/file.txt")
    assert [o.name for o in driver.list_container_objects(box)] == ["dir/file.txt"]
    assert b"".join(driver.download_object_as_stream(obj)) == b"signed"
    assert driver.delete_object(obj) and driver.delete_container(box)


def test_shared_key_is_accepted_and_a_wrong_key_refused(
    azurite_server: Azurite, mode: str, portal: Portal
) -> None:
    good = _open(mode, portal, azurite_server.account, azurite_server.key,
                 host="127.0.0.1", port=azurite_server.port, secure=False)  # fmt: skip
    _roundtrip(good)
    close_in_mode(good, portal)
    wrong = base64.b64encode(b"w" * 64).decode()
    bad = _open(mode, portal, azurite_server.account, wrong,
                host="127.0.0.1", port=azurite_server.port, secure=False)  # fmt: skip
    with pytest.raises(InvalidCredentialsError) as refused:
        bad.list_containers()
    assert wrong not in str(refused.value)
    close_in_mode(bad, portal)


def test_sas_token_endpoint_url_and_connection_string(
    azurite_server: Azurite, mode: str, portal: Portal
) -> None:
    keyed = AzureBlobsStorageDriver(azurite_server.account, azurite_server.key,
                                    endpoint=azurite_server.url)  # fmt: skip
    sas = keyed.ex_account_sas("racwdl", expires=600)
    keyed.close()
    ways: list[dict[str, Any]] = [
        {"key": azurite_server.account, "ex_sas_token": sas, "endpoint": azurite_server.url},
        {"ex_sas_token": "?" + sas, "endpoint": azurite_server.url},
        {"endpoint": f"{azurite_server.url}?{sas}"},
        {"ex_connection_string": f"BlobEndpoint={azurite_server.url};SharedAccessSignature={sas}"},
        {"ex_connection_string": azurite_server.connection_string()},
    ]
    for way in ways:
        driver = _open(mode, portal, **way)
        _roundtrip(driver)
        close_in_mode(driver, portal)


def test_connection_string_from_the_environment(
    azurite_server: Azurite, mode: str, portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_server.connection_string())
    driver = _open(mode, portal)
    assert driver.account_name == "devstoreaccount1"
    _roundtrip(driver)
    close_in_mode(driver, portal)


def test_a_narrow_or_forged_sas_is_refused(
    azurite_server: Azurite, mode: str, portal: Portal
) -> None:
    keyed = AzureBlobsStorageDriver(azurite_server.account, azurite_server.key,
                                    endpoint=azurite_server.url)  # fmt: skip
    box = keyed.create_container(unique("auth"))
    keyed.upload_object_via_stream(iter([b"readable"]), box, "r.txt")
    read_only = keyed.ex_container_sas(box, "rl", expires=600)
    reader = _open(mode, portal, azurite_server.account, ex_sas_token=read_only,
                   endpoint=azurite_server.url)  # fmt: skip
    try:
        obj = reader.get_object(box.name, "r.txt")
        assert b"".join(reader.download_object_as_stream(obj)) == b"readable"
        assert [o.name for o in reader.list_container_objects(box)] == ["r.txt"]
        with pytest.raises(PermissionDeniedError):
            reader.upload_object_via_stream(iter([b"no"]), box, "w.txt")
        with pytest.raises(PermissionDeniedError):
            reader.delete_object(obj)
    finally:
        close_in_mode(reader, portal)
    key = base64.b64decode(azurite_server.key)
    forged = account_sas("devstoreaccount1", key[::-1], permissions="rl", expiry="2099-01-01")
    intruder = _open(mode, portal, ex_sas_token=forged, endpoint=azurite_server.url)
    with pytest.raises((PermissionDeniedError, InvalidCredentialsError)) as refused:
        intruder.list_containers()
    assert forged.rsplit("sig=", 1)[1] not in str(refused.value)
    close_in_mode(intruder, portal)
    for obj in keyed.list_container_objects(box):
        keyed.delete_object(obj)
    keyed.delete_container(box)
    keyed.close()


def test_signed_urls_grant_what_they_say(azurite_server: Azurite) -> None:
    driver = AzureBlobsStorageDriver(azurite_server.account, azurite_server.key,
                                     endpoint=azurite_server.url)  # fmt: skip
    box = driver.create_container(unique("auth"))
    obj = driver.upload_object_via_stream(iter([b"shared"]), box, "a b/c.txt")
    url = driver.get_object_presigned_url(obj, "GET", expires=300)
    assert httpx.get(url).content == b"shared"
    assert httpx.put(url, content=b"x", headers={"x-ms-blob-type": "BlockBlob"}).status_code == 403
    assert httpx.get(driver.get_object_cdn_url(obj, ex_expiry=1)).content == b"shared"
    put = driver.get_object_presigned_url(obj, "PUT", expires=300)
    assert (
        httpx.put(put, content=b"new", headers={"x-ms-blob-type": "BlockBlob"}).status_code == 201
    )
    assert b"".join(driver.download_object_as_stream(obj)) == b"new"
    driver.delete_object(obj)
    driver.delete_container(box)
    driver.close()


def test_the_key_never_shows(
    azurite_server: Azurite, mode: str, portal: Portal, caplog: pytest.LogCaptureFixture
) -> None:
    from omnicloud.http import enable_trace

    enable_trace()
    texts: list[str] = []
    sas_sig = ""
    with caplog.at_level(logging.DEBUG, logger="omnicloud"):
        driver = _open(mode, portal, azurite_server.account, azurite_server.key,
                       host="127.0.0.1", port=azurite_server.port, secure=False)  # fmt: skip
        box = driver.create_container(unique("auth"))
        obj = driver.upload_object_via_stream(iter([b"x" * 10]), box, "k")
        texts += [repr(driver), repr(obj), repr(box), repr(obj.extra), repr(native_ops(driver))]
        with pytest.raises(Exception) as missing:
            driver.get_object(box.name, "nope")
        texts.append(str(missing.value))
        sas = driver.ex_account_sas("rl")
        sas_sig = sas.rsplit("sig=", 1)[1]
        driver.delete_object(obj)
        driver.delete_container(box)
        close_in_mode(driver, portal)
        via_sas = _open(mode, portal, ex_sas_token=sas, endpoint=azurite_server.url)
        via_sas.list_containers()
        texts.append(repr(via_sas))
        close_in_mode(via_sas, portal)
        broken = _open(mode, portal, azurite_server.account, WRONG_KEY,
                       endpoint=azurite_server.url)  # fmt: skip
        with pytest.raises(InvalidCredentialsError) as refused:
            broken.list_containers()
        texts.append(str(refused.value))
        close_in_mode(broken, portal)
    logged = caplog.text
    assert "devstoreaccount1" in logged  # the trace did record the requests
    everything = logged + "".join(texts)
    assert azurite_server.key not in everything
    assert azurite_server.key[:20] not in everything
    assert WRONG_KEY not in everything
    from urllib.parse import unquote

    assert unquote(sas_sig) not in everything and sas_sig not in everything
    assert "SharedKey devstoreaccount1:" not in logged  # the Authorization header is redacted
