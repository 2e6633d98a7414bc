"""Containers and DNS on real servers (issue 28): Docker deploys and listing, PowerDNS records.

1. A real ``dockerd`` (``scripts/services/dockerd.sh``: its own unix socket and data root, the
   image ``omnicloud-busybox:latest``, no bridge network), talked to over its unix socket:

   * ``--deploys`` (200) containers created and started (``sleep 3600``, network ``none``, no
     TTY): omnicloud's ``AsyncDockerContainerDriver`` (``asyncio.gather`` of ``deploy_container``:
     create, start, inspect) vs the ``docker`` SDK (``containers.run(detach=True)``: create,
     inspect, start) on a ``ThreadPoolExecutor`` of ``--threads`` (200) threads sharing one
     client (``max_pool_size`` = threads). Every run starts from an empty daemon (the parent
     removes every container first) and the parent counts the running containers afterwards.
   * The containers of the last deploy run (topped up to ``--deploys`` if a run fell short) are
     then listed: omnicloud ``list_containers()`` (sync and async) vs the SDK's
     ``containers.list(all=True)`` (which inspects every container: one request each) and
     ``containers.list(all=True, sparse=True)`` (one request, as omnicloud).

2. A real PowerDNS Authoritative Server (``scripts/services/powerdns.sh``, sqlite backend): one
   zone with ``--records`` (1,000) A records (plus the apex SOA and NS), created through its
   API, listed by omnicloud's ``PowerDNSDriver.list_records`` (sync; async too) vs Libcloud's
   PowerDNS driver ``list_records`` (``api_version="v1"``).

Each listing client runs in fresh processes (order rotating), lists once to warm up, then
``--listings`` times; client CPU is ``time.process_time()`` around each listing (median); one
more, untimed listing counts the HTTP requests it writes. Then one cProfile run (CPU clock) of
each omnicloud listing and its peer, and of ``--profile-deploys`` omnicloud deploys.

    .venv/bin/python -m bench.bench_containers_dns [--deploys 200] [--records 1000]

Writes ``bench/results/containers_dns.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import _servers
from bench._harness import (
    PYTHON,
    ROOT,
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
from bench.bench_aws import COUNTER

ME = [PYTHON, "-m", "bench.bench_containers_dns"]
IMAGE = "omnicloud-busybox:latest"
COMMAND = ["sleep", "3600"]
ZONE = "bench-dns.example.com."
MET, SHORT, MISSING = "met", "**not met**", "not measured"


# ---------------------------------------------------------------------------------- servers
@dataclass(frozen=True)
class Dockerd:
    """A running dockerd: API on its unix ``socket`` and on ``127.0.0.1:port``."""

    port: int
    socket: str

    @property
    def unix(self) -> str:
        return f"unix://{self.socket}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _service(script: str, port: int, *extra: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/services" / script), str(port), *extra],
        env={**os.environ, "OMNICLOUD_SERVICES_DIR": _servers.SERVICES_DIR, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} {port} {' '.join(extra)}: {done.stderr.strip()[-600:]}")
    return done.stdout


@contextlib.contextmanager
def dockerd() -> Iterator[Dockerd]:
    """dockerd on a free port (``scripts/services/dockerd.sh``), stopped (folder removed) after."""
    port = _servers.free_port()
    try:
        lines = _service("dockerd.sh", port).split()
        socket = lines[-1] if lines and lines[-1].endswith(".sock") else ""
        if not socket or not Path(socket).exists():
            raise RuntimeError(f"dockerd.sh named no socket: {lines[-2:]!r}")
        yield Dockerd(port, socket)
    finally:
        with contextlib.suppress(Exception):
            _service("dockerd.sh", port, "stop")


@dataclass(frozen=True)
class PowerDNS:
    """A running PowerDNS: API on ``127.0.0.1:port`` (server ``localhost``) with ``key``."""

    port: int
    key: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def powerdns() -> Iterator[PowerDNS]:
    """PowerDNS on free ports (``scripts/services/powerdns.sh``: API on P, DNS on P+1)."""
    port = _servers.free_port(block=2)
    key = "pdns-" + secrets.token_urlsafe(16)
    try:
        _service("powerdns.sh", port, env={"OMNICLOUD_POWERDNS_KEY": key})
        yield PowerDNS(port, key)
    finally:
        with contextlib.suppress(Exception):
            _service("powerdns.sh", port, "stop")
        shutil.rmtree(Path(_servers.SERVICES_DIR, f"powerdns-{port}"), ignore_errors=True)


def _api(base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
         timeout: float = 120) -> Any:  # fmt: skip
    """One JSON request with the standard library (the parent imports no client library)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        method=method,
        data=data,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        raw = answer.read()
    return json.loads(raw) if raw.strip() else None


