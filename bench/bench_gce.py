"""Compute Engine: instance listing and concurrent creation on the GCE simulator.

One GCE simulator runs in a process of its own (``serve`` below: in-memory state, operations
DONE at once, ``--instances`` running instances seeded as copies of one created through the
API). Its service-account key file is written for the clients.

1. Listing ``--instances`` (2,000) instances: omnicloud's ``list_nodes()`` sync and async (the
   aggregated list, 500 per page) vs google-cloud-compute's
   ``InstancesClient.aggregated_list(max_results=500)`` (every instance of every scope). Each
   client runs in a fresh process that warms up once (imports, token, connection), then lists
   ``--listings`` times; client CPU is ``time.process_time()`` around each listing (median).
2. ``--creations`` (100) concurrent creations, each waited on until its operation is DONE:
   omnicloud's async driver (``asyncio.gather`` of ``create_node``, which polls the zone
   operation) vs google-cloud-compute in ``--threads`` threads (``insert`` then
   ``ZoneOperationsClient.wait``: the SDK's own ``result()`` polls the public endpoint, see
   /work/shared/research/gce-azure-sdks.md). Wall time and client CPU (the whole process).

Libcloud's GCE driver is not measured: it cannot be pointed at a loopback server. Its token
request goes to the fixed host ``accounts.google.com`` and path ``/o/oauth2/token`` (with that
URL as the JWT audience) and its API connection to the fixed HTTPS host ``www.googleapis.com``;
``host=``/``port=``/``secure=`` clash with its own constructor arguments.

    .venv/bin/python -m bench.bench_gce [--instances 2000] [--creations 100] [--threads 16]

Writes ``bench/results/gce.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench._harness import PYTHON, ROOT, log, markdown, pick, ratio, save, versions

PACKAGES = ("omnicloud", "google-cloud-compute", "google-auth", "google-api-core", "requests")


# ---------------------------------------------------------------------------------- simulator
def serve(instances: int, key_dir: str) -> None:
    """Child process: the simulator with ``instances`` running instances; prints
    ``{"url", "key", "project", "zone"}`` and serves until stdin closes."""
    from omnicloud.compute.drivers.gce import GCENodeDriver
    from omnicloud.sim.gce import GceState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread

    state = GceState()
    with serve_in_thread(create_app(state, config=SimConfig(operation_latency=0.0))) as server:
        key = state.write_key_file(Path(key_dir) / "key.json", f"{server.url}/token")
        if instances:
            with GCENodeDriver(None, str(key), datacenter=state.zone, endpoint=server.url) as d:
                first = d.create_node("seed-00000", "e2-micro", "debian-12")
            scope = f"zones/{state.zone}"
            template = state.store.get("instance", scope, first.name)
            assert template is not None
            for number in range(1, instances):
                doc = json.loads(json.dumps(template))
                name = f"seed-{number:05d}"
                doc.update(name=name, id=str(10**15 + number))
                doc["selfLink"] = str(doc.get("selfLink", "")).replace(first.name, name)
                state.store.put("instance", scope, doc)
        info = {"url": server.url, "key": str(key), "project": state.project, "zone": state.zone}
        print(json.dumps(info), flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def simulator(instances: int) -> Iterator[dict[str, Any]]:
    """The simulator process and its connection details."""
    with tempfile.TemporaryDirectory(prefix="bench-gce-") as key_dir:
        process = subprocess.Popen(
            [PYTHON, "-m", "bench.bench_gce", "--serve", str(instances), key_dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the GCE simulator did not start")
            yield json.loads(line)
        finally:
            if process.stdin:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


# ---------------------------------------------------------------------------------- children
SDK_SETUP = """
from google.cloud import compute_v1
from google.oauth2 import service_account
creds = service_account.Credentials.from_service_account_file(
    KEY, scopes=["https://www.googleapis.com/auth/compute"])
OPTS = {"api_endpoint": URL}
instances = compute_v1.InstancesClient(credentials=creds, client_options=OPTS)
"""

LIST_CLIENTS = {
    "omnicloud list_nodes (sync)": """
from omnicloud.compute.drivers.gce import GCENodeDriver
driver = GCENodeDriver(None, KEY, datacenter=ZONE, endpoint=URL)
run = lambda: driver.list_nodes()
""",
    "omnicloud list_nodes (async)": """
import asyncio
from omnicloud.compute.drivers.gce import AsyncGCENodeDriver
loop = asyncio.new_event_loop()
driver = AsyncGCENodeDriver(None, KEY, datacenter=ZONE, endpoint=URL)
run = lambda: loop.run_until_complete(driver.list_nodes())
""",
    "google-cloud-compute aggregated_list": SDK_SETUP
    + """
def run():
    pages = instances.aggregated_list(request={"project": PROJECT, "max_results": 500})
    return [i for _scope, scoped in pages for i in scoped.instances]
""",
}
LIST_BASE = "google-cloud-compute aggregated_list"

LIST_CHILD = """
import gc, json, sys, time
URL, KEY, PROJECT, ZONE = sys.argv[1:5]
LISTINGS = int(sys.argv[5])
{setup}
run()  # warm: imports, token, connection
cpus = []
for _ in range(LISTINGS):
    gc.collect()
    start = time.process_time()
    count = len(run())
    cpus.append(time.process_time() - start)
