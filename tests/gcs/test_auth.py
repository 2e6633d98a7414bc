"""Credentials: a service account's signed JWT exchanged at its token_uri (a stand-in that
checks the signature with the public key), token caching and renewal, an access token given as
is, Libcloud's key/secret forms (HMAC keys: test_hmac.py), and no secret in reprs or messages."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from omnicloud.errors import (
    ConfigurationError,
    InvalidCredentialsError,
    PermissionDeniedError,
)
from omnicloud.storage.drivers.gcs import AsyncGoogleStorageDriver, GoogleStorageDriver
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.stub_server import Reply, Seen, StubServer

from ._fake import FakeGcs, serve
from .conftest import write_key

SCOPE = "https://www.googleapis.com/auth/devstorage.full_control"


def _secret_lines(info: dict[str, str]) -> list[str]:
    return [line for line in info["private_key"].splitlines() if "-----" not in line]


def _assert_no_key(text: str, info: dict[str, str]) -> None:
    assert "PRIVATE KEY" not in text
    for line in _secret_lines(info):
        assert line not in text


@pytest.fixture
def fake(stub: StubServer, rsa_key: Any, key_info: dict[str, str]) -> FakeGcs:
    served = serve(stub)
    served.public_key = rsa_key.public_key()
    key_info["token_uri"] = f"{stub.url}/token"
    return served


def _storage_requests(stub: StubServer) -> list[Seen]:
    return [seen for seen in stub.requests if seen.path.startswith("/storage/")]


def test_service_account_jwt_is_signed_exchanged_and_cached(
    fake: FakeGcs, stub: StubServer, key_info: dict[str, str], mode: str, portal: Portal
) -> None:
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        service_account=key_info, endpoint=stub.url,
    )  # fmt: skip
    try:
        before = int(time.time())
        assert d.get_container("bk").name == "bk"
        assert d.get_container("bk").name == "bk"
    finally:
        close_in_mode(d, portal)
    assert len(fake.tokens) == 1  # the second request reused the token
    header, claims = fake.tokens[0]["header"], fake.tokens[0]["claims"]
    assert header == {"alg": "RS256", "typ": "JWT", "kid": key_info["private_key_id"]}
    assert claims["iss"] == key_info["client_email"]
    assert claims["aud"] == key_info["token_uri"]
    assert claims["scope"] == SCOPE
    assert before - 5 <= claims["iat"] <= int(time.time()) + 5
    assert claims["exp"] - claims["iat"] == 3600
    auth = [seen.headers.get("Authorization") for seen in _storage_requests(stub)]
    assert auth == ["Bearer ya29.token-1", "Bearer ya29.token-1"]


def test_a_refused_token_is_renewed_once(
    fake: FakeGcs, stub: StubServer, key_info: dict[str, str], mode: str, portal: Portal
) -> None:
    def handler(seen: Seen) -> Reply:
        if seen.headers.get("Authorization") == "Bearer ya29.token-1":
            return Reply(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
        return fake.handler(seen)

    stub.handle(handler)
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        service_account=key_info, endpoint=stub.url,
    )  # fmt: skip
    try:
        assert d.get_container("bk").name == "bk"
    finally:
        close_in_mode(d, portal)
    assert len(fake.tokens) == 2
    auth = [seen.headers.get("Authorization") for seen in _storage_requests(stub)]
    assert auth == ["Bearer ya29.token-1", "Bearer ya29.token-2"]


def test_a_signature_the_key_does_not_verify_is_refused(
    fake: FakeGcs, stub: StubServer, key_info: dict[str, str]
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    fake.public_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    d = GoogleStorageDriver(service_account=key_info, endpoint=stub.url)
    with pytest.raises(InvalidCredentialsError, match="bad signature"):
        d.get_container("bk")
    d.close()


def test_the_private_key_is_in_no_repr_and_no_error(
    fake: FakeGcs, stub: StubServer, key_info: dict[str, str], tmp_path: Path
) -> None:
    fake.token_status = 400
    leaked = _secret_lines(key_info)[3]
    fake.token_body = {"error": "invalid_grant", "error_description": f"key {leaked} rejected"}
    path = write_key(tmp_path, key_info)
    d = GoogleStorageDriver(key_info["client_email"], str(path), project="p", endpoint=stub.url)
    for text in (repr(d), repr(d.ex_auth), repr(d._ops), str(vars(d.ex_auth))):
        _assert_no_key(text, key_info)
    with pytest.raises(InvalidCredentialsError) as refused:
        d.get_container("bk")
    assert "invalid_grant" in str(refused.value)
    _assert_no_key(str(refused.value), key_info)
    d.close()
    # a key that does not load says so without showing it
    broken = dict(key_info, private_key=key_info["private_key"].replace("A", "*", 5))
    with pytest.raises(ConfigurationError) as bad:
        GoogleStorageDriver(service_account=broken, endpoint=stub.url)
    _assert_no_key(str(bad.value), key_info)


def test_libcloud_key_and_secret_forms(
    fake: FakeGcs, stub: StubServer, key_info: dict[str, str], tmp_path: Path
) -> None:
    path = write_key(tmp_path, key_info)
    by_file = GoogleStorageDriver(key_info["client_email"], str(path), endpoint=stub.url)
    assert by_file.project == "omnicloud-sa-project"  # the key's project_id
    assert by_file.get_container("bk").name == "bk"
    by_file.close()
    by_pem = GoogleStorageDriver(key_info["client_email"], key_info["private_key"], project="p")
    assert by_pem.ex_auth.token_uri == "https://oauth2.googleapis.com/token"  # type: ignore[attr-defined]
    by_pem.close()
    by_json = GoogleStorageDriver(secret=json.dumps(key_info), endpoint=stub.url)
    assert by_json.ex_auth.client_email == key_info["client_email"]  # type: ignore[attr-defined]
    by_json.close()


def test_google_application_credentials_names_the_key(
    fake: FakeGcs, key_info: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(write_key(tmp_path, key_info)))
    d = GoogleStorageDriver()
    assert d.project == "omnicloud-sa-project"
    assert d.ex_auth.client_email == key_info["client_email"]  # type: ignore[attr-defined]
    d.close()


def test_an_access_token_is_sent_as_is_and_kept_out_of_messages(
    stub: StubServer, mode: str, portal: Portal
) -> None:
    token = "ya29.given-token-value"
    stub.handle(lambda seen: Reply(403, {"error": {"code": 403, "message": f"{token} may not"}}))
    d = open_in_mode(
        mode, portal, GoogleStorageDriver, AsyncGoogleStorageDriver,
        ex_token=token, endpoint=stub.url,
    )  # fmt: skip
    try:
        with pytest.raises(PermissionDeniedError) as denied:
            d.get_container("bk")
        assert token not in str(denied.value)
        assert token not in repr(d)
    finally:
        close_in_mode(d, portal)
    assert stub.requests[0].headers["Authorization"] == f"Bearer {token}"


def test_missing_credentials_are_refused_clearly() -> None:
    with pytest.raises(ConfigurationError, match="credentials"):
        GoogleStorageDriver(project="p")


def test_an_emulator_needs_no_credentials(stub: StubServer) -> None:
    serve(stub)
    d = GoogleStorageDriver(endpoint=stub.url)
    assert d.get_container("bk").name == "bk"
    assert "Authorization" not in stub.requests[0].headers
    d.close()
