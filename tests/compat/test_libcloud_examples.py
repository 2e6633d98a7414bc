"""Libcloud's documented examples run on omnicloud with only their import lines changed.

Each text in :mod:`tests.compat._libcloud_docs` gets ``libcloud`` replaced by ``omnicloud`` in its
``import``/``from`` lines (nothing else) and runs in this process. Their clouds are omnicloud's
CloudStack simulator: every HTTP request the drivers send (to ``example.com``, Exoscale's or
Ikoula's endpoint) is handed to the simulator in-process, whose admin keys are the placeholder
keys the example uses. Storage runs on the local store in a temporary directory.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import omnicloud
from omnicloud._registry import unset_driver
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.transport import SyncASGITransport
from tests.compat import _libcloud_docs as docs

_IMPORT = re.compile(r"^(\s*)(from|import) libcloud\b", re.MULTILINE)


def port(text: str) -> str:
    """The example with its imports switched to omnicloud, and nothing else changed."""
    ported = _IMPORT.sub(r"\1\2 omnicloud", text)
    # a bare ``import libcloud`` keeps the name the example uses after it
    ported = re.sub(
        r"^(\s*)import omnicloud$", r"\1import omnicloud as libcloud", ported, flags=re.M
    )
    changed = [
        (a, b) for a, b in zip(text.splitlines(), ported.splitlines(), strict=True) if a != b
    ]
    assert all(re.match(r"\s*(from|import) ", line) for line, _ in changed)
    return ported


class Simulated(httpx.BaseTransport):
    """Hands every request to the simulator's API endpoint, noting the host it was meant for."""

    def __init__(self, app: Any) -> None:
        self.inner = SyncASGITransport(app)
        self.hosts: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        forwarded = httpx.Request(
            request.method,
            request.url.copy_with(path="/client/api"),
            headers=request.headers,
            content=request.read(),
        )
        return self.inner.handle_request(forwarded)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def cloud(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Start a simulator for given keys and send omnicloud's HTTP to it; returns the starter."""
    started: list[Simulated] = []

    def start(key: str, secret: str) -> Simulated:
        state = CloudStackState(api_key=key, secret=secret)
        transport = Simulated(create_app(state, config=SimConfig(job_latency=0.0)))
        started.append(transport)
        monkeypatch.setattr("omnicloud.http._urllib3.sync_transport", lambda config: transport)
        return transport

    yield start
    for transport in started:
        transport.close()


def run(text: str, **names: Any) -> dict[str, Any]:
    """Run a ported example as ``__main__`` with ``names`` predefined; returns its globals."""
    namespace: dict[str, Any] = {"__name__": "__main__", **names}
    exec(compile(port(text), "<libcloud example>", "exec"), namespace)
    return namespace


def test_only_import_lines_change() -> None:
    ported = port(docs.COMPUTE_SECURITY_GROUPS)
    assert "from omnicloud.compute.types import Provider" in ported
    assert "from omnicloud.compute.providers import get_driver" in ported
    assert "libcloud" not in ported
    assert "import omnicloud as libcloud" in port(docs.SEED_QUICK_EXAMPLE)


def test_cloudstack_driver_from_a_url(cloud: Any) -> None:
    sim = cloud("your api key", "your secret key")
    namespace = run(docs.COMPUTE_INSTANTIATE_URL)
    conn = namespace["conn"]
    assert conn.list_nodes() == []
    assert [size.name for size in conn.list_sizes()]
    assert set(sim.hosts) == {"example.com"}


def test_exoscale_security_groups(cloud: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cloud("api key", "api secret key")
    namespace = run(docs.COMPUTE_SECURITY_GROUPS)
    out = capsys.readouterr().out
    assert "test-security-group" in out
    assert namespace["status"] is True
    rules = namespace["sg"].ingress_rules
    assert [(r.protocol, r.start_port, r.cidr) for r in rules] == [("tcp", 22, "0.0.0.0/0")]
    remaining = namespace["driver"].ex_list_security_groups()
    assert "test-security-group" not in [group.name for group in remaining]


def test_exoscale_key_pairs(cloud: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    public = (
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )
    ssh = Path.home() / ".ssh"  # an empty temporary HOME (tests/conftest.py)
    ssh.mkdir()
    (ssh / "id_rsa_test.pub").write_bytes(public + b" me@example\n")
    cloud("api key", "api secret key")
    namespace = run(docs.COMPUTE_KEY_PAIRS)
    assert namespace["status"] is True
    names = [pair.name for pair in namespace["driver"].list_key_pairs()]
    assert names == ["test-key-pair-2"]
    assert "test-key-pair-1" in capsys.readouterr().out


def test_ikoula_node_in_an_advanced_zone(cloud: Any) -> None:
    sim = cloud("your api key", "your secret key")
    namespace = run(docs.COMPUTE_ADVANCED_ZONE)
    node = namespace["node"]
    assert node.name == "libcloud"
    # the simulator's first network is its basic zone's shared one: the node's NIC is on it
    assert [nic["networkid"] for nic in node.extra["nic"]] == [namespace["nets"][0].id]
    assert [n.id for n in namespace["driver"].list_nodes()] == [node.id]
    assert len(set(sim.hosts)) == 1 and "example.com" not in sim.hosts  # Ikoula's endpoint


def test_register_a_third_party_driver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "stratuslab" / "libcloud"
    package.mkdir(parents=True)
    (tmp_path / "stratuslab" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "stratuslab_driver.py").write_text(
        "from omnicloud.compute.base import NodeDriver\n\n\n"
        "class StratusLabNodeDriver(NodeDriver):\n    name = 'StratusLab'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        namespace = run(docs.COMPUTE_THIRD_PARTY)
        driver = namespace["driver"]
        assert driver.__name__ == "StratusLabNodeDriver"
        assert issubclass(driver, omnicloud.compute.base.NodeDriver)
        assert omnicloud.get_driver("stratuslab") is driver
    finally:
        unset_driver("stratuslab")
        for name in [m for m in sys.modules if m.startswith("stratuslab")]:
            del sys.modules[name]


def test_local_storage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = b"backup bytes " * 1000
    source = tmp_path / "myfile.tar.gz"
    source.write_bytes(payload)
    store, download = tmp_path / "store", tmp_path / "fetched.tar.gz"
    store.mkdir()
    names = {"STORE_PATH": str(store), "FILE_PATH": str(source), "DOWNLOAD_PATH": str(download)}
    run(docs.STORAGE_LOCAL, **names)
    assert download.read_bytes() == payload
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "['backup.tar.gz']",
        "['my-backups-12345']",
        "{'owner': 'myuser', 'created': '2014-02-2'}",
    ]
    run(docs.STORAGE_LOCAL, **names)  # the container exists now: the other branch
    assert download.read_bytes() == payload


def test_cloudstack_load_balancer(cloud: Any, capsys: pytest.CaptureFixture[str]) -> None:
    cloud("api key", "api secret key")
    namespace = run(
        docs.LOADBALANCER_CLOUDSTACK,
        URL="https://cloud.example.com/client/api",
        ZONE="Sandbox-Advanced",  # the simulator's zone with isolated networks
    )
    out = capsys.readouterr().out.splitlines()
    assert out == ["test-lb True 80", f"[{namespace['node'].id!r}]"]
    assert namespace["driver"].list_balancers() == []


@pytest.mark.parametrize(
    ("text", "family", "name"),
    [
        # the seed's OpenStack quick example has a driver now (tests/openstack_compute)
        (docs.LOADBALANCER_RACKSPACE, "loadbalancer", "rackspace_us"),
    ],
)
def test_providers_without_a_driver_say_so(text: str, family: str, name: str) -> None:
    with pytest.raises(omnicloud.DriverNotAvailableError) as caught:
        run(text)
    message = str(caught.value)
    assert f"no {family} driver for provider {name!r}" in message
    assert "known: alb, cloudstack" in message or "known: cloudsigma, cloudstack" in message
