"""Azure Resource Manager: VM listing and concurrent VM creation on the Azure simulator (HTTPS).

1. ``--vms`` (2,000) VMs listed from one simulator (``omnicloud sim serve azure`` in a process
   of its own, over TLS with its self-signed CA, on a state file seeded beforehand through the
   API in-process). Clients, each run in a fresh process: omnicloud's driver ``list_nodes()``
   sync and async (VMs with ``$expand=instanceView``, plus every NIC and public IP, to fill in
   states and addresses) and azure-mgmt-compute ``list(virtual_machines.list_all())`` (VMs
   only: no power state, no addresses). Every run warms up (imports, token, connection) then
   lists; client CPU is ``time.process_time()`` around the listing.

   Libcloud's ``AzureNodeDriver`` is left out by default: a custom ``cloud_environment`` can
   name the simulator's host, but Libcloud keeps only the host name of both URLs and always
   connects to port 443 (``libcloud/common/azure_arm.py``), and binding 443 needs privileges
   this benchmark should not ask for. ``--libcloud`` tries it anyway (for a simulator put
   behind 443 some other way).
2. ``--creations`` (100) concurrent VM creations, each on a network interface made before the
   timed span: omnicloud's async driver (``asyncio.gather`` of ``create_node(ex_nic=...)``,
   following each long-running operation to its end) vs azure-mgmt-compute
   (``begin_create_or_update(...).result()`` on ``--threads`` threads sharing one client).
   Both wait until Azure reports ``Succeeded``. The VMs are deleted after the timed span.

    .venv/bin/python -m bench.bench_azure [--vms 2000] [--creations 100] [--repeat 3]

Writes ``bench/results/azure.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench._harness import PYTHON, compare, log, markdown, pick, save, versions
from bench._servers import free_port, wait_port

SIZE = "Standard_B1ls"
IMAGE = ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "latest")
NETWORK = "bench-vnet"


# -- the simulator --------------------------------------------------------------------------
def seed(state_path: Path, vms: int) -> dict[str, str]:
    """``vms`` VMs (on one network, no public IPs) made through the API, in-process."""
    from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver
    from omnicloud.sim.azure import AzureState, SimConfig, create_app
    from omnicloud.sim.transport import AsyncInProcessTransport

    state = AzureState(state_path)
    app = create_app(state, config=SimConfig(operation_latency=0.0, retry_after=0))
    info = {
        "tenant": state.tenant_id,
        "subscription": state.subscription_id,
        "client": state.client_id,
        "secret": state.client_secret,
        "group": state.resource_group,
        "location": state.location,
    }

    async def make() -> None:
        async with AsyncAzureNodeDriver(
            info["tenant"],
            info["subscription"],
            info["client"],
            info["secret"],
            region=info["location"],
            ex_resource_group=info["group"],
            endpoint="http://sim",
            ex_authority="http://sim",
            poll_interval=0.001,
            transport=AsyncInProcessTransport(app),
        ) as driver:
            await driver.ex_create_network(
                NETWORK, address_prefixes=["10.0.0.0/8"], subnets={"default": "10.0.0.0/12"}
            )
            image = ":".join(IMAGE)
            for start in range(0, vms, 50):
                await asyncio.gather(
                    *(
                        driver.create_node(
                            f"seed-{i:05d}", SIZE, image, ex_network=NETWORK, ex_public_ip=False
                        )
                        for i in range(start, min(start + 50, vms))
                    )
                )
                log(f"seeded {min(start + 50, vms)}/{vms} VMs")

    asyncio.run(make())
    state.close()
    return info


@contextlib.contextmanager
def simulator(state_path: Path, latency: float) -> Iterator[tuple[str, Path]]:
    """``(url, ca_file)`` of ``omnicloud sim serve azure`` on the seeded state."""
    from omnicloud.sim.azure import ensure_certificate

    cert, _key = ensure_certificate(state_path.parent)
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "omnicloud",
            "sim",
            "serve",
            "azure",
            "--port",
            str(port),
            "--state",
            str(state_path),
            "--latency",
            str(latency),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_port(port)
        yield f"https://127.0.0.1:{port}", cert
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- clients (each run in a process of its own) -----------------------------------------------
def _omnicloud(info: dict[str, str], url: str, ca: str, asynchronous: bool) -> Any:
    from omnicloud.compute.drivers.azure_arm import AsyncAzureNodeDriver, AzureNodeDriver

    cls = AsyncAzureNodeDriver if asynchronous else AzureNodeDriver
    return cls(
        info["tenant"],
        info["subscription"],
        info["client"],
        info["secret"],
        region=info["location"],
        ex_resource_group=info["group"],
        endpoint=url,
        ex_authority=url,
        verify=ca,
        poll_interval=1.0,
    )


def _sdk(info: dict[str, str], url: str, ca: str) -> tuple[Any, Any]:
    from azure.identity import ClientSecretCredential
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient

    credential = ClientSecretCredential(
        info["tenant"],
        info["client"],
        info["secret"],
        authority=url,
        disable_instance_discovery=True,
        connection_verify=ca,
    )
    options = {"base_url": url, "connection_verify": ca, "polling_interval": 1}
    return (
        ComputeManagementClient(credential, info["subscription"], **options),
        NetworkManagementClient(credential, info["subscription"], **options),
    )


def _libcloud(info: dict[str, str], url: str, ca: str) -> Any:
    import libcloud.security
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    libcloud.security.CA_CERTS_PATH = ca
    environment = {
        "resourceManagerEndpointUrl": url + "/",
        "activeDirectoryEndpointUrl": url + "/",
        "activeDirectoryResourceId": "https://management.azure.com/",
        "storageEndpointSuffix": "core.windows.net",
    }
    return get_driver(Provider.AZURE_ARM)(
        info["tenant"],
        info["subscription"],
        info["client"],
        info["secret"],
        region=info["location"],
        cloud_environment=environment,
    )


def client_list(name: str, info: dict[str, str], url: str, ca: str) -> dict[str, Any]:
    if name.startswith("omnicloud"):
        asynchronous = name.endswith("async")
        driver = _omnicloud(info, url, ca, asynchronous)
        if asynchronous:

            async def go() -> int:
                async with driver:
                    await driver.ex_list_resource_groups()  # warm-up: token, connection
                    return await timed(driver.list_nodes())

            return asyncio.run(go())
        with driver:
            driver.ex_list_resource_groups()
            return measured(driver.list_nodes)
    if name == "azure-mgmt-compute":
        compute, _network = _sdk(info, url, ca)
        list(compute.virtual_machines.list(info["group"], filter="name eq 'none'"))  # warm-up
        return measured(lambda: list(compute.virtual_machines.list_all()))
    driver = _libcloud(info, url, ca)
    driver.list_locations()
    return measured(driver.list_nodes)


def measured(call: Any) -> dict[str, Any]:
    """Wall and CPU time of ``call()``, and how many items it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = call()
    return {
        "count": len(found),
        "span": time.perf_counter() - wall,
        "client_cpu": time.process_time() - cpu,
    }


