"""TLS: verification on by default, custom CA, client certificates, the insecure switch."""

from __future__ import annotations

import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
import trustme

from omnicloud.cloudstack import AsyncCloudStack, CloudStack
from omnicloud.errors import OmnicloudError, RequestNotSentError, ValidationError
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok
from tests.support.stub_server import StubServer


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_server(ca: trustme.CA) -> Iterator[StubServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_OPTIONAL
    server = StubServer(ssl_context=context)
    server.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def endpoint(server: StubServer) -> str:
    return f"{server.url}/client/api"


def test_untrusted_server_is_rejected_by_default(tls_server: StubServer) -> None:
    with CloudStack(endpoint(tls_server), KEY, SECRET, retry=0) as client:
        with pytest.raises(RequestNotSentError, match=r"CERTIFICATE_VERIFY_FAILED|certificate"):
            client.listZones()


def test_custom_ca_bundle(tls_server: StubServer, ca_file: Path) -> None:
    with CloudStack(endpoint(tls_server), KEY, SECRET, verify=str(ca_file)) as client:
        assert client.listZones() == {}


@pytest.fixture(scope="module")
def mtls_server(ca: trustme.CA) -> Iterator[StubServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server = StubServer(ssl_context=context)
    server.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    yield server
    server.stop()


def test_client_certificate_is_required_and_presented(
    mtls_server: StubServer, ca: trustme.CA, ca_file: Path, tmp_path: Path
) -> None:
    with CloudStack(endpoint(mtls_server), KEY, SECRET, verify=str(ca_file), retry=0) as client:
        with pytest.raises(OmnicloudError):
            client.listZones()
    leaf = ca.issue_cert("client@example.com")
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    with CloudStack(
        endpoint(mtls_server), KEY, SECRET, verify=str(ca_file), cert=str(cert), cert_key=str(key)
    ) as client:
        assert client.listZones() == {}


def test_insecure_switch_warns(tls_server: StubServer) -> None:
    tls_server.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    with pytest.warns(UserWarning, match="verification is disabled"):
        with CloudStack(endpoint(tls_server), KEY, SECRET, dangerous_no_tls_verify=True) as client:
            assert client.listZones() == {}


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_insecure_switch_warns_once_per_client(tls_server: StubServer, kind: str) -> None:
    tls_server.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    options = {"dangerous_no_tls_verify": True}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        if kind == "sync":
            with CloudStack(endpoint(tls_server), KEY, SECRET, **options) as client:
                assert client.listZones() == {} and client.listZones() == {}
        else:

            async def go() -> None:
                async with AsyncCloudStack(endpoint(tls_server), KEY, SECRET, **options) as client:
                    assert await client.listZones() == {} and await client.listZones() == {}

            anyio.run(go)
    disabled = [w for w in seen if "verification is disabled" in str(w.message)]
    assert len(disabled) == 1, [str(w.message) for w in seen]


def test_bad_ca_path_is_a_clear_error(tls_server: StubServer, tmp_path: Path) -> None:
    with CloudStack(endpoint(tls_server), KEY, SECRET, verify=str(tmp_path / "missing.pem")) as c:
        with pytest.raises(ValidationError, match="cannot load CA bundle"):
            c.listZones()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_insecure_switch_leaves_the_warnings_filters_alone(
    tls_server: StubServer, kind: str
) -> None:
    # the library warns once itself; it must neither install a process-wide filter to keep
    # urllib3 quiet nor let urllib3 warn about the same thing on every request
    options = {"dangerous_no_tls_verify": True}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        before = list(warnings.filters)
        if kind == "sync":
            with CloudStack(endpoint(tls_server), KEY, SECRET, **options) as client:
                assert client.listZones() == {} and client.listZones() == {}
                assert warnings.filters == before
        else:

            async def go() -> None:
                async with AsyncCloudStack(endpoint(tls_server), KEY, SECRET, **options) as client:
                    assert await client.listZones() == {} and await client.listZones() == {}
                    assert warnings.filters == before

            anyio.run(go)
        assert warnings.filters == before
    messages = [str(w.message) for w in seen]
    assert not [m for m in messages if "Unverified HTTPS request" in m], messages
    assert len([m for m in messages if "verification is disabled" in m]) == 1, messages
