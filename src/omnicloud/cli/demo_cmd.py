"""``omnicloud demo``: the main job on the embedded default, no account and no configuration.

It starts the CloudStack simulator on a free loopback port, then drives it with the same client a
user would point at a real cloud: discover zones, offerings and templates, deploy several VMs at
once (async client, jobs awaited), list them page by page, stop and destroy them, and report.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

__all__ = ["demo"]


def _say(text: str) -> None:
    click.echo(text)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
    _say("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        _say("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns).rstrip())


async def _deploy_all(
    endpoint: str, key: str, secret: str, spec: dict[str, str], names: list[str]
) -> list[dict[str, Any]]:
    import anyio

    from omnicloud.cloudstack import AsyncCloudStack

    results: list[dict[str, Any]] = []
    async with AsyncCloudStack(endpoint, key, secret, poll_interval=0.1) as client:

        async def deploy(name: str) -> None:
            job = await client.deployVirtualMachine(name=name, fetch_result=True, **spec)
            vm = job["virtualmachine"]
            results.append(vm)
            _say(f"  deployed {vm['name']:<8} {vm['id']}  state={vm['state']}")

        async with anyio.create_task_group() as group:
            for name in names:
                group.start_soon(deploy, name)
    return results


@click.command()
@click.option(
    "--count",
    default=5,
    show_default=True,
    type=click.IntRange(1, 500),
    help="How many virtual machines to deploy at once.",
)
def demo(count: int) -> None:
    """Run the main job against the built-in CloudStack simulator (no account needed)."""
    import anyio

    from omnicloud.cloudstack import CloudStack
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    started = time.monotonic()
    state = CloudStackState()
    key, secret = state.credentials("admin")
    with serve_in_thread(create_app(state, config=SimConfig(job_latency=0.2))) as server:
        endpoint = f"{server.url}/client/api"
        _say(f"CloudStack simulator listening on {endpoint}")
        with CloudStack(endpoint, key, secret) as cs:
            zones = cs.listZones(fetch_list=True)
            offerings = cs.listServiceOfferings(fetch_list=True)
            templates = cs.listTemplates(templatefilter="executable", fetch_list=True)
            _say(
                f"Found {len(zones)} zones, {len(offerings)} service offerings, "
                f"{len(templates)} templates"
            )
            zone = (
                next(z for z in zones if z.get("networktype") == "Basic")
                if any(z.get("networktype") == "Basic" for z in zones)
                else zones[0]
            )
            offering = next(o for o in offerings if not o.get("iscustomized"))
            template = next(t for t in templates if t.get("zoneid") in (None, zone["id"]))
            spec = {
                "zoneid": zone["id"],
                "serviceofferingid": offering["id"],
                "templateid": template["id"],
            }
            _say(
                f"Deploying {count} VMs in {zone['name']} ({offering['name']}, "
                f"{template['name']}) concurrently..."
            )
            names = [f"demo-{i + 1}" for i in range(count)]
            deploy_started = time.monotonic()
            vms = anyio.run(_deploy_all, endpoint, key, secret, spec, names)
            deploy_seconds = time.monotonic() - deploy_started
            listed = [vm for vm in cs.iterate("listVirtualMachines") if vm["name"] in names]
            _say("")
            _table(
                sorted(listed, key=lambda vm: vm["name"]),
                ["name", "state", "zonename", "serviceofferingname", "id"],
            )
            _say("")
            for vm in vms:
                cs.stopVirtualMachine(id=vm["id"], fetch_result=True)
                cs.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
            remaining = [vm for vm in cs.iterate("listVirtualMachines") if vm["name"] in names]
    _say(
        f"Deployed {len(vms)} VMs concurrently in {deploy_seconds:.2f} s, listed "
        f"{len(listed)}, stopped and destroyed them ({len(remaining)} left). "
        f"Total {time.monotonic() - started:.2f} s."
    )
    if remaining or len(listed) != count:
        sys.exit(1)
