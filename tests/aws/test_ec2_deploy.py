"""``deploy_node`` on EC2 (the compute core's, unchanged): the instance is created with the
key pair, waited for until it runs with a public address (``PublicIpAddress``), and the
deployment runs over the connector given, a stand-in here (moto's instances have no SSH)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from omnicloud.compute import NodeImage, NodeSize, NodeState
from omnicloud.compute.deployment import DeploymentError, ScriptDeployment, SSHTarget
from omnicloud.errors import ValidationError
from tests.aws._ec2_support import AMI, Factory, make, on_moto
from tests.aws.conftest import Moto

__all__ = ["make"]

T3 = NodeSize("t3.micro", "t3.micro", 1024, 0, None, None)


class FakeSSH:
    """A connector and its client: records the target, the files put and the commands run."""

    def __init__(self, status: int = 0) -> None:
        self.targets: list[SSHTarget] = []
        self.commands: list[str] = []
        self.files: dict[str, str | bytes] = {}
        self.status = status

    def __call__(self, target: SSHTarget) -> FakeSSH:
        self.targets.append(target)
        return self

    def put(self, path: str, contents: str | bytes, mode: int = 0o644) -> str:
        self.files[path] = contents
        return path

    def run(self, command: str, timeout: float | None = None) -> tuple[str, str, int]:
        self.commands.append(command)
        return "deployed\n", "", self.status

    def close(self) -> None:
        pass


def test_deploy_node_over_the_public_address(moto: Moto, make: Factory, tmp_path: Any) -> None:
    driver = on_moto(make, moto)
    key = f"deployer-{uuid.uuid4().hex[:8]}"
    driver.create_key_pair(key)
    ssh = FakeSSH()
    script = ScriptDeployment("#!/bin/sh\necho deployed\n")
    node = driver.deploy_node(
        name="deployed", size=T3, image=NodeImage(AMI, ""), deploy=script,
        ssh_username="ec2-user", ssh_key=str(tmp_path / "id.pem"),
        ex_keyname=key, wait_period=0.05, ex_ssh_connector=ssh,
    )  # fmt: skip
    assert node.state is NodeState.RUNNING and node.public_ips
    (target,) = ssh.targets
    assert target.host == node.public_ips[0]
    assert target.username == "ec2-user" and target.key_files == [str(tmp_path / "id.pem")]
    assert script.stdout == "deployed\n" and script.exit_status == 0
    listed = driver.ex_get_node(node.id)
    assert listed.extra["key_name"] == key and listed.name == "deployed"
    assert listed.public_ips == node.public_ips


def test_deploy_failure_names_the_node(moto: Moto, make: Factory) -> None:
    driver = on_moto(make, moto)

    def broken(node: Any, ips: list[str]) -> None:
        raise RuntimeError(f"cannot configure {ips[0]}")

    with pytest.raises(DeploymentError) as caught:
        driver.deploy_node(
            name="broken", size=T3, image=NodeImage(AMI, ""), deploy=broken, wait_period=0.05
        )
    assert caught.value.node.name == "broken"
    assert driver.ex_get_node(caught.value.node.id).state is NodeState.RUNNING
    with pytest.raises(ValidationError, match="auth=, ssh_key="):
        driver.deploy_node(
            name="x", size=T3, image=NodeImage(AMI, ""), deploy=ScriptDeployment("x")
        )


def _public_key(kind: str, comment: str) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return f"{public.decode()} {comment}"


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_auth_imports_the_key_pair_once(moto: Moto, make: Factory, kind: str) -> None:
    from omnicloud.compute import NodeAuthPassword, NodeAuthSSHKey

    driver = on_moto(make, moto)
    comment = f"me-{uuid.uuid4().hex[:8]}"
    public = _public_key(kind, comment)
    first = driver.create_node("a", T3, NodeImage(AMI, ""), auth=NodeAuthSSHKey(public))
    second = driver.create_node("b", T3, NodeImage(AMI, ""), auth=NodeAuthSSHKey(public))
    mine = [p for p in driver.list_key_pairs() if p.name.startswith(comment)]
    assert len(mine) == 1 and mine[0].name.startswith(f"{comment}-")
    assert first.extra["key_name"] == second.extra["key_name"] == mine[0].name
    found = driver.ex_find_or_import_keypair_by_key_material(public)
    assert found.name == mine[0].name
    ssh = FakeSSH()
    node = driver.deploy_node(
        name="by-auth", size=T3, image=NodeImage(AMI, ""), deploy=ScriptDeployment("true"),
        auth=NodeAuthSSHKey(public), ssh_username="ubuntu", wait_period=0.05,
        ex_ssh_connector=ssh,
    )  # fmt: skip
    assert driver.ex_get_node(node.id).extra["key_name"] == mine[0].name
    assert ssh.targets[0].host == node.public_ips[0]
    with pytest.raises(ValidationError, match="not both"):
        driver.create_node("c", T3, NodeImage(AMI, ""), auth=NodeAuthSSHKey(public), ex_keyname="x")
    with pytest.raises(ValidationError, match="passwords"):
        driver.create_node("d", T3, NodeImage(AMI, ""), auth=NodeAuthPassword("secret-pw"))