def docker_containers(daemon: Dockerd, running_only: bool = False) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = _api(
        daemon.url, "GET", "/containers/json" + ("" if running_only else "?all=1")
    )
    return found


def docker_clean(daemon: Dockerd) -> int:
    """Remove every container (forced, with anonymous volumes); returns how many."""
    ids = [doc["Id"] for doc in docker_containers(daemon)]

    def remove(ident: str) -> None:
        with contextlib.suppress(urllib.error.HTTPError):
            _api(daemon.url, "DELETE", f"/containers/{ident}?force=1&v=1")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(remove, ids))
    left = docker_containers(daemon)
    if left:
        raise RuntimeError(f"{len(left)} containers left after removing them all")
    return len(ids)


def docker_seed(daemon: Dockerd, prefix: str, n: int) -> None:
    """Create and start ``n`` containers with the Engine API itself (no client library)."""
    body = {"Image": IMAGE, "Cmd": COMMAND, "HostConfig": {"NetworkMode": "none"}}

    def one(index: int) -> None:
        made = _api(daemon.url, "POST", f"/containers/create?name={prefix}-{index:04d}", body)
        _api(daemon.url, "POST", f"/containers/{made['Id']}/start")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(n)))


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine (``/proc/stat``)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


# ---------------------------------------------------------------------------------- deploys
def _counter() -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(COUNTER, scope)  # counts the requests a client writes to its sockets
    return scope


def _outcome(results: Sequence[Any]) -> dict[str, Any]:
    errors = [r for r in results if isinstance(r, BaseException)]
    out: dict[str, Any] = {"returned": len({r for r in results if isinstance(r, str)})}
    out["errors"] = len(errors)
    if errors:
        out["first_error"] = f"{type(errors[0]).__name__}: {errors[0]}"[:400]
    return out


async def deploy_ours(unix: str, prefix: str, n: int, profile: bool) -> dict[str, Any]:
    from omnicloud.container.drivers.docker import AsyncDockerContainerDriver
    from omnicloud.http import HttpConfig

    counter = _counter()
    # as many connections as the SDK's pool and threads (max_pool_size=200 there)
    config = HttpConfig(max_connections=max(n, 1))
    async with AsyncDockerContainerDriver(endpoint=unix, http=config) as driver:
        image = await driver.ex_get_image(IMAGE)  # one request first (and the API version)

        async def one(index: int) -> str:
            container = await driver.deploy_container(
                f"{prefix}-{index:04d}", image, command=COMMAND, network_mode="none",
                tty=False, stdin_open=False,
            )  # fmt: skip
            return str(container.id) if container.state.value == "running" else "-"

        counter["count_requests"]()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
        start, cpu = time.perf_counter(), time.process_time()
        results = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
    out = {"elapsed": elapsed, "deploy_cpu": cpu, "requests": counter["REQUESTS"][0]}
    out.update(_outcome(results))
    if profiler is not None:
        out.update(_profile_data(profiler))
    return out


def deploy_sdk(unix: str, prefix: str, n: int, threads: int) -> dict[str, Any]:
    import docker  # type: ignore[import-untyped]

    counter = _counter()
    client = docker.DockerClient(base_url=unix, max_pool_size=threads)  # asks for /version
    client.images.get(IMAGE)  # one request first, as omnicloud's

    def one(index: int) -> Any:
        try:
            made = client.containers.run(
                IMAGE, COMMAND, name=f"{prefix}-{index:04d}", detach=True, network_mode="none"
            )
            return str(made.id)
        except Exception as error:
            return error

    counter["count_requests"]()
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, range(n)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    client.close()
    out = {"elapsed": elapsed, "deploy_cpu": cpu, "requests": counter["REQUESTS"][0]}
    out.update(_outcome(results))
    return out