cpus.sort()
print(json.dumps({{"cpu": cpus[len(cpus) // 2], "count": count}}))
"""

CREATE_CLIENTS = {
    "omnicloud create_node (async gather)": """
import asyncio
from omnicloud.compute.drivers.gce import AsyncGCENodeDriver
async def main():
    async with AsyncGCENodeDriver(None, KEY, datacenter=ZONE, endpoint=URL,
                                  poll_interval=0.05) as driver:
        await driver.list_locations()  # warm: token, connection
        image = await driver.ex_get_image("debian-12")
        start, wall = time.process_time(), time.perf_counter()
        made = await asyncio.gather(*(driver.create_node(f"{PREFIX}-{i:03d}", "e2-micro", image)
                                      for i in range(COUNT)))
        return len(made), time.process_time() - start, time.perf_counter() - wall
count, cpu, wall = asyncio.run(main())
""",
    "google-cloud-compute insert + wait (threads)": SDK_SETUP
    + """
from concurrent.futures import ThreadPoolExecutor
ops = compute_v1.ZoneOperationsClient(credentials=creds, client_options=OPTS)
DONE = compute_v1.Operation.Status.DONE
next(iter(instances.list(request={"project": PROJECT, "zone": ZONE, "max_results": 1})), None)
def create(i):
    body = compute_v1.Instance(
        name=f"{PREFIX}-{i:03d}", machine_type=f"zones/{ZONE}/machineTypes/e2-micro",
        disks=[compute_v1.AttachedDisk(boot=True, auto_delete=True,
            initialize_params=compute_v1.AttachedDiskInitializeParams(
                source_image="projects/debian-cloud/global/images/family/debian-12"))],
        network_interfaces=[compute_v1.NetworkInterface(
            network="global/networks/default",
            access_configs=[compute_v1.AccessConfig(name="External NAT", type_="ONE_TO_ONE_NAT")])])
    op = instances.insert(project=PROJECT, zone=ZONE, instance_resource=body)
    while ops.wait(project=PROJECT, zone=ZONE, operation=op.name).status != DONE:
        pass
    return instances.get(project=PROJECT, zone=ZONE, instance=f"{PREFIX}-{i:03d}")
start, wall = time.process_time(), time.perf_counter()
with ThreadPoolExecutor(THREADS) as pool:
    count = len(list(pool.map(create, range(COUNT))))
cpu, wall = time.process_time() - start, time.perf_counter() - wall
""",
}
CREATE_BASE = "google-cloud-compute insert + wait (threads)"

CREATE_CHILD = """
import json, sys, time
URL, KEY, PROJECT, ZONE, PREFIX = sys.argv[1:6]
COUNT, THREADS = int(sys.argv[6]), int(sys.argv[7])
{setup}
print(json.dumps({{"count": count, "cpu": cpu, "wall": wall}}))
"""


def _child(code: str, args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [PYTHON, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--instances", type=int, default=pick(2000, 500))
    parser.add_argument("--listings", type=int, default=pick(5, 3))
    parser.add_argument("--creations", type=int, default=pick(100, 30))
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--serve", nargs=2, metavar=("INSTANCES", "KEY_DIR"))
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return
    listing: dict[str, Any] = {}
    creation: dict[str, Any] = {}
    with simulator(args.instances) as sim:
        base = [sim["url"], sim["key"], sim["project"], sim["zone"]]
        for name, setup in LIST_CLIENTS.items():
            log(f"gce: {name}")
            listing[name] = _child(LIST_CHILD.format(setup=setup), [*base, str(args.listings)])
        for number, (name, setup) in enumerate(CREATE_CLIENTS.items()):
            log(f"gce: {name}")
            code = CREATE_CHILD.format(setup=setup)
            extra = [f"made{number}", str(args.creations), str(args.threads)]
            creation[name] = _child(code, [*base, *extra])
    rows = []
    for name, found in listing.items():
        per = found.get("cpu", 0) / max(found.get("count", 0), 1) * 1e6
        base_found = listing.get(LIST_BASE, {})
        base_per = base_found.get("cpu", 0) / max(base_found.get("count", 0), 1) * 1e6
        rows.append(
            [name, found.get("count", found.get("error")), f"{per:,.1f}", ratio(per, base_per)]
        )
    print(f"## Compute Engine: listing {args.instances:,} instances\n")
    print(markdown(["client", "instances", "client CPU µs/instance", "vs SDK"], rows))
    rows = []
    for name, found in creation.items():
        count = max(found.get("count", 0), 1)
        base_found = creation.get(CREATE_BASE, {})
        base_cpu = base_found.get("cpu", 0) / max(base_found.get("count", 0), 1)
        rows.append(
            [
                name,
                found.get("count", found.get("error")),
                f"{found.get('wall', 0):.2f}",
                f"{found.get('cpu', 0) / count * 1e3:,.2f}",
                ratio(found.get("cpu", 0) / count, base_cpu),
            ]
        )
    print(f"\n## Compute Engine: {args.creations} concurrent creations (until DONE)\n")
    print(markdown(["client", "created", "wall s", "client CPU ms/instance", "vs SDK"], rows))
    print("\nLibcloud's GCE driver: not measured (fixed Google hosts, see the module docstring).")
    save(
        "gce",
        {
            "versions": versions(*PACKAGES),
            "instances": args.instances,
            "creations": args.creations,
            "threads": args.threads,
            "listing": listing,
            "creation": creation,
        },
    )


if __name__ == "__main__":
    main()
