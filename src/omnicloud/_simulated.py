"""The built-in clouds: a driver class connected to an in-process simulator.

Named by the ``simulators`` of :mod:`omnicloud._table` entries and imported only when a simulator
profile (``local``, ``local-sigma``, a profile of kind ``openstack-sim``) is used, so
``connect()`` to a real cloud never loads :mod:`omnicloud.sim`. State is kept in the user data
directory.
"""

from __future__ import annotations

from omnicloud._connect import data_dir

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from omnicloud.config import Profile

__all__ = [
    "local_azure",
    "local_cloudsigma",
    "local_cloudstack",
    "local_gce",
    "local_openstack",
    "local_openstack_swift",
]


def _transport(app: Any, asynchronous: bool) -> Any:
    from omnicloud.sim.transport import AsyncInProcessTransport, InProcessTransport

    return AsyncInProcessTransport(app) if asynchronous else InProcessTransport(app)


def local_cloudstack(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` (CloudStack compute or load balancer) on the built-in CloudStack simulator."""
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app

    state = CloudStackState(data_dir() / "local-cloudstack.db")
    key, secret = state.credentials("admin")
    app = create_app(state, config=SimConfig(job_latency=0.05))
    return driver(
        key,
        secret,
        url="http://local.omnicloud/client/api",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )


def local_cloudsigma(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` on the built-in CloudSigma simulator."""
    from omnicloud.sim.cloudsigma import CloudSigmaState, create_app

    state = CloudSigmaState(data_dir() / "local-cloudsigma.db")
    app = create_app(state)
    return driver(
        state.username,
        state.password,
        endpoint="http://127.0.0.1/api/2.0",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )


def local_openstack(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` on the built-in OpenStack simulator (Keystone v3, Nova, Glance, Neutron,
    Cinder), as its admin in project ``demo``."""
    from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app

    state = OpenStackState(data_dir() / "local-openstack.db")
    app = create_app(state, config=SimConfig())
    made = driver(
        "admin",
        state.password,
        ex_force_auth_url="http://127.0.0.1/identity/v3",
        ex_tenant_name="demo",
        ex_domain_name="Default",
        ex_force_service_region="RegionOne",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )
    made.ex_simulated = True  # its addresses exist nowhere: deploy_node will not try SSH
    return made


def local_openstack_swift(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` (Swift) on the built-in OpenStack simulator's object store, as its admin in
    project ``demo``: the same state as :func:`local_openstack` (objects beside it, in
    ``local-openstack.db.swift``)."""
    from omnicloud.http import HttpConfig
    from omnicloud.sim.openstack import OpenStackState, SimConfig, create_app

    state = OpenStackState(data_dir() / "local-openstack.db")
    app = create_app(state, config=SimConfig())
    transport = _transport(app, asynchronous)
    return driver(
        "admin",
        state.password,
        ex_force_auth_url="http://127.0.0.1/identity/v3",
        ex_force_auth_version="3.x_password",
        ex_tenant_name="demo",
        ex_domain_name="Default",
        ex_force_service_region="RegionOne",
        http=HttpConfig(transport=transport, async_transport=transport),
    )


def local_gce(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` on the built-in Compute Engine simulator, with its service account's key
    (tokens from the simulator's ``/token``), in its project and default zone."""
    from omnicloud.sim.gce import GceState, SimConfig, create_app

    state = GceState(data_dir() / "local-gce.db")
    app = create_app(state, config=SimConfig())
    made = driver(
        state.client_email,
        state.service_account_info("http://local.gce/token"),
        datacenter=state.zone,
        endpoint="http://local.gce",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )
    made.ex_simulated = True  # its addresses exist nowhere: deploy_node will not try SSH
    return made


def local_azure(driver: type[Any], profile: Profile, asynchronous: bool) -> Any:
    """``driver`` on the built-in Azure simulator (identity and Resource Manager), as its
    service principal, in its resource group and location."""
    from omnicloud.sim.azure import AzureState, SimConfig, create_app

    state = AzureState(data_dir() / "local-azure.db")
    app = create_app(state, config=SimConfig(operation_latency=0.05, retry_after=0))
    made = driver(
        state.tenant_id,
        state.subscription_id,
        state.client_id,
        state.client_secret,
        region=state.location,
        ex_resource_group=state.resource_group,
        endpoint="http://local.azure",
        ex_authority="http://local.azure",
        poll_interval=0.05,
        transport=_transport(app, asynchronous),
    )
    made.ex_simulated = True  # its addresses exist nowhere: deploy_node will not try SSH
    return made