def deploy_child(argv: Sequence[str]) -> None:
    how, unix, count, threads, prefix = argv
    if how == "sdk":
        out = deploy_sdk(unix, prefix, int(count), int(threads))
    else:
        out = asyncio.run(deploy_ours(unix, prefix, int(count), profile=how == "profile"))
    print(json.dumps(out))


DEPLOYERS = {
    "omnicloud async deploy_container (gather)": "ours",
    "docker SDK containers.run (threads)": "sdk",
}
DEPLOY_BASE = "docker SDK containers.run (threads)"


# ---------------------------------------------------------------------------------- listings
DOCKER_LISTERS = {
    "omnicloud list_containers (sync)": """
from omnicloud.container.drivers.docker import DockerContainerDriver
driver = DockerContainerDriver(endpoint=TARGET)
run = lambda: driver.list_containers()
""",
    "omnicloud list_containers (async)": """
import asyncio
from omnicloud.container.drivers.docker import AsyncDockerContainerDriver
loop = asyncio.new_event_loop()
driver = AsyncDockerContainerDriver(endpoint=TARGET)
run = lambda: loop.run_until_complete(driver.list_containers())
""",
    "docker SDK containers.list(all=True)": """
import docker
client = docker.DockerClient(base_url=TARGET)
run = lambda: client.containers.list(all=True)
""",
    "docker SDK containers.list(all=True, sparse=True)": """
import docker
client = docker.DockerClient(base_url=TARGET)
run = lambda: client.containers.list(all=True, sparse=True)
""",
}
DOCKER_PEERS = (
    "docker SDK containers.list(all=True)",
    "docker SDK containers.list(all=True, sparse=True)",
)

DNS_LISTERS = {
    "omnicloud list_records (sync)": """
from omnicloud.dns.drivers.powerdns import PowerDNSDriver
driver = PowerDNSDriver(KEY, endpoint=TARGET)
zone = driver.get_zone(ZONE)
run = lambda: driver.list_records(zone)
""",
    "omnicloud list_records (async)": """
import asyncio
from omnicloud.dns.drivers.powerdns import AsyncPowerDNSDriver
loop = asyncio.new_event_loop()
driver = AsyncPowerDNSDriver(KEY, endpoint=TARGET)
zone = loop.run_until_complete(driver.get_zone(ZONE))
run = lambda: loop.run_until_complete(driver.list_records(zone))
""",
    "Libcloud list_records": """
from urllib.parse import urlsplit
from libcloud.dns.providers import get_driver
from libcloud.dns.types import Provider
where = urlsplit(TARGET)
driver = get_driver(Provider.POWERDNS)(key=KEY, host=where.hostname, port=where.port,
                                       api_version="v1")
zone = driver.get_zone(ZONE)
run = lambda: driver.list_records(zone)
""",
}
DNS_BASE = "Libcloud list_records"

LIST_CHILD = (
    """
import gc, json, sys, time
TARGET, KEY, ZONE = sys.argv[1:4]
LISTINGS = int(sys.argv[4])
"""
    + COUNTER
    + """
{setup}
items = run()  # warm-up: imports, connection, API version
del items
cpus, walls = [], []
for _ in range(LISTINGS):
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    items = run()
    cpus.append(time.process_time() - start)
    walls.append(time.perf_counter() - wall)
    count = len(items)
    del items
count_requests()  # one more listing, untimed, to count what the client sends
items = run()
del items
cpus.sort()
walls.sort()
print(json.dumps({{"cpu": cpus[len(cpus) // 2], "best_cpu": cpus[0],
                  "list_wall": walls[len(walls) // 2], "best_wall": walls[0], "count": count,
                  "requests": REQUESTS[0]}}))
"""
)

PROFILE_CHILD = """
import cProfile, json, pstats, sys, time
TARGET, KEY, ZONE = sys.argv[1:4]
{setup}
run()  # warm-up
profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the server
profiler.enable()
for _ in range(int(sys.argv[4])):
    items = run()
profiler.disable()
sys.path.insert(0, ".")
from bench.bench_containers_dns import _profile_data
print(json.dumps({{"count": len(items), **_profile_data(profiler)}}))
"""


