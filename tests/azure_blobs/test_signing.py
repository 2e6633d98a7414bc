"""Shared Key signing, SAS strings, connection strings and blob names, checked without a server
against the examples of Microsoft's "Authorize with Shared Key" page (the signature itself is
checked against what Azurite accepts in ``test_auth.py``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest

from omnicloud.azure._account import AzureAccount, parse_connection_string, resolve_account
from omnicloud.azure._blob import BlobService, check_blob_name, error_from_response
from omnicloud.azure._signing import (
    DEV_ACCOUNT,
    DEV_KEY,
    account_sas,
    blob_sas,
    canonicalized_headers,
    canonicalized_resource,
    shared_key_authorization,
    string_to_sign,
)
from omnicloud.errors import ConfigurationError, InvalidCredentialsError
from omnicloud.http import HttpResponse
from omnicloud.storage.errors import (
    ContainerAlreadyExistsError,
    ContainerDoesNotExistError,
    InvalidObjectNameError,
    ObjectDoesNotExistError,
    ObjectHashMismatchError,
)

KEY = base64.b64decode(DEV_KEY)


def test_canonicalized_resource_matches_the_published_examples() -> None:
    base = "https://myaccount.blob.core.windows.net"
    assert (
        canonicalized_resource("myaccount", f"{base}/mycontainer?restype=container&comp=metadata")
        == "/myaccount/mycontainer\ncomp:metadata\nrestype:container"
    )
    listing = (
        f"{base}/mycontainer?restype=container&comp=list&include=snapshots"
        "&include=metadata&include=uncommittedblobs"
    )
    assert canonicalized_resource("myaccount", listing) == (
        "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\n"
        "restype:container"
    )
    assert canonicalized_resource("myaccount", f"{base}/mycontainer/myblob") == (
        "/myaccount/mycontainer/myblob"
    )


def test_string_to_sign_matches_the_published_example() -> None:
    """The page's Get Container Metadata example, addressed path-style (the account twice)."""
    headers = {"x-ms-date": "Sun, 11 Oct 2009 21:49:13 GMT", "x-ms-version": "2009-09-19"}
    url = "http://127.0.0.1:10000/myaccount/mycontainer?restype=container&comp=metadata&timeout=20"
    assert string_to_sign("GET", url, headers, "myaccount") == (
        "GET\n\n\n\n\n\n\n\n\n\n\n\n"
        "x-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n"
        "/myaccount/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20"
    )


def test_standard_headers_their_order_and_an_empty_zero_length() -> None:
    headers = {
        "Content-Type": "text/plain",
        "Content-MD5": "abc==",
        "Content-Length": "0",
        "Range": "bytes=0-9",
        "If-Match": '"0x1"',
        "Content-Encoding": "gzip",
        "Content-Language": "fr",
        "X-MS-Meta-Owner": "  alice \n  and bob ",
        "x-ms-date": "Mon, 01 Jan 2024 00:00:00 GMT",
        "Date": "ignored when x-ms-date is given",
        "Host": "not signed",
    }
    lines = string_to_sign("PUT", "http://h/acct/c/b", headers, "acct").split("\n")
    assert lines[:13] == [
        "PUT", "gzip", "fr", "", "abc==", "text/plain", "", "", '"0x1"', "", "", "bytes=0-9",
        "x-ms-date:Mon, 01 Jan 2024 00:00:00 GMT",
    ]  # fmt: skip
    assert lines[13:] == ["x-ms-meta-owner:alice and bob", "/acct/acct/c/b"]
    with_length = string_to_sign("PUT", "http://h/acct/c/b", {"Content-Length": "12"}, "acct")
    assert with_length.split("\n")[3] == "12"


def test_canonicalized_headers_sorted_and_lower_cased() -> None:
    assert canonicalized_headers({"x-ms-version": "1", "X-Ms-Date": "d", "Other": "x"}) == (
        "x-ms-date:d\nx-ms-version:1\n"
    )


def test_authorization_is_the_hmac_of_the_string_to_sign() -> None:
    headers = {"x-ms-date": "Mon, 01 Jan 2024 00:00:00 GMT", "x-ms-version": "2021-08-06"}
    url = "http://127.0.0.1:10000/devstoreaccount1/c?restype=container"
    value = shared_key_authorization("GET", url, headers, DEV_ACCOUNT, KEY)
    expected = hmac.new(
        KEY, string_to_sign("GET", url, headers, DEV_ACCOUNT).encode(), hashlib.sha256
    ).digest()
    assert value == f"SharedKey devstoreaccount1:{base64.b64encode(expected).decode()}"


def test_service_and_account_sas_strings() -> None:
    sas = dict(
        parse_qsl(blob_sas("acct", KEY, "c", "a b", permissions="r", expiry="2030-01-01T00:00:00Z"))
    )
    signed = "\n".join(
        ["r", "", "2030-01-01T00:00:00Z", "/blob/acct/c/a b", "", "", "", "2018-11-09", "b",
         "", "", "", "", "", ""]
    )  # fmt: skip
    digest = hmac.new(KEY, signed.encode(), hashlib.sha256).digest()
    assert sas == {
        "sv": "2018-11-09",
        "se": "2030-01-01T00:00:00Z",
        "sr": "b",
        "sp": "r",
        "sig": base64.b64encode(digest).decode(),
    }
    account = dict(parse_qsl(account_sas("acct", KEY, permissions="rl", expiry="2030-01-01")))
    signed = "acct\nrl\nb\nsco\n\n2030-01-01\n\n\n2018-11-09\n"
    digest = hmac.new(KEY, signed.encode(), hashlib.sha256).digest()
    assert account["sig"] == base64.b64encode(digest).decode()
    assert (account["ss"], account["srt"], account["sp"]) == ("b", "sco", "rl")


