"""Certificate credentials (a signed JWT client assertion) and managed identity (IMDS)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from omnicloud.compute.drivers.azure_arm import AzureNodeDriver
from omnicloud.errors import ConfigurationError

from ._fake import ARM, CLIENT, LOGIN, SUB, TENANT, reply
from .conftest import AzSim

VMS = f"/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines"


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "omnicloud-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path = tmp_path_factory.mktemp("cert") / "app.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + cert.public_bytes(serialization.Encoding.PEM)
    )
    return path, cert


def _arm_ok(request: httpx.Request) -> httpx.Response | None:
    if request.url.host == "arm.test":
        assert request.headers["authorization"] == "Bearer cert-token"
        return reply(200, {"value": []})
    return None


def test_certificate_credential_signs_a_client_assertion(
    pem: tuple[Path, x509.Certificate],
) -> None:
    path, cert = pem
    seen: dict[str, Any] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        answered = _arm_ok(request)
        if answered is not None:
            return answered
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        seen.update(form)
        header, claims, signature = form["client_assertion"].split(".")
        cert.public_key().verify(  # type: ignore[union-attr,call-arg]
            _b64(signature), f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        seen["header"] = json.loads(_b64(header))
        seen["claims"] = json.loads(_b64(claims))
        return reply(200, {"access_token": "cert-token", "expires_in": 3600})

    driver = AzureNodeDriver(
        TENANT,
        SUB,
        CLIENT,
        None,
        ex_client_certificate=str(path),
        endpoint=ARM,
        ex_authority=LOGIN,
        transport=httpx.MockTransport(handle),
    )
    with driver:
        assert driver.list_nodes() == []
    token_url = f"{LOGIN}/{TENANT}/oauth2/v2.0/token"
    assert seen["client_assertion_type"].endswith("jwt-bearer") and "client_secret" not in seen
    assert seen["claims"]["aud"] == token_url
    assert seen["claims"]["iss"] == seen["claims"]["sub"] == CLIENT
    thumbprint = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).digest()
    assert _b64(seen["header"]["x5t"]) == thumbprint and seen["header"]["alg"] == "RS256"
    assert seen["client_assertion"] not in driver.client.redactor.text(seen["client_assertion"])


def test_unreadable_certificate_is_a_configuration_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match="PEM"):
        AzureNodeDriver(TENANT, SUB, CLIENT, ex_client_certificate=str(bad))


def test_managed_identity_asks_imds() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "arm.test":
            assert request.headers["authorization"] == "Bearer mi-token"
            return reply(200, {"value": []})
        seen.append(request)
        return reply(
            200,
            {
                "access_token": "mi-token",
                "expires_in": "3599",
                "expires_on": "1999999999",
                "token_type": "Bearer",
            },
        )

    driver = AzureNodeDriver(
        None,
        SUB,
        "user-assigned-id",
        ex_managed_identity=True,
        ex_identity_endpoint="http://imds.test/metadata/identity/oauth2/token",
        endpoint=ARM,
        transport=httpx.MockTransport(handle),
    )
    with driver:
        assert driver.list_nodes() == []
        assert driver.list_nodes() == []
    assert len(seen) == 1  # cached
    (request,) = seen
    assert request.method == "GET" and request.headers["metadata"] == "true"
    assert request.url.params["resource"] == "https://management.azure.com/"
    assert request.url.params["client_id"] == "user-assigned-id"


def test_default_imds_endpoint() -> None:
    driver = AzureNodeDriver(
        subscription_id=SUB,
        ex_managed_identity=True,
        transport=httpx.MockTransport(lambda r: reply(500)),
    )
    credential = driver.client.tokens.credential
    assert credential.endpoint == "http://169.254.169.254/metadata/identity/oauth2/token"  # type: ignore[union-attr]
    driver.close()


@pytest.mark.parametrize(
    "kwargs",
    [{"subscription_id": None}, {"tenant_id": None}, {"key": None}, {"secret": None}],
)
def test_missing_credentials_are_configuration_errors(kwargs: dict[str, Any]) -> None:
    given: dict[str, Any] = {
        "tenant_id": TENANT,
        "subscription_id": SUB,
        "key": CLIENT,
        "secret": "x" * 10,
        **kwargs,
    }
    with pytest.raises(ConfigurationError):
        AzureNodeDriver(**given)


def test_managed_identity_on_the_simulator(az_sim: AzSim) -> None:
    options = az_sim.options(tenant_id=None, key=None, secret=None, ex_managed_identity=True)
    options["ex_identity_endpoint"] = f"{az_sim.server.url}/metadata/identity/oauth2/token"
    with AzureNodeDriver(**options) as driver:
        assert driver.ex_resource_group in {g.name for g in driver.ex_list_resource_groups()}
        assert driver.client.tokens.acquired == 1
