"""The basic-zone scenario against the simulator, sync and async: key pair + security groups with
ingress rules + create_node(ex_security_groups=, ex_keyname=) + the deploy contract; key pair
imports; what create_node and deploy_node refuse (and that they refuse before any request)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from omnicloud.compute import NodeAuthPassword, NodeAuthSSHKey, NodeState
from omnicloud.compute.deployment import ScriptDeployment
from omnicloud.compute.drivers.cloudstack import CloudStackKeyPair
from omnicloud.errors import CloudStackApiError, ValidationError

from .conftest import Blocking, Sim, unique, zone
from .test_cloudstack_sim import PUBKEY, FakeSSH


def md5_fingerprint(public_key: str) -> str:
    """CloudStack's fingerprint: colon-separated MD5 of the key blob."""
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


@pytest.fixture
def basic(d: Any) -> dict[str, Any]:
    return {
        "zone": zone(d, "Basic"),
        "size": d.list_sizes()[0],
        "image": next(i for i in d.list_images() if i.name.startswith("Ubuntu")),
    }


def test_basic_zone_scenario(d: Any, basic: dict[str, Any], tmp_path: Path) -> None:
    """Key pair, two security groups with ingress rules, a node that really has them, deployed
    through the SSH connector with the key pair's private key."""
    pair = d.create_key_pair(unique("kp"))
    assert isinstance(pair, CloudStackKeyPair) and pair.private_key
    key_file = tmp_path / "id_cloud"
    key_file.write_text(pair.private_key)

    web, ssh = unique("web"), unique("ssh")
    for name in (web, ssh):
        d.ex_create_security_group(name, description=f"{name} rules")
    d.ex_authorize_security_group_ingress(web, "tcp", "0.0.0.0/0", 80, 81)
    opened = d.ex_authorize_security_group_ingress(ssh, "TCP", ["198.51.100.0/24"], "22")
    (ssh_rule,) = opened.ingress_rules
    assert (ssh_rule.protocol.lower(), ssh_rule.start_port, ssh_rule.end_port) == ("tcp", 22, 22)
    assert ssh_rule.cidr == "198.51.100.0/24"

    log: list[Any] = []
    targets: list[Any] = []

    def connector(target: Any) -> FakeSSH:
        targets.append(target)
        return FakeSSH(log)

    script = ScriptDeployment("#!/bin/sh\nuname -a\n")
    node = d.deploy_node(
        name=unique("basic"),
        size=basic["size"],
        image=basic["image"],
        deploy=script,
        ssh_key=str(key_file),
        location=basic["zone"],
        ex_keyname=pair.name,
        ex_security_groups=[web, ssh],
        ex_ssh_connector=connector,
        wait_period=0.05,
    )
    assert node.state is NodeState.RUNNING
    (target,) = targets
    assert (target.host, target.port, target.username) == (node.public_ips[0], 22, "root")
    assert target.key_files == [str(key_file)]
    assert [entry[0] for entry in log] == ["put", "run", "close"]
    assert script.exit_status == 0 and script.stdout.startswith("Mon Jan")

    # the node as listVirtualMachines reports it
    listed = d.ex_get_node(node.id)
    assert listed.extra["key_name"] == pair.name
    assert sorted(listed.extra["security_group"]) == sorted([web, ssh])
    assert listed.extra["zone_id"] == basic["zone"].id and listed.public_ips == node.public_ips
    assert [n.id for n in d.list_nodes(keypair=pair.name)] == [node.id]
    groups = {g.name: g for g in d.ex_list_security_groups(virtualmachine_id=node.id)}
    assert set(groups) == {web, ssh}
    assert [(r.start_port, r.end_port, r.cidr) for r in groups[web].ingress_rules] == [
        (80, 81, "0.0.0.0/0")
    ]
    assert groups[ssh].ingress_rules[0].id == ssh_rule.id

    d.destroy_node(node, ex_expunge=True)
    assert d.delete_key_pair(pair) is True
    for name in (web, ssh):
        assert d.ex_delete_security_group(name) is True


def test_import_keypair_deprecated_names(d: Any, tmp_path: Path) -> None:
    """Libcloud's ex_import_keypair (file) and ex_import_keypair_from_string: the fingerprint is
    the key's, the pair is listed afterwards, both warn."""
    expected = md5_fingerprint(PUBKEY)
    key_file = tmp_path / "id.pub"
    key_file.write_text(PUBKEY + "\n")
    from_string, from_file = unique("str"), unique("file")
    with pytest.warns(DeprecationWarning, match="import_key_pair_from_string"):
        pair = d.ex_import_keypair_from_string(from_string, PUBKEY)
    assert (pair.name, pair.fingerprint) == (from_string, expected)
    with pytest.warns(DeprecationWarning, match="import_key_pair_from_file"):
        other = d.ex_import_keypair(from_file, str(key_file))
    assert (other.name, other.fingerprint) == (from_file, expected)
    listed = {p.name: p.fingerprint for p in d.list_key_pairs()}
    assert listed[from_string] == listed[from_file] == expected
    assert d.get_key_pair(from_file).fingerprint == expected
    with pytest.raises(CloudStackApiError, match="already exists"):
        d.import_key_pair_from_string(from_string, PUBKEY)
    with pytest.raises(CloudStackApiError, match="invalid"):
        d.import_key_pair_from_string(unique("bad"), "ssh-ed25519 not-base64!")
    for name in (from_string, from_file):
        assert d.delete_key_pair(d.get_key_pair(name)) is True