async def timed(pending: Any) -> dict[str, Any]:
    """:func:`measured` for an awaitable."""
    wall, cpu = time.perf_counter(), time.process_time()
    found = await pending
    return {
        "count": len(found),
        "span": time.perf_counter() - wall,
        "client_cpu": time.process_time() - cpu,
    }


def _nics(info: dict[str, str], url: str, ca: str, prefix: str, count: int) -> list[str]:
    """``count`` network interfaces made (untimed) with omnicloud, for either client."""
    driver = _omnicloud(info, url, ca, asynchronous=True)

    async def go() -> list[str]:
        async with driver:
            subnet = (await driver.ex_list_subnets(NETWORK))[0]
            made = await asyncio.gather(
                *(
                    driver.ex_create_network_interface(f"{prefix}-{i}-nic", subnet)
                    for i in range(count)
                )
            )
            return [nic.id for nic in made]

    return asyncio.run(go())


def client_create(
    name: str, info: dict[str, str], url: str, ca: str, count: int, threads: int
) -> dict[str, Any]:
    prefix = f"b{os.getpid()}"
    nics = _nics(info, url, ca, prefix, count)
    image = ":".join(IMAGE)
    if name == "omnicloud-async":
        driver = _omnicloud(info, url, ca, asynchronous=True)

        async def go() -> tuple[float, float]:
            async with driver:
                await driver.ex_list_resource_groups()
                wall, cpu = time.perf_counter(), time.process_time()
                nodes = await asyncio.gather(
                    *(
                        driver.create_node(f"{prefix}-{i}", SIZE, image, ex_nic=nic)
                        for i, nic in enumerate(nics)
                    )
                )
                spent = time.perf_counter() - wall, time.process_time() - cpu
                await asyncio.gather(*(driver.destroy_node(n) for n in nodes))
                return spent

        wall, cpu = asyncio.run(go())
        return {"count": count, "span": wall, "client_cpu": cpu}
    from concurrent.futures import ThreadPoolExecutor

    compute, _network = _sdk(info, url, ca)
    publisher, offer, sku, version = IMAGE

    def one(index: int) -> str:
        body = {  # the wire shape: this SDK sends a plain dict as it is
            "location": info["location"],
            "properties": {
                "hardwareProfile": {"vmSize": SIZE},
                "storageProfile": {
                    "imageReference": {
                        "publisher": publisher,
                        "offer": offer,
                        "sku": sku,
                        "version": version,
                    }
                },
                "osProfile": {
                    "computerName": f"{prefix}-{index}",
                    "adminUsername": "azureuser",
                    "adminPassword": "Bench-Passw0rd!",
                },
                "networkProfile": {
                    "networkInterfaces": [{"id": nics[index], "properties": {"primary": True}}]
                },
            },
        }
        poller = compute.virtual_machines.begin_create_or_update(
            info["group"], f"{prefix}-{index}", body
        )
        return str(poller.result().name)

    list(compute.virtual_machines.list(info["group"], filter="name eq 'none'"))
    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        names = list(pool.map(one, range(count)))
    spent = time.perf_counter() - wall, time.process_time() - cpu
    with ThreadPoolExecutor(threads) as pool:
        list(
            pool.map(
                lambda n: compute.virtual_machines.begin_delete(info["group"], n).result(), names
            )
        )
    return {"count": count, "span": spent[0], "client_cpu": spent[1]}


