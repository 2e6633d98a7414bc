"""Our OpenStack client against a real Keystone (``keystone_server``), sync and async: v3 password
by names and by ids, v3 token, application credentials made through Keystone's own API, a bad
password (a clear error with no secret in it), and the catalog's region/interface choice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from omnicloud.errors import InvalidCredentialsError
from omnicloud.http import enable_trace
from omnicloud.openstack import (
    AsyncOpenStackClient,
    AuthSettings,
    EndpointNotFoundError,
    OpenStackAuthError,
    OpenStackClient,
    OpenStackNotFoundError,
    Token,
    session_from_options,
)
from tests.support.keystone import KeystoneServer
from tests.support.modes import Portal, close_in_mode, open_in_mode


def _admin(ks: KeystoneServer, **changes: Any) -> AuthSettings:
    fields: dict[str, Any] = {
        "username": ks.username,
        "password": ks.password,
        "project_name": ks.project,
        "user_domain_name": ks.domain,
        "project_domain_name": ks.domain,
        **changes,
    }
    return AuthSettings(ks.url, **fields)


@pytest.fixture
def connect(mode: str, portal: Portal) -> Iterator[Any]:
    """``connect(auth, **options)``: an OpenStackClient, or the async one behind the portal."""
    opened: list[Any] = []

    def make(auth: AuthSettings | None, **options: Any) -> OpenStackClient:
        client = open_in_mode(mode, portal, OpenStackClient, AsyncOpenStackClient, auth, **options)
        opened.append(client)
        return client

    yield make
    for client in opened:
        close_in_mode(client, portal)


def _session(client: Any) -> Any:
    return getattr(client, "driver", client).session


def test_v3_password_by_names(keystone_server: KeystoneServer, connect: Any) -> None:
    client = connect(_admin(keystone_server))
    token = client.authenticate()
    assert isinstance(token, Token) and token.value and token.project_id and token.user_id
    assert token.expires_at is not None and token.fresh(60)
    assert "identity" in token.catalog.service_types()
    assert token.catalog.regions() == ["RegionOne"]
    projects = client.call("identity", "GET", "/projects")["projects"]
    assert token.project_id in {p["id"] for p in projects}
    for shown in (repr(client), repr(token), repr(_session(client)), repr(_admin(keystone_server))):
        assert token.value not in shown and keystone_server.password not in shown


def test_v3_password_by_ids_and_domain_scope(keystone_server: KeystoneServer, connect: Any) -> None:
    admin = connect(_admin(keystone_server))
    first = admin.authenticate()
    by_ids = AuthSettings(
        keystone_server.url,
        user_id=first.user_id,
        password=keystone_server.password,
        project_id=first.project_id,
    )
    token = connect(by_ids).authenticate()
    assert (token.user_id, token.project_id) == (first.user_id, first.project_id)
    assert token.value != first.value
    # a domain-scoped token (the admin given a role on the domain) names no project
    role = admin.call("identity", "GET", "/roles?name=admin")["roles"][0]["id"]
    admin.call("identity", "PUT", f"/domains/default/users/{first.user_id}/roles/{role}")
    domain = connect(
        AuthSettings(
            keystone_server.url,
            username=keystone_server.username,
            password=keystone_server.password,
            domain_id="default",
        )
    ).authenticate()
    assert domain.domain_id == "default" and domain.project_id is None


def test_v3_token(keystone_server: KeystoneServer, connect: Any) -> None:
    first = connect(_admin(keystone_server)).authenticate()
    exchanged = AuthSettings(
        keystone_server.url, version="3.x_token", token=first.value, project_id=first.project_id
    )
    client = connect(exchanged)
    token = client.authenticate()
    assert token.value != first.value and token.project_id == first.project_id
    assert client.catalog().url_for("identity") == f"{keystone_server.url}/v3"
    # Libcloud's spelling: a token alone is exchanged for one with a catalog
    session, service = session_from_options(
        None,
        None,
        service_type="identity",
        ex_force_auth_url=keystone_server.url,
        ex_force_auth_token=first.value,
        ex_tenant_id=first.project_id,
    )
    assert session.settings is not None and session.settings.version == "3.x_token"
    assert service == "identity"


def test_application_credentials(keystone_server: KeystoneServer, connect: Any) -> None:
    admin = connect(_admin(keystone_server))
    me = admin.authenticate()
    name = f"oc-{uuid.uuid4().hex[:10]}"
    made = admin.call(
        "identity",
        "POST",
        f"/users/{me.user_id}/application_credentials",
        {"application_credential": {"name": name, "description": "omnicloud test"}},
    )["application_credential"]
    cred_id, secret = made["id"], made["secret"]
    try:
        by_id = AuthSettings(
            keystone_server.url,
            version="3.x_appcred",
            application_credential_id=cred_id,
            application_credential_secret=secret,
        )
        token = connect(by_id).authenticate()
        assert token.project_id == me.project_id and token.user_id == me.user_id
        assert token.document["methods"] == ["application_credential"]
        by_name = AuthSettings(
            keystone_server.url,
            version="3.x_appcred",
            application_credential_name=name,
            username=keystone_server.username,
            user_domain_name=keystone_server.domain,
            application_credential_secret=secret,
        )
        assert connect(by_name).authenticate().project_id == me.project_id
        assert secret not in repr(by_id) and secret not in repr(by_name)
        wrong = AuthSettings(
            keystone_server.url,
            version="3.x_appcred",
            application_credential_id=cred_id,
            application_credential_secret="not-" + secret,
        )
        with pytest.raises(OpenStackAuthError) as refused:
            connect(wrong).authenticate()
        assert secret not in str(refused.value)
    finally:
        admin.call("identity", "DELETE", f"/users/{me.user_id}/application_credentials/{cred_id}")


def test_bad_password_is_a_clear_error_without_the_secret(
    keystone_server: KeystoneServer, connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-" + keystone_server.password
    enable_trace()
    caplog.set_level(logging.DEBUG)
    client = connect(_admin(keystone_server, password=wrong))
    with pytest.raises(InvalidCredentialsError) as refused:
        client.authenticate()
    error = refused.value
    assert isinstance(error, OpenStackAuthError) and error.status == 401
    assert "keystone v3 password auth: HTTP 401" in str(error)
    assert wrong not in str(error) and wrong not in repr(error)
    assert wrong not in caplog.text and keystone_server.password not in caplog.text
    assert "auth/tokens" in caplog.text  # the trace did log the exchange, redacted
    # an unknown user is refused the same way (Keystone does not tell which part was wrong)
    with pytest.raises(OpenStackAuthError):
        connect(_admin(keystone_server, username="nobody-" + uuid.uuid4().hex[:6])).authenticate()


def test_catalog_region_and_interface(keystone_server: KeystoneServer, connect: Any) -> None:
    admin = connect(_admin(keystone_server))
    kind = f"oc-store-{uuid.uuid4().hex[:8]}"
    region = f"Region-{uuid.uuid4().hex[:6]}"
    admin.call("identity", "POST", "/regions", {"region": {"id": region}})
    service = admin.call("identity", "POST", "/services", {"service": {"type": kind, "name": kind}})
    service_id = service["service"]["id"]
    wanted = {
        ("RegionOne", "public"): "http://one.example/v1/AUTH_p",
        ("RegionOne", "internal"): "http://one.internal/v1/AUTH_p",
        (region, "public"): "http://two.example/v1/AUTH_p",
        (region, "admin"): "http://two.admin/v1/AUTH_p",
    }
    made: list[str] = []
    try:
        for (where, interface), url in wanted.items():
            body = {"service_id": service_id, "interface": interface, "url": url}
            answer = admin.call(
                "identity", "POST", "/endpoints", {"endpoint": {**body, "region_id": where}}
            )
            made.append(answer["endpoint"]["id"])
        catalog = connect(_admin(keystone_server)).catalog()
        for (where, interface), url in wanted.items():
            assert catalog.url_for(kind, region=where, interface=interface) == url
        assert catalog.url_for(kind) == wanted[("RegionOne", "public")]
        assert catalog.url_for(kind, region=region) == wanted[(region, "public")]
        assert catalog.url_for(kind, interface="internalURL") == wanted[("RegionOne", "internal")]
        with pytest.raises(EndpointNotFoundError) as missing:
            catalog.url_for(kind, region=region, interface="internal")
        assert f"{kind}/admin/{region}" in str(missing.value)
        # a client picks its region and interface; an override beats the catalog
        picked = connect(_admin(keystone_server), region=region, interface="admin")
        assert picked.endpoint(kind) == wanted[(region, "admin")]
        forced = connect(_admin(keystone_server), endpoints={kind: "http://forced.example/x/"})
        assert forced.endpoint(kind) == "http://forced.example/x"
    finally:
        for endpoint_id in made:
            admin.call("identity", "DELETE", f"/endpoints/{endpoint_id}")
        admin.call("identity", "DELETE", f"/services/{service_id}")
        admin.call("identity", "DELETE", f"/regions/{region}")


def test_token_reuse_and_one_reauthentication(
    keystone_server: KeystoneServer, connect: Any
) -> None:
    client = connect(_admin(keystone_server))
    session = _session(client)
    first = client.authenticate()
    client.call("identity", "GET", "/projects")
    client.call("identity", "GET", "/regions")
    assert session.authentications == 1 and client.authenticate() is first
    # a token Keystone no longer accepts: one new token, the call succeeds
    session.token = Token("gAAAAA-revoked-token", first.expires_at, first.catalog)
    assert client.call("identity", "GET", "/projects")["projects"]
    assert session.authentications == 2 and session.token.value != "gAAAAA-revoked-token"
    # close to expiry (within the margin): a new token before the call, not after a 401
    session.refresh_margin = 10 * 3600
    client.call("identity", "GET", "/regions")
    assert session.authentications == 3


def test_missing_resource_maps_to_not_found(keystone_server: KeystoneServer, connect: Any) -> None:
    client = connect(_admin(keystone_server))
    with pytest.raises(OpenStackNotFoundError) as missing:
        client.call("identity", "GET", f"/projects/{uuid.uuid4().hex}")
    assert missing.value.status == 404