def _profile_data(profiler: Any) -> dict[str, Any]:
    import pstats

    stats = pstats.Stats(profiler)
    rows: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values()) or 1.0
    top = sorted(rows.items(), key=lambda kv: -kv[1][2])[:10]

    def name(file: str, line: int, func: str) -> str:
        return f"{func} ({file.rsplit('/', 2)[-1] if '/' in file else file}:{line})"

    return {
        "total_cpu": total,
        "top": [
            {"function": name(*key), "self_share": round(row[2] / total, 3)} for key, row in top
        ],
    }


def _list_argv(
    clients: dict[str, str], target: str, key: str, listings: int
) -> dict[str, list[str]]:
    args = [target, key, ZONE, str(listings)]
    return {
        name: [PYTHON, "-c", LIST_CHILD.format(setup=setup), *args]
        for name, setup in clients.items()
    }


def _profile(setup: str, target: str, key: str, rounds: int) -> dict[str, Any]:
    argv = [PYTHON, "-c", PROFILE_CHILD.format(setup=setup), target, key, ZONE, str(rounds)]
    try:
        return run_once(argv, timeout=600).data
    except Exception as error:
        return {"error": str(error)[-500:]}


def pdns_seed(server: PowerDNS, records: int) -> dict[str, Any]:
    """One Native zone with ``records`` A records, created by one API request."""
    rrsets = [
        {
            "name": f"host{i:05d}.{ZONE}",
            "type": "A",
            "ttl": 300,
            "records": [{"content": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}",
                         "disabled": False}],
        }
        for i in range(records)
    ]  # fmt: skip
    headers = {"X-API-Key": server.key}
    base = server.url + "/api/v1/servers/localhost"
    started = time.perf_counter()
    body = {"name": ZONE, "kind": "Native", "nameservers": ["ns1.example.com."], "rrsets": rrsets}
    _api(base, "POST", "/zones", body, headers)
    seeded = time.perf_counter() - started
    doc = _api(base, "GET", f"/zones/{ZONE}", headers=headers)
    sets = doc.get("rrsets") or []
    return {
        "rrsets": len(sets),
        "records": sum(len(s.get("records") or []) for s in sets),
        "seed_s": seeded,
    }


