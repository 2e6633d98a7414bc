"""Authentication details without a real server: request documents, Libcloud's argument names,
version spellings, secrets kept out of reprs, and the one re-authentication on a 401 (never
more), counted on the stub server."""

from __future__ import annotations

import json

import pytest

from omnicloud.errors import ConfigurationError, InvalidCredentialsError
from omnicloud.http import HttpConfig, RetryPolicy
from omnicloud.openstack import (
    AuthSettings,
    Catalog,
    OpenStackClient,
    auth_version,
    session_from_options,
)
from omnicloud.openstack._auth import tokens_url, v3_body
from omnicloud.storage.drivers.swift import OpenStackSwiftStorageDriver
from tests.support.stub_server import Reply, Seen, StubServer

QUICK = HttpConfig(retry=RetryPolicy(max_attempts=2, backoff=0.01, backoff_cap=0.02))


def test_version_spellings() -> None:
    assert auth_version("1.0") == auth_version("v1") == "1.0"
    assert auth_version("2.0") == auth_version("2.0_password") == "2.0_password"
    assert auth_version("3.x_password") == auth_version("v3") == "3.x_password"
    assert auth_version("3.x_appcred") == "3.x_appcred"
    with pytest.raises(ConfigurationError, match="unknown OpenStack auth version"):
        auth_version("2.0_voms")


def test_token_urls() -> None:
    def url(base: str, version: str) -> str:
        return tokens_url(AuthSettings(base, version=version, password="p"))

    assert url("http://ks:5000", "3.x_password") == "http://ks:5000/v3/auth/tokens"
    assert url("http://ks:5000/v3/", "3.x_password") == "http://ks:5000/v3/auth/tokens"
    assert url("http://ks:5000/v2.0", "2.0") == "http://ks:5000/v2.0/tokens"
    assert url("http://swift:8080/auth", "1.0") == "http://swift:8080/auth/v1.0"
    assert url("http://swift:8080/auth/v1.0", "1.0") == "http://swift:8080/auth/v1.0"


def test_v3_documents() -> None:
    by_names = v3_body(
        AuthSettings("http://ks", username="u", password="pw", project_name="p", domain_name="d")
    )
    user = by_names["auth"]["identity"]["password"]["user"]
    assert user == {"name": "u", "domain": {"name": "Default"}, "password": "pw"}
    assert by_names["auth"]["scope"] == {"project": {"name": "p", "domain": {"name": "Default"}}}
    by_ids = v3_body(AuthSettings("http://ks", user_id="uid", password="pw", project_id="pid"))
    assert by_ids["auth"]["identity"]["password"]["user"] == {"id": "uid", "password": "pw"}
    assert by_ids["auth"]["scope"] == {"project": {"id": "pid"}}
    domain = v3_body(AuthSettings("http://ks", username="u", password="pw", domain_id="did"))
    assert domain["auth"]["scope"] == {"domain": {"id": "did"}}
    unscoped = v3_body(AuthSettings("http://ks", username="u", password="pw"))
    assert "scope" not in unscoped["auth"]
    cred = v3_body(
        AuthSettings(
            "http://ks",
            version="3.x_appcred",
            application_credential_id="cid",
            application_credential_secret="s",
        )
    )
    assert cred["auth"] == {
        "identity": {
            "methods": ["application_credential"],
            "application_credential": {"id": "cid", "secret": "s"},
        }
    }
    token = v3_body(AuthSettings("http://ks", version="3.x_token", token="t", project_id="p"))
    assert token["auth"]["identity"] == {"methods": ["token"], "token": {"id": "t"}}
    with pytest.raises(ConfigurationError, match="needs a password"):
        v3_body(AuthSettings("http://ks", username="u"))


def test_libcloud_arguments() -> None:
    session, service = session_from_options(
        "alice",
        "s3cret-password",
        service_type="object-store",
        ex_force_auth_url="http://ks:5000",
        ex_force_auth_version="3.x_password",
        ex_tenant_name="proj",
        ex_domain_name="corp",
        ex_force_service_region="RegionTwo",
        ex_force_service_interface="internal",
    )
    settings = session.settings
    assert settings is not None and service == "object-store"
    assert (settings.username, settings.project_name) == ("alice", "proj")
    assert (settings.user_domain_name, settings.project_domain_name) == ("corp", "corp")
    assert (session.choice.region, session.choice.interface) == ("RegionTwo", "internal")
    for shown in (repr(session), repr(settings)):
        assert "s3cret-password" not in shown
    appcred, _ = session_from_options(
        "cred-id",
        "cred-secret",
        service_type="object-store",
        ex_force_auth_url="http://ks:5000",
        ex_force_auth_version="3.x_appcred",
    )
    assert appcred.settings is not None
    assert appcred.settings.application_credential_id == "cred-id"
    assert "cred-secret" not in repr(appcred.settings)
    with pytest.raises(ConfigurationError, match="ex_force_auth_url"):
        session_from_options("u", "p", service_type="object-store")


def test_forced_token_needs_no_authentication() -> None:
    driver = OpenStackSwiftStorageDriver(
        ex_force_auth_token="tok-12345678", ex_force_base_url="http://swift.example/v1/AUTH_x/"
    )
    session = driver.ex_session
    assert session.token is not None and session.token.value == "tok-12345678"
    assert session.endpoint_of(session.token, "object-store") == "http://swift.example/v1/AUTH_x"
    assert "tok-12345678" not in repr(driver) and "tok-12345678" not in repr(session)
    driver.close()


