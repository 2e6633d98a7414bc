"""CloudStack compute against the simulator, side by side with ``cs`` and Libcloud.

1. Listing at scale: 10,000 VMs in the simulator. omnicloud's driver ``list_nodes`` (typed nodes),
   raw client ``fetch_list`` (dicts) and lazy ``iterate`` (dicts consumed one at a time) vs
   ``cs`` ``listVirtualMachines(fetch_list=True)`` vs Libcloud ``list_nodes``, which fetches one
   page only (500 VMs): compare per VM. Each run is a fresh process that lists once to warm up
   (imports, connection) and then ``--listings`` times; client CPU is ``time.process_time()``
   around each listing (median), the simulator runs in a process of its own.
2. Concurrent deploy: 200 VMs at once, every async job taking 1 s. omnicloud's async driver and
   ``cs``'s ``AIOCloudStack`` (``asyncio.gather``), Libcloud in a 20-thread pool (one driver per
   thread: a Libcloud connection is not thread-safe) and Libcloud sequentially. Every client
   polls jobs every ``--poll`` seconds (Libcloud's ``poll_interval`` is set to match). Each run
   gets a fresh simulator, which counts the API requests made during the timed part.
3. The same concurrent deploy on an account whose job history holds ``--history`` finished jobs
   from the last ten minutes (3,000): omnicloud's async driver, whose batched job polls list the
   account's jobs, vs ``cs``, which asks for each job on its own; the simulator counts the jobs
   its listAsyncJobs answers carried.
4. The floor under any aiohttp client (cs's and omnicloud's async driver both use aiohttp):
   as many concurrent GETs as there are VMs, on a fresh pool, against a server that answers at
   once and does nothing else (``bench._servers.null_server``).

    .venv/bin/python -m bench.bench_compute [--vms 10000] [--nodes 200] [--latency 1.0]
        [--history 3000] [--only history]

Writes ``bench/results/compute.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any

from bench import _servers
from bench._harness import (
    PYTHON,
    Series,
    compare,
    failures,
    log,
    markdown,
    pick,
    ratio,
    run_once,
    save,
)

ME = [PYTHON, "-m", "bench.bench_compute"]

LIST_CLIENTS = {
    "omnicloud list_nodes": """
from omnicloud.compute.drivers.cloudstack import CloudStackNodeDriver
driver = CloudStackNodeDriver(KEY, SECRET, url=URL)
run = lambda: driver.list_nodes()
""",
    "omnicloud fetch_list (raw dicts)": """
from omnicloud.cloudstack import CloudStack
client = CloudStack(URL, KEY, SECRET)
run = lambda: client.listVirtualMachines(fetch_list=True)
""",
    "omnicloud iterate (lazy, raw dicts)": """
from omnicloud.cloudstack import CloudStack
client = CloudStack(URL, KEY, SECRET)
run = lambda: sum(1 for _ in client.iterate("listVirtualMachines"))
""",
    "cs fetch_list": """
from cs import CloudStack
client = CloudStack(endpoint=URL, key=KEY, secret=SECRET)
run = lambda: client.listVirtualMachines(fetch_list=True)
""",
    "Libcloud list_nodes (one page)": """
from libcloud.compute.providers import get_driver
driver = get_driver("cloudstack")(KEY, SECRET, url=URL, secure=False)
run = lambda: driver.list_nodes()
""",
}

LIST_CHILD = """
import gc, json, sys, time
URL, KEY, SECRET, LISTINGS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
{setup}
items = run()  # warm-up: imports, connection, first pages
del items
cpus, walls, releases = [], [], []
for _ in range(LISTINGS):
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    items = run()
    cpus.append(time.process_time() - start)
    walls.append(time.perf_counter() - wall)
    count = items if isinstance(items, int) else len(items)
    start = time.process_time()
    del items  # a lazy listing has freed each page already; an eager one frees its result here
    releases.append(time.process_time() - start)