# ---------------------------------------------------------------------------------- phases
def deploys(daemon: Dockerd, args: Any) -> tuple[list[Series], dict[str, list[dict[str, Any]]]]:
    checks: dict[str, list[dict[str, Any]]] = {}
    runs = iter(range(10_000))

    @contextlib.contextmanager
    def fresh(name: str) -> Iterator[Sequence[str]]:
        docker_clean(daemon)  # every run starts from an empty daemon; the last run's stay
        prefix = f"{DEPLOYERS[name]}{next(runs)}"
        busy, total = machine_cpu()
        yield [prefix]
        busy2, total2 = machine_cpu()
        running = [
            doc for doc in docker_containers(daemon, running_only=True)
            if any(n.lstrip("/").startswith(prefix + "-") for n in doc.get("Names") or ())
        ]  # fmt: skip
        checks.setdefault(name, []).append(
            {
                "running": len(running),
                "machine_busy": (busy2 - busy) / max(total2 - total, 1),
                "cores_busy": (busy2 - busy) / max(total2 - total, 1) * (os.cpu_count() or 1),
            }
        )

    argv = {
        name: [*ME, "--deploy-child", how, daemon.unix, str(args.deploys), str(args.threads)]
        for name, how in DEPLOYERS.items()
    }
    rows = compare(argv, args.repeat, warmup=0, context=fresh, label="docker deploy", timeout=900)
    return rows, checks


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _fmt_s(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def list_table(rows: list[Series], base_name: str, items: int, unit: str) -> str:
    base = next((s for s in rows if s.name == base_name and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 9])
            continue
        cpu, wall = s.metric("cpu"), s.metric("list_wall")
        body.append(
            [
                s.name,
                f"{int(s.first('count', 0)):,}",
                f"{s.first('requests', '-')}",
                f"{cpu * 1e3:.2f}",
                f"{cpu / items * 1e6:.1f}" if items else "-",
                f"{wall * 1e3:.2f}",
                f"{wall / items * 1e6:.1f}" if items else "-",
                f"{s.rss_mib:.0f}",
                ratio(cpu, base.metric("cpu")) if base else "-",
                ratio(wall, base.metric("list_wall")) if base else "-",
            ]
        )
    short = base_name if len(base_name) < 30 else "peer"
    return markdown(
        [
            "client",
            "items returned",
            "HTTP requests per listing",
            "CPU ms per listing",
            f"CPU µs per {unit}",
            "wall ms per listing",
            f"wall µs per {unit}",
            "process peak RSS MiB",
            f"CPU vs {short}",
            f"wall vs {short}",
        ],
        body,
    )


def deploy_table(rows: list[Series], checks: dict[str, list[dict[str, Any]]], n: int) -> str:
    base = next((s for s in rows if s.name == DEPLOY_BASE and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 10])
            continue
        mine = checks.get(s.name, [])
        body.append(
            [
                s.name,
                str(len(s.samples)),
                f"{_median([c['running'] for c in mine]):.0f}" if mine else "-",
                f"{s.metric('returned'):.0f}",
                f"{s.metric('errors'):.0f}",
                f"{s.metric('requests'):.0f}",
                f"{s.metric('elapsed'):.2f}",
                f"{s.metric('deploy_cpu'):.3f}",
                f"{s.metric('deploy_cpu') / n * 1e3:.2f}",
                f"{_median([c['cores_busy'] for c in mine]):.2f}" if mine else "-",
                f"{s.rss_mib:.0f}",
                ratio(s.metric("elapsed"), base.metric("elapsed")) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "runs",
            "containers running after (daemon's count)",
            "returned to the caller",
            "errors",
            "HTTP requests",
            "wall s",
            "client CPU s",
            "CPU ms per container",
            "machine cores busy (of 2)",
            "process peak RSS MiB",
            "wall vs SDK",
        ],
        body,
    )


def profile_lines(found: dict[str, Any], top: int = 5) -> list[str]:
    lines = []
    for name, data in found.items():
        if "top" not in data:
            lines.append(f"- {name}: profile failed ({str(data.get('error', ''))[-200:]})")
            continue
        parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:top]]
        lines.append(f"- {name}: " + ", ".join(parts))
    return lines


def _top(found: dict[str, Any], name: str, top: int = 3) -> str:
    data = found.get(name) or {}
    if "top" not in data:
        return ""
    parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:top]]
    return f"{name} under cProfile: largest self-time entries " + ", ".join(parts)


# ---------------------------------------------------------------------------------- goals
def _find(rows: list[Series], name: str) -> Series | None:
    return next((s for s in rows if s.name == name and s.ok), None)