def test_ex_delete_keypair_passes_its_kwargs(d: Any, sim: Sim) -> None:
    """``account=``/``domain_id=`` reach deleteSSHKeyPair: without them the admin's own account
    is searched and the pair (alice's) is not found."""
    name = unique("alice")
    created = d.create_key_pair(name, account="alice")
    assert created.private_key
    assert name in {p.name for p in d.list_key_pairs(account="alice")}
    domain = sim.state.account_by_name("alice")["domainid"]
    with pytest.warns(DeprecationWarning), pytest.raises(CloudStackApiError, match="admin"):
        d.ex_delete_keypair(name)
    with pytest.warns(DeprecationWarning):
        assert d.ex_delete_keypair(name, account="alice", domain_id=domain) is True
    assert name not in {p.name for p in d.list_key_pairs(account="alice")}


def test_security_group_duplicate_check_is_exact(d: Any) -> None:
    """Creating ``web`` while ``web-2`` exists works; a second ``web`` is refused."""
    base = unique("web")
    longer = d.ex_create_security_group(f"{base}-2")
    shorter = d.ex_create_security_group(base)
    assert (longer.name, shorter.name) == (f"{base}-2", base) and longer.id != shorter.id
    with pytest.raises(ValidationError, match="already exists"):
        d.ex_create_security_group(base)
    for name in (base, f"{base}-2"):
        assert d.ex_delete_security_group(name) is True


# -- what is refused before any request -------------------------------------------------------
def test_create_node_refuses_auth_cloudstack_cannot_apply(counted: Any) -> None:
    """CloudStack takes key pairs by name (``ex_keyname``) and generates passwords itself: a
    NodeAuthSSHKey or NodeAuthPassword is refused, with no request sent."""
    driver, transport = counted
    size, image = type("S", (), {"id": "x"})(), type("I", (), {"id": "y"})()
    with pytest.raises(ValidationError, match="cannot inject an SSH key"):
        driver.create_node("n", size, image, auth=NodeAuthSSHKey(PUBKEY))
    with pytest.raises(ValidationError, match="cannot set a password"):
        driver.create_node("n", size, image, auth=NodeAuthPassword("hunter2"))
    with pytest.raises(ValidationError, match="cannot inject an SSH key"):
        driver.deploy_node(
            name="n", size=size, image=image, deploy=ScriptDeployment("true"),
            auth=NodeAuthSSHKey(PUBKEY),
        )  # fmt: skip
    assert transport.commands == []


def test_deploy_node_refuses_when_it_cannot_log_in(counted: Any) -> None:
    """A driver that neither takes nor generates credentials cannot run a Deployment without
    ``ssh_key=``/``auth=``: refused before a node is created."""
    driver, transport = counted
    core = driver.driver if isinstance(driver, Blocking) else driver
    core.features = {"create_node": []}
    size, image = type("S", (), {"id": "x"})(), type("I", (), {"id": "y"})()
    with pytest.raises(ValidationError, match="needs auth=, ssh_key="):
        driver.deploy_node(name="n", size=size, image=image, deploy=ScriptDeployment("true"))
    assert transport.commands == []


def test_security_group_check_ignores_loose_server_matches(stub: Any) -> None:
    """Against a stub server: the simulator (like CloudStack) filters ``securitygroupname``
    exactly, so only a server that answers loosely (``web-2`` for ``web``) shows that the
    client-side compare is exact too (the anchor matched substrings and refused ``web``)."""
    from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
    from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, ok

    loose = {"id": "sg-2", "name": "web-2", "ingressrule": [], "egressrule": []}
    created = {"id": "sg-1", "name": "web", "ingressrule": [], "egressrule": []}
    stub.handle(
        FakeCloudStack(
            listSecurityGroups=lambda seen: ok(
                "listSecurityGroups", {"count": 1, "securitygroup": [loose]}
            ),
            createSecurityGroup=lambda seen: ok("createSecurityGroup", {"securitygroup": created}),
        )
    )
    with CloudStackNodeDriver(KEY, SECRET, url=f"{stub.url}/client/api") as driver:
        assert driver.ex_create_security_group("web").id == "sg-1"
        with pytest.raises(ValidationError, match="'web-2' already exists"):
            driver.ex_create_security_group("web-2")
    assert [s.params["command"] for s in stub.requests].count("createSecurityGroup") == 1


def test_copy_image_is_not_supported(d: Any) -> None:
    """CloudStack has no cross-region image copy: the base contract's NotSupportedError."""
    from omnicloud.errors import NotSupportedError

    image = d.list_images()[0]
    with pytest.raises(NotSupportedError, match="copy_image"):
        d.copy_image("elsewhere", image, "copy")