def _keystone(stub: StubServer, service_status: int) -> list[str]:
    """The stub as Keystone (tokens t1, t2...) and a service answering ``service_status``."""
    issued: list[str] = []

    def handler(seen: Seen) -> Reply:
        if seen.path == "/v3/auth/tokens":
            password = json.loads(seen.body)["auth"]["identity"]["password"]["user"]["password"]
            if password != "right-password":
                return Reply(
                    401,
                    {
                        "error": {
                            "code": 401,
                            "message": "The request you have made requires authentication.",
                        }
                    },
                )
            issued.append(f"token-{len(issued) + 1:04d}")
            catalog = [
                {
                    "type": "thing",
                    "name": "thing",
                    "endpoints": [
                        {"interface": "public", "region_id": "R1", "url": f"{stub.url}/thing"}
                    ],
                }
            ]
            body = {"token": {"expires_at": "2099-01-01T00:00:00Z", "catalog": catalog}}
            return Reply(201, body, headers={"X-Subject-Token": issued[-1]})
        if seen.headers.get("X-Auth-Token") == issued[-1] and service_status == 200:
            return Reply(200, {"ok": True})
        return Reply(401, {"error": {"code": 401, "message": "token rejected"}})

    stub.handle(handler)
    return issued


def _client(stub: StubServer, password: str = "right-password") -> OpenStackClient:
    auth = AuthSettings(stub.url, username="u", password=password, project_name="p")
    return OpenStackClient(auth, http=QUICK)


def test_a_401_gets_one_new_token_never_more(stub: StubServer) -> None:
    issued = _keystone(stub, service_status=401)
    with _client(stub) as client, pytest.raises(InvalidCredentialsError) as refused:
        client.call("thing", "GET", "/x")
    paths = [seen.path for seen in stub.requests]
    assert paths == ["/v3/auth/tokens", "/thing/x", "/v3/auth/tokens", "/thing/x"]
    assert issued == ["token-0001", "token-0002"]
    assert [s.headers.get("X-Auth-Token") for s in stub.requests[1::2]] == issued
    assert "token-000" not in str(refused.value) and "right-password" not in str(refused.value)


def test_a_revoked_token_is_replaced_once(stub: StubServer) -> None:
    issued = _keystone(stub, service_status=200)
    with _client(stub) as client:
        assert client.call("thing", "GET", "/x") == {"ok": True}
        assert client.call("thing", "GET", "/y") == {"ok": True}
        assert client.session.authentications == 1
        issued.append("token-revoked")  # the service now accepts only a newer token
        assert client.call("thing", "GET", "/z") == {"ok": True}
        assert client.session.authentications == 2
    assert [seen.path for seen in stub.requests].count("/v3/auth/tokens") == 2


def test_bad_password_reaches_keystone_once(stub: StubServer) -> None:
    _keystone(stub, service_status=200)
    with _client(stub, password="wrong-password") as client:
        with pytest.raises(InvalidCredentialsError) as refused:
            client.call("thing", "GET", "/x")
    assert [seen.path for seen in stub.requests] == ["/v3/auth/tokens"]
    assert "wrong-password" not in str(refused.value)
    assert "HTTP 401" in str(refused.value)


def test_catalog_from_v2() -> None:
    catalog = Catalog.from_v2(
        [
            {
                "type": "object-store",
                "name": "swift",
                "endpoints": [
                    {"region": "R1", "publicURL": "http://pub/v1", "internalURL": "http://int/v1"},
                    {"region": "R2", "publicURL": "http://r2/v1/"},
                ],
            }
        ]
    )
    assert catalog.url_for("object-store") == "http://pub/v1"
    assert catalog.url_for("object-store", interface="internal") == "http://int/v1"
    assert catalog.url_for("object-store", region="R2") == "http://r2/v1"
    assert catalog.regions() == ["R1", "R2"]


def test_v2_password_flow(stub: StubServer) -> None:
    def handler(seen: Seen) -> Reply:
        if seen.path == "/v2.0/tokens":
            auth = json.loads(seen.body)["auth"]
            ok = auth["passwordCredentials"] == {"username": "old", "password": "v2-password"}
            if not ok or auth.get("tenantName") != "legacy":
                return Reply(401, {"error": {"code": 401, "message": "Invalid user / password"}})
            access = {
                "token": {
                    "id": "v2-token-0001",
                    "expires": "2099-01-01T00:00:00Z",
                    "tenant": {"id": "tid"},
                },
                "serviceCatalog": [
                    {
                        "type": "object-store",
                        "name": "swift",
                        "endpoints": [{"region": "R1", "publicURL": f"{stub.url}/v1/AUTH_tid"}],
                    }
                ],
                "user": {"id": "uid"},
            }
            return Reply(200, {"access": access})
        if seen.headers.get("X-Auth-Token") == "v2-token-0001":
            return Reply(200, {"path": seen.path})
        return Reply(401, "no")

    stub.handle(handler)
    session, _ = session_from_options(
        "old",
        "v2-password",
        service_type="object-store",
        ex_force_auth_url=f"{stub.url}/v2.0",
        ex_force_auth_version="2.0_password",
        ex_tenant_name="legacy",
    )
    with OpenStackClient(session.settings, http=QUICK) as client:
        token = client.authenticate()
        assert (token.project_id, token.user_id, token.expires_at) == ("tid", "uid", 4070908800.0)
        assert client.call("object-store", "GET", "/c") == {"path": "/v1/AUTH_tid/c"}
    wrong = AuthSettings(f"{stub.url}", version="2.0", username="old", password="nope-nope")
    with OpenStackClient(wrong, http=QUICK) as client, pytest.raises(InvalidCredentialsError) as e:
        client.authenticate()
    assert "keystone v2.0 password auth: HTTP 401: Invalid user / password" in str(e.value)