def goals(
    deploy_rows: list[Series],
    checks: dict[str, list[dict[str, Any]]],
    docker_rows: list[Series],
    dns_rows: list[Series],
    found: dict[str, Any],
    n: int,
    containers: int,
    records: int,
) -> tuple[list[list[str]], list[str]]:
    """Issue 28's goal (wall at most the peer's) for each omnicloud client: rows of (goal,
    measured, verdict) and a "why" line for each goal not met."""
    rows: list[list[str]] = []
    why: list[str] = []

    # deploys
    goal = f"{n} deploys (create + start): omnicloud async gather vs docker SDK threads"
    ours, peer = (
        _find(deploy_rows, "omnicloud async deploy_container (gather)"),
        _find(deploy_rows, DEPLOY_BASE),
    )
    if not ours or not peer:
        rows.append([goal, "-", MISSING])
        why.append(f"- **{goal}**: not measured in this run (a client failed).")
    else:
        wall, peer_wall = ours.metric("elapsed"), peer.metric("elapsed")
        cpu, peer_cpu = ours.metric("deploy_cpu"), peer.metric("deploy_cpu")
        running = _median([c["running"] for c in checks.get(ours.name, [])])
        ok = wall <= peer_wall and running >= n and not ours.metric("errors")
        rows.append(
            [
                goal,
                f"wall {wall:.2f} vs {peer_wall:.2f} s ({wall / peer_wall:.2f}x); client CPU "
                f"{cpu:.2f} vs {peer_cpu:.2f} s ({cpu / peer_cpu:.2f}x); {running:.0f} of {n} "
                "running",
                MET if ok else SHORT,
            ]
        )
        if not ok:
            reasons = []
            if running < n or ours.metric("errors"):
                error = ours.first("first_error", "")
                reasons.append(f"{running:.0f} of {n} running; first error: `{error}`")
            if wall > peer_wall:
                busy = _median([c["cores_busy"] for c in checks.get(ours.name, [])])
                peer_busy = _median([c["cores_busy"] for c in checks.get(peer.name, [])])
                walls = sorted(x.data.get("elapsed", 0.0) for x in ours.samples)
                peer_walls = sorted(x.data.get("elapsed", 0.0) for x in peer.samples)
                overlap = walls[0] <= peer_walls[-1]
                reasons.append(
                    f"wall {wall:.2f} s against the SDK's {peer_wall:.2f} s "
                    f"(+{(wall - peer_wall) / peer_wall:.1%}; runs {walls[0]:.2f}-{walls[-1]:.2f} "
                    f"s vs {peer_walls[0]:.2f}-{peer_walls[-1]:.2f} s, ranges "
                    f"{'overlapping' if overlap else 'apart'}), with "
                    f"{ours.metric('requests'):.0f} vs {peer.metric('requests'):.0f} requests; "
                    f"the whole machine had {busy:.2f} of {os.cpu_count()} cores busy during "
                    f"omnicloud's runs ({peer_busy:.2f} during the SDK's), of which omnicloud's "
                    f"client took {cpu:.2f} s of CPU in {wall:.1f} s "
                    f"({cpu / max(busy * wall, 1e-9):.1%} of the busy time): the rest is the "
                    "daemon side (dockerd, containerd, shims, runc)"
                )
            profile = _top(found, "omnicloud deploy_container (async)")
            if profile:
                reasons.append(profile)
            why.append(f"- **{goal}**: " + "; ".join(reasons) + ".")

    # listings
    peers = [s for s in (_find(docker_rows, name) for name in DOCKER_PEERS) if s]
    best = min(peers, key=lambda s: s.metric("list_wall")) if peers else None
    checks_list = [
        (f"List {containers} containers: omnicloud list_containers (sync) vs the SDK's faster "
         "listing", docker_rows, "omnicloud list_containers (sync)", best, containers,
         "container", "omnicloud list_containers (sync)"),
        (f"List {containers} containers: omnicloud list_containers (async) vs the SDK's faster "
         "listing", docker_rows, "omnicloud list_containers (async)", best, containers,
         "container", "omnicloud list_containers (sync)"),
        (f"PowerDNS: list {records:,} records: omnicloud list_records (sync) vs Libcloud",
         dns_rows, "omnicloud list_records (sync)", _find(dns_rows, DNS_BASE), records,
         "record", "omnicloud list_records (sync)"),
    ]  # fmt: skip
    for goal, group, name, base, items, unit, profiled in checks_list:
        ours = _find(group, name)
        if not ours or not base or not items:
            rows.append([goal, "-", MISSING])
            why.append(f"- **{goal}**: not measured in this run (a client failed).")
            continue
        wall, peer_wall = ours.metric("list_wall"), base.metric("list_wall")
        us, peer_us = ours.metric("cpu") / items * 1e6, base.metric("cpu") / items * 1e6
        count, peer_count = int(ours.first("count", 0)), int(base.first("count", 0))
        every = count >= peer_count
        ok = wall <= peer_wall and every
        rows.append(
            [
                goal,
                f"wall {_fmt_s(wall)} vs {_fmt_s(peer_wall)} ({wall / peer_wall:.2f}x; "
                f"{base.name}); CPU {us:.1f} vs {peer_us:.1f} µs per {unit} "
                f"({us / peer_us:.2f}x)",
                MET if ok else SHORT,
            ]
        )
        if ok:
            continue
        reasons = []
        if not every:
            reasons.append(f"returned {count:,} items against the peer's {peer_count:,}")
        if wall > peer_wall:
            idle, peer_idle = wall - ours.metric("cpu"), peer_wall - base.metric("cpu")
            reasons.append(
                f"wall {_fmt_s(wall)} against {_fmt_s(peer_wall)} (best of all listings "
                f"{_fmt_s(ours.metric('best_wall'))} vs {_fmt_s(base.metric('best_wall'))}), "
                f"with {ours.first('requests', '?')} vs {base.first('requests', '?')} requests "
                f"per listing; client CPU {ours.metric('cpu') * 1e3:.1f} vs "
                f"{base.metric('cpu') * 1e3:.1f} ms, so {_fmt_s(idle)} vs {_fmt_s(peer_idle)} "
                "of each listing is spent off the client's CPU (waiting for the answer)"
            )
        profile = _top(found, profiled)
        if profile:
            reasons.append(profile)
        why.append(f"- **{goal}**: " + "; ".join(reasons) + ".")
    return rows, why