cpus.sort()
walls.sort()
releases.sort()
print(json.dumps({{"cpu": cpus[len(cpus) // 2], "best_cpu": cpus[0],
                  "release_cpu": releases[len(releases) // 2],
                  "list_wall": walls[len(walls) // 2], "count": count}}))
"""

PROFILE_CHILD = """
import cProfile, json, pstats, sys, time
URL, KEY, SECRET = sys.argv[1], sys.argv[2], sys.argv[3]
{setup}
run()  # warm-up
profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the server
profiler.enable()
items = run()
profiler.disable()
stats = pstats.Stats(profiler)
total = sum(row[2] for row in stats.stats.values()) or 1.0
top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]
print(json.dumps({{"count": items if isinstance(items, int) else len(items), "top": [
    {{"function": f"{{name}} ({{file.rsplit('/', 2)[-1] if '/' in file else file}}:{{line}})",
      "self_share": round(row[2] / total, 3)}}
    for (file, line, name), row in top]}}))
"""
PROFILED = (
    "omnicloud fetch_list (raw dicts)",
    "omnicloud iterate (lazy, raw dicts)",
    "omnicloud list_nodes",
    "cs fetch_list",
)

DEPLOYERS = {
    "omnicloud async": "ours",
    "cs AIOCloudStack": "cs",
    "Libcloud, 20 threads": "libcloud-threads",
}
SEQUENTIAL = {"Libcloud sequential": "libcloud-sequential"}
HISTORY_DEPLOYERS = {"omnicloud async": "ours", "cs AIOCloudStack": "cs"}
FLOOR = "aiohttp alone, null server"


# ---------------------------------------------------------------------------------- children
def _reset(url: str) -> None:
    base = url.rsplit("/client/api", 1)[0]
    urllib.request.urlopen(base + "/bench/reset", timeout=30).close()


async def deploy_ours(url: str, key: str, secret: str, nodes: int, poll: float) -> dict:
    from omnicloud.aio import get_driver

    cls = get_driver("cloudstack")
    async with cls(key, secret, url=url, poll_interval=poll) as driver:
        zone = next(z for z in await driver.list_locations() if z.network_type == "Basic")
        size = (await driver.list_sizes())[0]
        image = (await driver.list_images(location=zone))[0]
        _reset(url)
        start, cpu = time.perf_counter(), time.process_time()
        created = await asyncio.gather(
            *(driver.create_node(f"bench-{i}", size, image, location=zone) for i in range(nodes))
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        ids = {node.id for node in created}
    return {"elapsed": elapsed, "deploy_cpu": cpu, "nodes": len(ids)}


async def deploy_cs(url: str, key: str, secret: str, nodes: int, poll: float) -> dict:
    from cs import AIOCloudStack

    async with AIOCloudStack(
        endpoint=url, key=key, secret=secret, fetch_result=True, poll_interval=poll
    ) as client:
        zones = (await client.listZones())["zone"]
        zone = next(z for z in zones if z["networktype"] == "Basic")
        size = (await client.listServiceOfferings())["serviceoffering"][0]
        image = (await client.listTemplates(templatefilter="executable", zoneid=zone["id"]))[
            "template"
        ][0]
        _reset(url)
        start, cpu = time.perf_counter(), time.process_time()
        results = await asyncio.gather(
            *(
                client.deployVirtualMachine(
                    name=f"cs-{i}",
                    zoneid=zone["id"],
                    serviceofferingid=size["id"],
                    templateid=image["id"],
                )
                for i in range(nodes)
            )
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        ids = {r["virtualmachine"]["id"] for r in results}
    return {"elapsed": elapsed, "deploy_cpu": cpu, "nodes": len(ids)}


def deploy_libcloud(url: str, key: str, secret: str, nodes: int, poll: float, threads: int):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from libcloud.compute.providers import get_driver

    cls = get_driver("cloudstack")
    local = threading.local()

    def driver() -> Any:
        if not hasattr(local, "driver"):
            local.driver = cls(key, secret, url=url, secure=False)
            local.driver.connection.poll_interval = poll
        return local.driver

    first = driver()
    zone = next((z for z in first.list_locations() if "Basic" in z.name), None)
    zone = zone or first.list_locations()[0]
    # Libcloud's list_sizes raises KeyError('cpunumber') on a custom offering, which real
    # CloudStack (and the simulator) lists without one: take a fixed offering from the API
    from libcloud.compute.base import NodeSize

    offerings = first._sync_request(command="listServiceOfferings", method="GET")
    fixed = next(o for o in offerings["serviceoffering"] if "cpunumber" in o)
    size = NodeSize(fixed["id"], fixed["name"], fixed["memory"], 0, 0, 0, first)
    image = first.list_images(location=zone)[0]

    def create(index: int) -> str:
        node = driver().create_node(name=f"lc-{index}", size=size, image=image, location=zone)
        return str(node.id)

    _reset(url)
    start, cpu = time.perf_counter(), time.process_time()
    if threads > 1:
        with ThreadPoolExecutor(threads, initializer=driver) as pool:
            ids = set(pool.map(create, range(nodes)))
    else:
        ids = {create(i) for i in range(nodes)}
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"elapsed": elapsed, "deploy_cpu": cpu, "nodes": len(ids)}


async def floor_requests(url: str, count: int) -> dict:
    """``count`` concurrent GETs through aiohttp alone, with the pool size omnicloud and aiohttp
    default to (100 connections), each answer read whole."""
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def one(number: int) -> int:
            async with session.get(f"{url}?command=deployVirtualMachine&n={number}") as answer:
                return len(await answer.read())

        start, cpu = time.perf_counter(), time.process_time()
        sizes = await asyncio.gather(*(one(number) for number in range(count)))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"elapsed": elapsed, "floor_cpu": cpu, "answers": len(sizes)}


def deploy_child(argv: Sequence[str]) -> None:
    how, url, key, secret, nodes, poll, threads = argv
    n, p = int(nodes), float(poll)
    if how == "ours":
        out = asyncio.run(deploy_ours(url, key, secret, n, p))
    elif how == "cs":
        out = asyncio.run(deploy_cs(url, key, secret, n, p))
    else:
        count = int(threads) if how == "libcloud-threads" else 1
        out = deploy_libcloud(url, key, secret, n, p, count)
    if out["nodes"] != n:
        raise SystemExit(f"{how}: {out['nodes']} distinct nodes, expected {n}")
    print(json.dumps(out))


# ---------------------------------------------------------------------------------- parent
def listing(vms: int, repeat: int, listings: int) -> tuple[list[Series], dict, dict]:
    """The listing comparison, requests per listing, and one cProfile run of the main rows."""
    requests: dict[str, list[float]] = {}
    with _servers.cloudstack(latency=0.01, vms=vms) as sim:
        log(f"compute: simulator with {vms} extra VMs ready")
        argv = {
            name: [PYTHON, "-c", LIST_CHILD.format(setup=setup), *sim.args(), str(listings)]
            for name, setup in LIST_CLIENTS.items()
        }

        @contextlib.contextmanager
        def counted(name: str) -> Iterator[Sequence[str]]:
            sim.stats(reset=True)
            yield ()
            total = sum(sim.stats()["counts"].values())
            requests.setdefault(name, []).append(total / (listings + 1))

        rows = compare(argv, repeat, warmup=1, context=counted, label="compute list", timeout=1800)
        profiles = {}
        for name in PROFILED:
            code = PROFILE_CHILD.format(setup=LIST_CLIENTS[name])
            try:
                profiles[name] = run_once([PYTHON, "-c", code, *sim.args()], timeout=600).data
            except Exception as error:
                profiles[name] = {"error": str(error)[-500:]}
    return rows, requests, profiles


def floor(args: Any) -> list[Series]:
    """aiohttp alone: ``args.nodes`` concurrent GETs against the null server, fresh processes."""
    with _servers.null_server() as url:
        argv = [*ME, "--floor-child", url, str(args.nodes)]
        return compare({FLOOR: argv}, args.floor_repeat, warmup=1, label="compute floor")


def floor_line(rows: list[Series], args: Any) -> list[str]:
    row = next((s for s in rows if s.ok), None)
    if row is None:
        return [*failures(rows)]
    elapsed = [x.data["elapsed"] for x in row.samples]
    return [
        f"The floor under any aiohttp client: {args.nodes} concurrent GETs through aiohttp "
        "alone, on a fresh pool of up to 100 connections, against a server that answers at "
        "once and does nothing else, took "
        f"{row.metric('elapsed'):.3f} s (median of {len(elapsed)} fresh processes; best "
        f"{min(elapsed):.3f} s) and {row.metric('floor_cpu'):.3f} s of client CPU: with "
        f"{args.latency:g} s jobs, no aiohttp client could see its last job finish before "
        f"{(args.latency + row.metric('elapsed')) / args.latency:.2f}x one job's latency, "
        "before signing, server work or polling.",
    ]


def deploys(args: Any) -> tuple[list[Series], dict[str, list[dict[str, Any]]]]:
    requests: dict[str, list[dict[str, Any]]] = {}
    sizes = [str(args.nodes), str(args.poll), str(args.threads)]

    @contextlib.contextmanager
    def fresh(name: str) -> Iterator[Sequence[str]]:
        """A new simulator per run; the child's arguments go URL KEY SECRET NODES POLL THREADS."""
        with _servers.cloudstack(latency=args.latency) as sim:
            yield [*sim.args(), *sizes]
            requests.setdefault(name, []).append(sim.stats())

    def argv(how: str) -> list[str]:
        return [*ME, "--deploy-child", how]

    rows = compare(
        {name: argv(how) for name, how in DEPLOYERS.items()},
        args.repeat,
        warmup=0,
        context=fresh,
        label="compute deploy",
        timeout=1800,
    )
    if args.sequential_repeat > 0:
        rows += compare(
            {name: argv(how) for name, how in SEQUENTIAL.items()},
            args.sequential_repeat,
            warmup=0,
            context=fresh,
            label="compute deploy sequential",
            timeout=max(1800.0, args.nodes * args.latency * 4),
        )
    return rows, requests


def deploys_with_history(args: Any) -> tuple[list[Series], dict[str, list[dict[str, Any]]]]:
    """The concurrent deploy against a simulator seeded with ``args.history`` finished jobs."""
    requests: dict[str, list[dict[str, Any]]] = {}
    sizes = [str(args.nodes), str(args.poll), str(args.threads)]

    @contextlib.contextmanager
    def fresh(name: str) -> Iterator[Sequence[str]]:
        with _servers.cloudstack(latency=args.latency, jobs=args.history) as sim:
            yield [*sim.args(), *sizes]
            requests.setdefault(name, []).append(sim.stats())

    rows = compare(
        {name: [*ME, "--deploy-child", how] for name, how in HISTORY_DEPLOYERS.items()},
        args.repeat,
        warmup=0,
        context=fresh,
        label="compute deploy with job history",
        timeout=1800,
    )
    return rows, requests


def history_lines(
    rows: list[Series], requests: dict[str, list[dict[str, Any]]], args: Any
) -> list[str]:
    return [
        f"### {args.nodes} VMs deployed concurrently on an account with {args.history:,} jobs "
        "from the last ten minutes",
        "",
        f"As above (fresh simulator per run, {args.repeat} run(s) per client, {args.latency:g} s "
        f"jobs, polls every {args.poll:g} s), but the account already has {args.history:,} "
        "finished deploy jobs created over the ten minutes before the run. omnicloud's batched "
        "polls list only the jobs created since just before the first one it waits for (the "
        "server's clock, from the Date header of the submit answer), then fall back to one "
        "query per job when a listing holds far more jobs than it waits for; cs asks for each "
        "job on its own, so history cannot cost it anything.",
        "",
        deploy_table(rows, requests, args),
        *failures(rows),
    ]


def profile_lines(profiles: dict[str, Any], top: int = 5) -> list[str]:
    lines = []
    for name, data in profiles.items():
        if "top" not in data:
            lines.append(f"- {name}: profile failed")
            continue
        parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:top]]
        lines.append(f"- {name}: " + ", ".join(parts))
    return lines


def list_table(rows: list[Series], requests: dict[str, list[float]], vms: int) -> str:
    base = next((s for s in rows if s.name == "cs fetch_list" and s.ok), None)
    base_us = base.metric("cpu") / max(base.first("count", 1), 1) * 1e6 if base else None
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", "", "", "", "", "", "", "", ""])
            continue
        count = max(int(s.first("count", 0)), 1)
        per_vm = s.metric("cpu") / count * 1e6
        body.append(
            [
                s.name,
                f"{s.first('count', '-'):,}",
                f"{statistics.median(requests.get(s.name, [float('nan')])):.0f}",
                f"{s.metric('cpu'):.3f}",
                f"{per_vm:.2f}",
                f"{s.metric('best_cpu') / count * 1e6:.2f}",
                f"{s.metric('release_cpu') / count * 1e6:.2f}",
                f"{s.metric('list_wall'):.2f}",
                f"{s.rss_mib:.0f}",
                ratio(per_vm, base_us) if base_us else "-",
            ]
        )
    return markdown(
        [
            "client",
            "VMs returned",
            "requests per listing",
            "CPU s per listing",
            "CPU µs per VM",
            "best µs per VM",
            "then freeing the result, µs per VM",
            "wall s per listing",
            "process peak RSS MiB",
            "µs per VM vs cs",
        ],
        body,
    )


def submitted_after(stats: dict[str, Any]) -> float:
    """Seconds from the first deploy request's arrival to the last deploy answer."""
    span = stats.get("spans", {}).get("deployVirtualMachine")
    return float(span[1] - span[0]) if span else float("nan")


def deploy_table(rows: list[Series], requests: dict[str, list[dict[str, Any]]], args: Any):
    base = next((s for s in rows if s.name == "cs AIOCloudStack" and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", "", "", "", "", "", "", "", ""])
            continue
        runs = requests.get(s.name, [])
        nan = float("nan")
        total = statistics.median([sum(r["counts"].values()) for r in runs]) if runs else nan
        accepted = statistics.median([submitted_after(r) for r in runs]) if runs else nan
        elapsed = [x.data["elapsed"] for x in s.samples]
        body.append(
            [
                s.name,
                str(len(s.samples)),
                f"{s.metric('elapsed'):.2f}",
                f"{s.metric('elapsed') / args.latency:.2f}x",
                f"{min(elapsed) / args.latency:.2f}x",
                f"{total:.0f}",
                f"{accepted:.2f}",
                f"{s.metric('deploy_cpu'):.2f}",
                f"{s.rss_mib:.0f}",
                ratio(s.metric("elapsed"), base.metric("elapsed")) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "runs",
            "seconds (median)",
            "x one job",
            "best x",
            "API requests",
            "all deploys accepted after s",
            "client CPU s",
            "peak RSS MiB",
            "time vs cs",
        ],
        body,
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--deploy-child":
        deploy_child(sys.argv[2:])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--floor-child":
        print(json.dumps(asyncio.run(floor_requests(sys.argv[2], int(sys.argv[3])))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=pick(10_000, 600))
    parser.add_argument("--list-repeat", type=int, default=pick(3, 1))
    parser.add_argument("--listings", type=int, default=pick(3, 1))
    parser.add_argument("--nodes", type=int, default=pick(200, 10))
    parser.add_argument("--latency", type=float, default=pick(1.0, 0.2))
    parser.add_argument("--poll", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("--sequential-repeat", type=int, default=1)
    parser.add_argument("--floor-repeat", type=int, default=pick(5, 1))
    parser.add_argument("--history", type=int, default=pick(3000, 300))
    parser.add_argument("--only", choices=["all", "history"], default="all")
    args = parser.parse_args()
    if args.only == "history":
        log(f"compute: {args.nodes} deploys on an account with {args.history} jobs of history")
        rows, requests = deploys_with_history(args)
        save("compute-history", {"args": vars(args), "deploy": rows, "deploy_requests": requests})
        print("\n".join(history_lines(rows, requests, args)))
        return

    log(f"compute: listing {args.vms} VMs, {args.list_repeat} rounds")
    list_rows, list_requests, profiles = listing(args.vms, args.list_repeat, args.listings)
    log(f"compute: {args.nodes} concurrent deploys, {args.latency:g} s jobs")
    deploy_rows, deploy_requests = deploys(args)
    log(f"compute: {args.nodes} deploys on an account with {args.history} jobs of history")
    history_rows, history_requests = deploys_with_history(args)
    log(f"compute: floor, {args.nodes} concurrent GETs through aiohttp alone")
    floor_rows = floor(args)
    save(
        "compute",
        {
            "args": vars(args),
            "list": list_rows,
            "list_requests_per_listing": list_requests,
            "list_profiles": profiles,
            "deploy": deploy_rows,
            "deploy_requests": deploy_requests,
            "deploy_floor": floor_rows,
            "deploy_history": history_rows,
            "deploy_history_requests": history_requests,
        },
    )
    libcloud = next((r for r in list_rows if r.name.startswith("Libcloud") and r.ok), None)
    libcloud_count = f"{libcloud.first('count', 0):,}" if libcloud else "?"
    seq_note = (
        f"Libcloud sequential ran {args.sequential_repeat} time(s) only: by construction it takes "
        "about the number of VMs times one job's latency."
    )
    lines = [
        "## CloudStack compute",
        "",
        f"### Listing {args.vms:,} VMs",
        "",
        f"{args.list_repeat} fresh process(es) per client, order rotating; each lists once to "
        f"warm up, then {args.listings} time(s); CPU is `time.process_time()` around each listing "
        "(median of all), RSS is the process's peak. A lazy `iterate` frees each page as it "
        "goes, inside that span; an eager listing frees its result when the caller drops it, "
        "which the `then freeing the result` column times (`del` of the returned list). "
        "Libcloud's `list_nodes` fetches only the "
        f"first page ({libcloud_count} VMs here), so compare it per VM, not per listing.",
        "",
        list_table(list_rows, list_requests, args.vms),
        *failures(list_rows),
        "",
        "Where the CPU goes in one listing (cProfile, share of self time; profiling inflates "
        "small calls, so read it as a ranking):",
        "",
        *profile_lines(profiles),
        "",
        f"### {args.nodes} VMs deployed concurrently, each job taking {args.latency:g} s",
        "",
        f"Fresh simulator and fresh client process per run; {args.repeat} run(s) per concurrent "
        f"client, order rotating; every client polls each {args.poll:g} s. `seconds` runs from "
        "the first deploy request until every VM is running; API requests and client CPU cover "
        "that span only; `all deploys accepted after` is the simulator's own clock from the first "
        "deploy request's arrival to its answer to the last one (no job can finish earlier than "
        f"that plus one job's latency). {seq_note}",
        "",
        deploy_table(deploy_rows, deploy_requests, args),
        *failures(deploy_rows),
        "",
        *history_lines(history_rows, history_requests, args),
        "",
        *floor_line(floor_rows, args),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
