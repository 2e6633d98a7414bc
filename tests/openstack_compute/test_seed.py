"""The issue's seed example, with only the import changed, against the simulator; and
Libcloud's own OpenStack driver talking to the same simulator."""

from __future__ import annotations

import anyio

from omnicloud.compute.drivers.openstack import OpenStackNodeDriver
from omnicloud.compute.types import NodeState

from .conftest import OsSim, cirros, tiny


def test_seed_example_with_keystone_v2(os_sim: OsSim) -> None:
    from omnicloud.compute.providers import get_driver
    from omnicloud.compute.types import Provider

    cls = get_driver(Provider.OPENSTACK)
    driver = cls(
        "admin",
        os_sim.state.password,
        ex_force_auth_url=os_sim.identity,
        ex_force_auth_version="2.0_password",
        ex_tenant_name="demo",
    )
    with driver:
        sizes = driver.list_sizes()
        nodes = driver.list_nodes()
        assert {"m1.tiny", "m1.small"} <= {s.name for s in sizes}
        tiny = next(s for s in sizes if s.name == "m1.tiny")
        assert (tiny.ram, tiny.disk, tiny.extra["vcpus"]) == (512, 1, 1)
        assert isinstance(nodes, list)
        assert driver.session.settings is not None
        assert driver.session.settings.version == "2.0_password"


def test_seed_example_with_keystone_v3(os_sim: OsSim) -> None:
    from omnicloud.compute.providers import get_driver
    from omnicloud.compute.types import Provider

    cls = get_driver(Provider.OPENSTACK)
    driver = cls(
        "admin",
        os_sim.state.password,
        ex_force_auth_url=f"{os_sim.identity}/v3",
        ex_force_auth_version="3.x_password",
        ex_tenant_name="demo",
        ex_domain_name="Default",
        ex_force_service_region="RegionOne",
    )
    with driver:
        assert any(s.name == "m1.small" for s in driver.list_sizes())
        before = {n.id for n in driver.list_nodes()}
        size = next(s for s in driver.list_sizes() if s.name == "m1.tiny")
        image = next(i for i in driver.list_images() if i.name.startswith("cirros"))
        node = driver.create_node("seed-v3", size, image)
        assert node.id not in before and node.extra["password"]
        assert node.id in {n.id for n in driver.list_nodes()}
        assert driver.destroy_node(node) is True


def test_async_driver_from_the_registry(os_sim: OsSim) -> None:
    import omnicloud.aio

    cls = omnicloud.aio.get_driver("openstack")

    async def go() -> tuple[list[str], NodeState]:
        async with cls("admin", os_sim.state.password, **os_sim.options()) as driver:
            sizes = await driver.list_sizes()
            image = next(i for i in await driver.list_images() if i.name.startswith("cirros"))
            node = await driver.create_node("async-one", sizes[0], image)
            ready = await driver.wait_until_running(
                [node], wait_period=0.02, timeout=20, ssh_interface="private_ips"
            )
            await driver.destroy_node(node)
            return ready[0][1], ready[0][0].state

    ips, state = anyio.run(go)
    assert state is NodeState.RUNNING and ips and ips[0].startswith("10.")


def test_libcloud_driver_talks_to_the_simulator(os_sim: OsSim) -> None:
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import NodeState as LibcloudState
    from libcloud.compute.types import Provider

    cls = get_driver(Provider.OPENSTACK)
    driver = cls(
        "admin",
        os_sim.state.password,
        ex_force_auth_url=os_sim.identity,
        ex_force_auth_version="3.x_password",
        ex_tenant_name="demo",
        ex_domain_name="Default",
        ex_force_service_region="RegionOne",
    )
    sizes = driver.list_sizes()
    assert {"m1.tiny", "m1.small"} <= {s.name for s in sizes}
    images = driver.list_images()
    assert any(i.name.startswith("cirros") for i in images)
    size = next(s for s in sizes if s.name == "m1.tiny")
    image = next(i for i in images if i.name.startswith("cirros"))
    node = driver.create_node(name="from-libcloud", size=size, image=image)
    assert node.name == "from-libcloud"
    listed = {n.id: n for n in driver.list_nodes()}
    assert node.id in listed
    assert listed[node.id].state in (LibcloudState.PENDING, LibcloudState.RUNNING)
    assert driver.destroy_node(node) is True


def test_libcloud_and_omnicloud_see_the_same_servers(
    os_sim: OsSim, driver: OpenStackNodeDriver
) -> None:
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    libcloud = get_driver(Provider.OPENSTACK)(
        "admin",
        os_sim.state.password,
        ex_force_auth_url=os_sim.identity,
        ex_force_auth_version="2.0_password",
        ex_tenant_name="demo",
    )
    made = driver.create_node("seen-by-both", tiny(driver), cirros(driver))
    driver.wait_until_running([made], wait_period=0.02, timeout=20, ssh_interface="private_ips")
    ours = {n.id: n for n in driver.list_nodes() if n.state is not NodeState.TERMINATED}
    theirs = {n.id: n for n in libcloud.list_nodes()}
    assert made.id in ours and made.id in theirs
    assert theirs[made.id].name == ours[made.id].name == "seen-by-both"
    assert theirs[made.id].private_ips == ours[made.id].private_ips
    driver.destroy_node(made)


def test_novas_image_proxy_is_gone_from_microversion_2_36(os_sim: OsSim) -> None:
    import httpx

    token = httpx.post(
        f"{os_sim.identity}/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "admin",
                            "domain": {"name": "Default"},
                            "password": os_sim.state.password,
                        }
                    },
                },
                "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}},
            }
        },
    ).headers["X-Subject-Token"]
    url = f"{os_sim.server.url}/compute/v2.1/images/detail"
    old = httpx.get(url, headers={"X-Auth-Token": token})
    assert old.status_code == 200
    images = old.json()["images"]
    assert any(i["name"].startswith("cirros") and i["status"] == "ACTIVE" for i in images)
    new = httpx.get(url, headers={"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.36"})
    assert new.status_code == 404 and "itemNotFound" in new.json()