def _plain_series(value: Any) -> Any:
    if isinstance(value, Series):
        return {**value.summary(), "samples": [vars(s) for s in value.samples]}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--deploy-child":
        deploy_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploys", type=int, default=pick(200, 6))
    parser.add_argument("--threads", type=int, default=None, help="SDK threads (= deploys)")
    parser.add_argument("--profile-deploys", type=int, default=pick(50, 3))
    parser.add_argument("--records", type=int, default=pick(1000, 50))
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("--list-repeat", type=int, default=pick(3, 1))
    parser.add_argument("--listings", type=int, default=pick(5, 1))
    parser.add_argument("--dns-repeat", type=int, default=pick(5, 1))
    parser.add_argument("--dns-listings", type=int, default=pick(20, 2))
    args = parser.parse_args()
    args.threads = args.threads or args.deploys
    load = [round(x, 2) for x in os.getloadavg()]
    found: dict[str, Any] = {}

    with dockerd() as daemon:
        log(f"containers: dockerd ready on {daemon.unix}; {args.deploys} deploys per run")
        deploy_rows, checks = deploys(daemon, args)
        have = len(docker_containers(daemon, running_only=True))
        if have < args.deploys:
            log(f"containers: {have} running; starting {args.deploys - have} more to list")
            docker_seed(daemon, "seed", args.deploys - have)
        containers = len(docker_containers(daemon))
        log(f"containers: list {containers} containers")
        docker_rows = compare(
            _list_argv(DOCKER_LISTERS, daemon.unix, "-", args.listings),
            args.list_repeat,
            warmup=0,
            label="docker list",
            timeout=900,
        )
        log("containers: profiles")
        for name in ("omnicloud list_containers (sync)", DOCKER_PEERS[1]):
            found[name] = _profile(DOCKER_LISTERS[name], daemon.unix, "-", args.listings)
        docker_clean(daemon)
        if args.profile_deploys:
            argv = [*ME, "--deploy-child", "profile", daemon.unix, str(args.profile_deploys),
                    "0", "prof"]  # fmt: skip
            try:
                found["omnicloud deploy_container (async)"] = run_once(argv, timeout=600).data
            except Exception as error:
                found["omnicloud deploy_container (async)"] = {"error": str(error)[-500:]}
            docker_clean(daemon)
        log("containers: stopping dockerd")

    with powerdns() as server:
        seed = pdns_seed(server, args.records)
        records = int(seed["records"])
        log(f"dns: PowerDNS ready on {server.url}; {seed}")
        dns_rows = compare(
            _list_argv(DNS_LISTERS, server.url, server.key, args.dns_listings),
            args.dns_repeat,
            warmup=0,
            label="powerdns list",
            timeout=600,
        )
        log("dns: profiles")
        for name in ("omnicloud list_records (sync)", DNS_BASE):
            found[name] = _profile(DNS_LISTERS[name], server.url, server.key, args.dns_listings)

    payload = {
        "args": vars(args),
        "load_average": load,
        "containers": containers,
        "pdns_seed": seed,
        "deploy": deploy_rows,
        "deploy_checks": checks,
        "docker_list": docker_rows,
        "dns_list": dns_rows,
        "profiles": found,
    }
    save("containers_dns", payload)
    goal_rows, why = goals(
        deploy_rows, checks, docker_rows, dns_rows, found, args.deploys, containers, records
    )
    met = sum(1 for row in goal_rows if row[2] == MET)
    lines = [
        "## Docker and PowerDNS (issue 28)",
        "",
        "A real `dockerd` (`scripts/services/dockerd.sh`, Debian's docker.io, its own data root, "
        f"the image `{IMAGE}`, no bridge network) and a real PowerDNS Authoritative Server "
        "(`scripts/services/powerdns.sh`, sqlite backend), each started once for its part of "
        "the run and stopped after it; Docker is reached over its unix socket. Every client "
        "runs in fresh processes, order rotating; tables show medians. Listing CPU is "
        "`time.process_time()` around each listing after a warm-up listing in the same process "
        "(imports, the first connection and Docker's API version excluded); request counts "
        "come from one more listing, untimed, counting the requests the client writes to its "
        f"sockets. Load average when this benchmark began: {load} on {os.cpu_count()} CPUs "
        "(the machine may be shared: other processes' work shows in every wall time).",
        "",
        "### Goals (issue 28: wall at most the SDK's: the docker SDK for containers, Libcloud "
        "for PowerDNS)",
        "",
        f"{met} of {len(goal_rows)} goal checks met in this run.",
        "",
        markdown(["goal", "measured (omnicloud vs peer)", "verdict"], goal_rows, align="lll"),
        "",
        *why,
        "",
        f"### {args.deploys} containers deployed concurrently",
        "",
        f"Each run creates and starts {args.deploys} containers of `{IMAGE}` running "
        f"`{' '.join(COMMAND)}` with network `none` and no TTY, on a daemon emptied just "
        "before (the parent removes every container, untimed). omnicloud: "
        f"`AsyncDockerContainerDriver`, `asyncio.gather` of {args.deploys} `deploy_container` "
        "calls (create, start, inspect; aiohttp's unix-socket connector, as many connections "
        "as deploys, like the SDK's pool); "
        "docker SDK: one `DockerClient` (`max_pool_size="
        f"{args.threads}`) on a `ThreadPoolExecutor` of {args.threads} threads, "
        "`containers.run(detach=True)` each (create, inspect, start). Each client sends one "
        "request (the image) before the timed span; wall and client CPU (all threads) cover "
        "the deploys only; `containers running after` is the daemon's count of running "
        "containers of that run; `machine cores busy` is the whole machine's CPU use over the "
        "run (`/proc/stat`), which is mostly dockerd, containerd, its shims and runc.",
        "",
        deploy_table(deploy_rows, checks, args.deploys),
        *failures(deploy_rows),
        "",
        f"### Listing {containers} containers",
        "",
        f"The {containers} running containers of the last deploy run, listed "
        f"{args.listings} times per process ({args.list_repeat} processes per client) after a "
        "warm-up listing. omnicloud builds each `Container` from `GET /containers/json?all=1`; "
        "the SDK's `containers.list(all=True)` then inspects every container (one more request "
        "each); `sparse=True` keeps the listing's own answer, as omnicloud does. Ratios are "
        "against the faster SDK call.",
        "",
        list_table(
            docker_rows,
            min(
                (s for s in docker_rows if s.name in DOCKER_PEERS and s.ok),
                key=lambda s: s.metric("list_wall"),
                default=docker_rows[-1],
            ).name,
            containers,
            "container",
        ),
        *failures(docker_rows),
        "",
        f"### PowerDNS: listing {records:,} records",
        "",
        f"One Native zone `{ZONE}` with {args.records:,} A records plus the apex SOA and NS "
        f"({seed['rrsets']:,} RRsets, {records:,} records; created by one API request in "
        f"{seed['seed_s']:.2f} s). PowerDNS answers a zone with all its RRsets in one "
        "`GET /api/v1/servers/localhost/zones/ZONE`. omnicloud's `PowerDNSDriver` (and "
        "`AsyncPowerDNSDriver`) `list_records` vs Libcloud's PowerDNS driver "
        f"(`api_version='v1'`) `list_records`; {args.dns_listings} listings per process, "
        f"{args.dns_repeat} processes per client. Per-record figures divide by {records:,}.",
        "",
        list_table(dns_rows, DNS_BASE, records, "record"),
        *failures(dns_rows),
        "",
        "Where the CPU goes (cProfile on the CPU clock, share of self time; profiling inflates "
        f"small calls, so read it as a ranking; omnicloud's deploys: {args.profile_deploys} "
        "concurrent deploys on an empty daemon):",
        "",
        *profile_lines(found),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