def _resolve(key: str | None = None, secret: str | None = None, **kw: object) -> AzureAccount:
    options: dict[str, object] = {
        "secure": True, "host": None, "port": None, "endpoint": None, "sas_token": None,
        "connection_string": None, "environ": {},
    }  # fmt: skip
    options.update(kw)
    return resolve_account(key, secret, **options)  # type: ignore[arg-type]


def test_account_urls_from_libcloud_arguments() -> None:
    assert _resolve("acct", DEV_KEY).blob_url == "https://acct.blob.core.windows.net"
    emulator = _resolve("devstoreaccount1", DEV_KEY, host="127.0.0.1", port=10000, secure=False)
    assert emulator.blob_url == "http://127.0.0.1:10000/devstoreaccount1"
    assert emulator.key == KEY
    assert _resolve("acct", DEV_KEY, endpoint="http://127.0.0.1:9/").blob_url == (
        "http://127.0.0.1:9/acct"
    )
    assert _resolve(None, DEV_KEY, endpoint="http://127.0.0.1:9/acct").name == "acct"
    with pytest.raises(ConfigurationError):
        _resolve("acct", None)
    with pytest.raises(ConfigurationError, match="base64") as bad:
        _ = _resolve("acct", "not base64 at all!").key
    assert "not base64 at all" not in str(bad.value)


def test_sas_token_and_url_with_a_sas() -> None:
    token = "?sv=2018-11-09&sp=rl&sig=abc%2Bdef"
    account = _resolve("acct", None, sas_token=token)
    assert (account.secret, account.sas) == (None, "sv=2018-11-09&sp=rl&sig=abc%2Bdef")
    from_url = _resolve(None, None, endpoint="https://acct.blob.core.windows.net/?sv=1&sig=x")
    assert (from_url.name, from_url.sas, from_url.blob_url) == (
        "acct", "sv=1&sig=x", "https://acct.blob.core.windows.net"
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match="sig"):
        _resolve("acct", None, sas_token="sv=2018-11-09&sp=r")


def test_connection_strings() -> None:
    dev = _resolve(connection_string="UseDevelopmentStorage=true")
    assert (dev.name, dev.blob_url, dev.key) == (
        "devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", KEY
    )  # fmt: skip
    full = _resolve(
        connection_string=(
            f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={DEV_KEY};"
            "EndpointSuffix=core.chinacloudapi.cn"
        )
    )
    assert (full.name, full.blob_url, full.key) == (
        "acct", "https://acct.blob.core.chinacloudapi.cn", KEY
    )  # fmt: skip
    sas = _resolve(
        connection_string="BlobEndpoint=http://127.0.0.1:5/devstoreaccount1;"
        "SharedAccessSignature=sv=2018-11-09&sig=zz"
    )
    assert (sas.name, sas.secret, sas.sas) == ("devstoreaccount1", None, "sv=2018-11-09&sig=zz")
    from_env = _resolve(environ={"AZURE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"})
    assert from_env.name == "devstoreaccount1"
    assert parse_connection_string("A=1;B=x=y;;") == {"a": "1", "b": "x=y"}
    with pytest.raises(ConfigurationError):
        parse_connection_string("nonsense")


def test_repr_never_shows_the_key_or_the_sas() -> None:
    account = _resolve("acct", DEV_KEY, sas_token="sv=1&sig=SECRETSIG")
    text = repr(account) + repr(BlobService(account))
    assert DEV_KEY not in text and "SECRETSIG" not in text and "acct" in text


@pytest.mark.parametrize(
    "name", ["..", ".", "a/../b", "a/./b", "x/..", "../x", "a\\..\\b", "a/..\\b", ""]
)
def test_dot_segments_are_refused(name: str) -> None:
    with pytest.raises(InvalidObjectNameError):
        check_blob_name(name)


@pytest.mark.parametrize("name", ["a..b", "...", "a/.b/c", "..x/y", "a/b.", "日本/x y"])
def test_names_with_dots_inside_segments_are_kept(name: str) -> None:
    assert check_blob_name(name) == name


def test_request_urls_encode_names_and_append_a_sas() -> None:
    service = BlobService(AzureAccount("acct", "http://h/acct", sas="sv=1&sig=x"))
    request = service.request("GET", "c", "a b+c/d%e#f?g", query=[("comp", "list")])
    assert request.url == "http://h/acct/c/a%20b%2Bc/d%25e%23f%3Fg?comp=list&sv=1&sig=x"
    assert "Authorization" not in request.headers
    assert request.headers["x-ms-version"] == "2021-08-06"


def _answer(status: int, code: str | None, body: bool = True) -> HttpResponse:
    content = (
        f"<?xml version='1.0'?><Error><Code>{code}</Code><Message>m\nRequestId:1</Message></Error>"
    ).encode()
    headers = {"x-ms-error-code": code} if code and not body else {}
    return HttpResponse(status=status, headers=headers, content=content if body else b"")


def test_error_codes_become_storage_errors() -> None:
    cases = {
        "ContainerNotFound": ContainerDoesNotExistError,
        "BlobNotFound": ObjectDoesNotExistError,
        "ContainerAlreadyExists": ContainerAlreadyExistsError,
        "AuthenticationFailed": InvalidCredentialsError,
        "Md5Mismatch": ObjectHashMismatchError,
    }
    for code, cls in cases.items():
        error = error_from_response(_answer(400, code), "op")
        assert type(error) is cls and error.code == code and "RequestId" not in str(error)
        head = error_from_response(_answer(404, code, body=False), "op")
        assert type(head) is cls  # HEAD answers: the x-ms-error-code header alone
    assert isinstance(
        error_from_response(HttpResponse(status=404, headers={}), "op", "container"),
        ContainerDoesNotExistError,
    )