# -- the run ----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=pick(2000, 60))
    parser.add_argument("--creations", type=int, default=pick(100, 10))
    parser.add_argument("--threads", type=int, default=pick(32, 10))
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--libcloud", action="store_true", help="also try Libcloud (port 443)")
    parser.add_argument("client", nargs="*")
    args = parser.parse_args()
    if args.client:  # a client process: client KIND NAME INFO_JSON URL CA
        kind, name, info_file, url, ca = args.client
        info = json.loads(Path(info_file).read_text())
        if kind == "list":
            result = client_list(name, info, url, ca)
        else:
            result = client_create(name, info, url, ca, args.creations, args.threads)
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="omnicloud-bench-azure-") as scratch:
        state_path = Path(scratch, "azure.db")
        log(f"seeding {args.vms} VMs")
        info = seed(state_path, args.vms)
        info_file = Path(scratch, "info.json")
        info_file.write_text(json.dumps(info))
        results: dict[str, Any] = {"vms": args.vms, "creations": args.creations}
        with simulator(state_path, args.latency) as (url, ca):
            me = [
                PYTHON,
                "-m",
                "bench.bench_azure",
                "--creations",
                str(args.creations),
                "--threads",
                str(args.threads),
            ]
            listers = ["omnicloud-sync", "omnicloud-async", "azure-mgmt-compute"]
            if args.libcloud:
                listers.append("libcloud")
            listing = compare(
                {n: [*me, "list", n, str(info_file), url, str(ca)] for n in listers},
                repeat=args.repeat,
                warmup=0,
                timeout=900,
                label="list",
            )
            creating = compare(
                {
                    n: [*me, "create", n, str(info_file), url, str(ca)]
                    for n in ("omnicloud-async", "azure-mgmt-compute")
                },
                repeat=args.repeat,
                warmup=0,
                timeout=900,
                label="create",
            )
        rows: list[list[Any]] = []
        for series in [*listing, *creating]:
            kind = "list" if series in listing else "create"
            data = [s.data for s in series.samples]
            if series.error or not data:
                rows.append(
                    [kind, series.name, "failed", "", "", " ".join(series.error.split())[-160:]]
                )
                results[f"{kind}:{series.name}"] = {"error": series.error}
                continue
            wall = sorted(d["span"] for d in data)
            cpu = sorted(d["client_cpu"] for d in data)
            per_vm = cpu[len(cpu) // 2] / max(1, data[0]["count"]) * 1000
            rows.append(
                [
                    kind,
                    series.name,
                    data[0]["count"],
                    f"{wall[len(wall) // 2]:.2f}",
                    f"{per_vm:.3f}",
                    "",
                ]
            )
            results[f"{kind}:{series.name}"] = {"samples": data}
        results["versions"] = versions("azure-mgmt-compute", "azure-identity", "apache-libcloud")
        save("azure", results)
        print("## Azure Resource Manager (simulator over TLS)\n")
        print(
            markdown(
                ["what", "client", "VMs", "timed span s (median)", "client CPU ms per VM", "error"],
                rows,
            )
        )


if __name__ == "__main__":
    sys.exit(main())
