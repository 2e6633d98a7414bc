"""Errors of every service as clear exceptions, secrets kept out of reprs and messages, and the
driver reached through the registry and profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnicloud
from omnicloud.compute.drivers.openstack import (
    OpenStackConflictError,
    OpenStackNodeDriver,
    OpenStackNotFoundError,
    OpenStackQuotaError,
)
from omnicloud.config import Profile
from omnicloud.errors import InvalidCredentialsError, NotFoundError, ValidationError

from .conftest import OsSim, cirros, tiny

MISSING = "00000000-0000-4000-8000-000000000000"


def test_missing_things_are_not_found_with_the_services_words(
    driver: OpenStackNodeDriver,
) -> None:
    with pytest.raises(OpenStackNotFoundError, match=f"Instance {MISSING} could not be found"):
        driver.ex_get_node(MISSING)
    with pytest.raises(NotFoundError, match=f"No image found with ID {MISSING}"):  # Glance text
        driver.get_image(MISSING)
    with pytest.raises(NotFoundError, match="HTTP 404 itemNotFound"):  # Cinder
        driver.ex_get_volume(MISSING)
    with pytest.raises(NotFoundError, match="NetworkNotFound"):  # Neutron
        driver.ex_get_network(MISSING)
    with pytest.raises(NotFoundError):
        driver.get_key_pair("no-such-key")
    with pytest.raises(NotFoundError):
        driver.ex_get_floating_ip("203.0.113.9")


def test_conflicts_are_409_errors(driver: OpenStackNodeDriver) -> None:
    node = driver.create_node("conflicted", tiny(driver), cirros(driver))
    driver.ex_wait_for_state(node, "ACTIVE")
    with pytest.raises(OpenStackConflictError, match="Cannot 'start' instance") as caught:
        driver.start_node(node)
    assert caught.value.status == 409 and caught.value.code == "conflictingRequest"
    driver.destroy_node(node)


def test_quotas_are_clear(os_sim: OsSim, driver: OpenStackNodeDriver) -> None:
    os_sim.config.quotas = {"instances": 0}
    try:
        with pytest.raises(OpenStackQuotaError, match="Quota exceeded for instances") as caught:
            driver.create_node("over", tiny(driver), cirros(driver))
        assert caught.value.status == 403
    finally:
        os_sim.config.quotas = {}
    with pytest.raises(OpenStackQuotaError) as too_big:  # Cinder's 413 for gigabytes
        driver.create_volume(5000, "too-big")
    assert too_big.value.status == 413 and "gigabytes" in str(too_big.value)


def test_bad_requests_say_why(driver: OpenStackNodeDriver) -> None:
    with pytest.raises(omnicloud.errors.ProviderError, match="Invalid key_name provided"):
        driver.create_node("bad-key", tiny(driver), cirros(driver), ex_keyname="nope")
    with pytest.raises(ValidationError, match="key pairs"):
        from omnicloud.compute.base import NodeAuthSSHKey

        driver.create_node("ssh", tiny(driver), cirros(driver), auth=NodeAuthSSHKey("ssh-rsa A"))


def test_secrets_stay_out_of_reprs_and_errors(os_sim: OsSim) -> None:
    password = os_sim.state.password
    with OpenStackNodeDriver("admin", password, **os_sim.options()) as driver:
        node = driver.create_node("secretive", tiny(driver), cirros(driver))
        assert node.extra["password"] and node.extra["password"] not in repr(node)
        assert password not in repr(driver) and password not in repr(driver.session)
        token = driver.session.token
        assert token is not None and token.value not in repr(driver.session)
        driver.destroy_node(node)
    wrong = "not-the-password-4711"
    with OpenStackNodeDriver("admin", wrong, **os_sim.options()) as bad:
        with pytest.raises(InvalidCredentialsError) as caught:
            bad.list_nodes()
        assert wrong not in str(caught.value) and wrong not in repr(bad)


def test_profiles_of_kind_openstack_connect(os_sim: OsSim) -> None:
    profile = Profile(
        "devstack",
        "openstack",
        {
            "username": "admin",
            "password": os_sim.state.password,
            "auth_url": f"{os_sim.identity}/v3",
            "project": "demo",
            "domain": "Default",
            "region": "RegionOne",
        },
        {"interface": "public"},
        "test",
    )
    driver = omnicloud.connect(profile=profile)
    with driver:
        assert isinstance(driver, OpenStackNodeDriver)
        assert any(s.name == "m1.tiny" for s in driver.list_sizes())


def test_the_built_in_openstack_simulator_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path))
    profile = Profile("local-openstack", "openstack-sim", {}, {}, "built-in")
    with omnicloud.connect(profile=profile) as driver:
        assert driver.ex_simulated is True
        seen: list[list[str]] = []
        node = driver.deploy_node(
            "in-process",
            tiny(driver),
            cirros(driver),
            lambda made, ips: seen.append(ips),
            ssh_interface="private_ips",
            wait_period=0.05,
            timeout=20,
        )
        assert seen and seen[0][0].startswith("10.")
        assert node.id in {n.id for n in driver.list_nodes()}
        driver.destroy_node(node)
    assert (tmp_path / "local-openstack.db").exists()


def test_get_driver_names() -> None:
    from omnicloud.compute.providers import get_async_driver, get_driver
    from omnicloud.compute.types import Provider

    assert get_driver(Provider.OPENSTACK) is OpenStackNodeDriver
    assert omnicloud.get_driver("openstack") is OpenStackNodeDriver
    assert get_async_driver("openstack").__name__ == "AsyncOpenStackNodeDriver"
