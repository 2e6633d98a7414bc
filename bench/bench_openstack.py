"""OpenStack (issue 26): server listing and concurrent creation on the simulator, Swift 1 GiB.

1. ``--servers`` (5,000) servers listed from one OpenStack simulator (``omnicloud sim serve
   openstack --latency 0.2`` in a process of its own, on a state file seeded beforehand by
   ``bench._openstack_sim``: one server made through the API, the rest copies of its document
   written straight into the state). omnicloud's compute driver ``list_nodes()`` sync and
   async (``page_size=1000``), openstacksdk ``list(conn.compute.servers())`` (details; no
   ``limit``: Nova's largest page, 1000) and Libcloud's OpenStack driver ``list_nodes()``
   (``api_version="2.0"``, which follows ``servers_links``; no ``limit`` either): the same six
   requests of up to 1,000 servers each. Every run is a fresh process that warms up with a
   listing filtered to ten servers (imports, token, microversion, first connection), then
   lists ``--listings`` times; client CPU is ``time.process_time()`` around each listing
   (median); the HTTP requests the client writes are counted during the timed listings.
2. ``--creations`` (100) concurrent server creations: omnicloud's async driver
   (``asyncio.gather`` of ``create_node``), openstacksdk (one connection shared by
   ``--threads`` threads, ``conn.compute.create_server``) and Libcloud (as many threads, one
   driver each, authenticated before the timed span). All three return once Nova accepted
   the server (202), not when it is ACTIVE: omnicloud and Libcloud read the server back
   once (``GET /servers/{id}``), openstacksdk returns the 202's document. Every server gets
   a port on the ``bench`` network (a /20: DevStack's private /26 holds 60 addresses).
3. Swift: a 1 GiB file uploaded and downloaded against the real Swift of
   ``scripts/services/swift.sh`` (tempauth, auth v1.0): omnicloud's Swift driver
   ``upload_object``/``download_object`` (static large object of 16 MiB segments, 4 at once)
   vs python-swiftclient's ``SwiftService`` with its defaults (one PUT: no ``segment_size``)
   and with ``segment_size`` 16 MiB (its 10 segment threads, SLO as the cluster offers it).
   Both download the single-PUT object and omnicloud's SLO object.

Then one cProfile run (CPU clock) of omnicloud's listing (sync and async), creation and each
Swift transfer, for the "why" of goals not met.

    .venv/bin/python -m bench.bench_openstack [--servers 5000] [--creations 100] [--size-mib 1024]

Writes ``bench/results/openstack.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import _openstack_sim, _servers
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
    versions,
)

ME = [PYTHON, "-m", "bench.bench_openstack"]
MIB = 1024 * 1024
SEGMENT_MIB = 16
CPU_GOAL = 0.5  # client CPU per server at most half of openstacksdk's
RSS_GOAL = 0.5  # Swift peak RSS at most half of swiftclient's
MET, SHORT, MISSING = "met", "**not met**", "not measured"
PACKAGES = ("omnicloud", "openstacksdk", "keystoneauth1", "apache-libcloud", "python-swiftclient",
            "httpx", "requests")  # fmt: skip

# ---------------------------------------------------------------------------------- children
#: Counts the HTTP requests a client writes (see bench_aws: one socket write per request head).
COUNTER = """
import socket as _socket
REQUESTS = [0]
_METHODS = (b"POST ", b"GET ", b"PUT ", b"DELETE ", b"HEAD ")
_send, _sendall = _socket.socket.send, _socket.socket.sendall
def _note(data):
    if bytes(data[:7]).startswith(_METHODS):
        REQUESTS[0] += 1
def _counted_send(self, data, *rest):
    _note(data)
    return _send(self, data, *rest)
def _counted_sendall(self, data, *rest):
    _note(data)
    return _sendall(self, data, *rest)
def count_requests():
    _socket.socket.send, _socket.socket.sendall = _counted_send, _counted_sendall
"""

OMNICLOUD_ARGS = """
AUTH = dict(ex_force_auth_url=URL, ex_force_auth_version="3.x_password", ex_tenant_name="demo",
            ex_domain_name="Default", ex_force_service_region="RegionOne")
"""
WARM_FILTER = "^web-0000[0-9]$"  # ten servers

LIST_CLIENTS = {
    "omnicloud list_nodes (sync)": OMNICLOUD_ARGS
    + """
from omnicloud.compute.drivers.openstack import OpenStackNodeDriver
driver = OpenStackNodeDriver(USER, PASSWORD, page_size=PAGE, **AUTH)
warm = lambda: driver.list_nodes(ex_filters={"name": WARM})
run = lambda: driver.list_nodes()
""",
    "omnicloud list_nodes (async)": OMNICLOUD_ARGS
    + """
import asyncio
from omnicloud.compute.drivers.openstack import AsyncOpenStackNodeDriver
loop = asyncio.new_event_loop()
driver = AsyncOpenStackNodeDriver(USER, PASSWORD, page_size=PAGE, **AUTH)
warm = lambda: loop.run_until_complete(driver.list_nodes(ex_filters={"name": WARM}))
run = lambda: loop.run_until_complete(driver.list_nodes())
""",
    "openstacksdk compute.servers()": """
import openstack
conn = openstack.connect(auth_url=URL, username=USER, password=PASSWORD, project_name="demo",
                         user_domain_name="Default", project_domain_name="Default",
                         region_name="RegionOne")
warm = lambda: list(conn.compute.servers(name=WARM))
run = lambda: list(conn.compute.servers())
""",
    "Libcloud list_nodes": """
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider
driver = get_driver(Provider.OPENSTACK)(
    USER, PASSWORD, ex_force_auth_url=URL.rsplit("/v3", 1)[0], api_version="2.0",
    ex_force_auth_version="3.x_password", ex_tenant_name="demo", ex_domain_name="Default",
    ex_force_service_region="RegionOne")
warm = lambda: driver.list_sizes()  # Libcloud's list_nodes takes no filter
run = lambda: driver.list_nodes()
""",
}
LIST_BASE = "openstacksdk compute.servers()"

LIST_CHILD = (
    """
import gc, json, sys, time
URL, USER, PASSWORD, WARM = sys.argv[1:5]
PAGE, LISTINGS = int(sys.argv[5]), int(sys.argv[6])
"""
    + COUNTER
    + """
{setup}
warmed = len(warm())
cpus, walls = [], []
count_requests()
for _ in range(LISTINGS):
    gc.collect()
    wall, start = time.perf_counter(), time.process_time()
    items = run()
    cpus.append(time.process_time() - start)
    walls.append(time.perf_counter() - wall)
    count = len(items)
    del items
cpus.sort()
walls.sort()
print(json.dumps({{"cpu": cpus[len(cpus) // 2], "best_cpu": cpus[0],
                  "list_wall": walls[len(walls) // 2], "count": count, "warm_count": warmed,
                  "requests": REQUESTS[0] / LISTINGS}}))
"""
)

PROFILE_LIST_CHILD = """
import cProfile, json, pstats, sys, time
URL, USER, PASSWORD, WARM = sys.argv[1:5]
PAGE = int(sys.argv[5])
{setup}
warm()
profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the server
profiler.enable()
items = run()
profiler.disable()
sys.path.insert(0, {root!r})
from bench.bench_openstack import profile_summary
print(json.dumps({{"count": len(items), **profile_summary(profiler)}}))
"""
LIST_PROFILED = ("omnicloud list_nodes (sync)", "omnicloud list_nodes (async)")


def profile_summary(*profilers: Any, top: int = 10) -> dict[str, Any]:
    """Largest self-time entries of ``cProfile.Profile`` objects, merged (shares of the total)."""
    import pstats

    stats = pstats.Stats(profilers[0])
    for other in profilers[1:]:
        with contextlib.suppress(Exception):  # a thread still running: left out
            stats.add(other)
    rows: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in rows.values()) or 1.0
    ranked = sorted(rows.items(), key=lambda kv: -kv[1][2])[:top]

    def name(file: str, line: int, func: str) -> str:
        return f"{func} ({file.rsplit('/', 2)[-1] if '/' in file else file}:{line})"

    top_rows = [
        {"function": name(*key), "self_share": round(row[2] / total, 3)} for key, row in ranked
    ]
    return {"total_cpu": total, "top": top_rows, "threads": len(profilers)}


def _status_mib(key: str) -> float:
    """A ``/proc/self/status`` memory figure (``VmRSS``, ``VmHWM``) in MiB (nan elsewhere)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Span:
    """Wall and CPU of a block; with ``profile``, cProfile on every thread's own CPU clock
    (threads started inside the block too), merged by :meth:`data` once they have ended."""

    def __init__(self, profile: bool = False) -> None:
        self.profile = profile
        self.profilers: list[Any] = []
        self.wall = self.cpu = self.rss_before = self.hwm = 0.0
        self._run: Any = None

    def _start_profiler(self) -> Any:
        import cProfile

        profiler = cProfile.Profile(time.thread_time)
        self.profilers.append(profiler)
        profiler.enable()
        return profiler

    def __enter__(self) -> Span:
        if self.profile:
            import threading

            span, original = self, threading.Thread.run
            self._run = original

            def run(thread: threading.Thread) -> None:
                profiler = span._start_profiler()
                try:
                    original(thread)
                finally:
                    profiler.disable()

            threading.Thread.run = run  # type: ignore[method-assign,assignment]
            self._start_profiler()
        self.rss_before = _status_mib("VmRSS")
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.hwm = _status_mib("VmHWM")
        if self.profile:
            import threading

            self.profilers[0].disable()
            threading.Thread.run = self._run  # type: ignore[method-assign]

    def data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "elapsed": self.wall,
            "span_cpu": self.cpu,
            "rss_before_mib": self.rss_before,
            "peak_growth_mib": self.hwm - self.rss_before,
        }
        if self.profilers:
            out["profile"] = profile_summary(*self.profilers)
        return out


def _counter() -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(COUNTER, scope)  # the same socket counter the listing children use
    return scope


def _auth(url: str) -> dict[str, Any]:
    return {
        "ex_force_auth_url": url,
        "ex_force_auth_version": "3.x_password",
        "ex_tenant_name": "demo",
        "ex_domain_name": "Default",
        "ex_force_service_region": "RegionOne",
    }


# ---------------------------------------------------------------------------------- creation
async def create_ours(c: dict[str, Any], profile: bool) -> dict[str, Any]:
    from omnicloud.compute.drivers.openstack import AsyncOpenStackNodeDriver

    counter = _counter()
    driver = AsyncOpenStackNodeDriver(c["user"], c["password"], **_auth(c["url"]))
    async with driver:
        size = next(s for s in await driver.list_sizes() if s.id == c["flavor"])
        image = await driver.get_image(c["image"])
        networks = [c["network"]]
        counter["count_requests"]()
        with Span(profile) as span:
            nodes = await asyncio.gather(
                *(
                    driver.create_node(f"{c['prefix']}{i}", size, image, ex_networks=networks)
                    for i in range(c["n"])
                )
            )
    returned = len({n.id for n in nodes})
    return {**span.data(), "returned": returned, "requests": counter["REQUESTS"][0]}


def create_sdk(c: dict[str, Any]) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    import openstack

    counter = _counter()
    conn = openstack.connect(
        auth_url=c["url"], username=c["user"], password=c["password"], project_name="demo",
        user_domain_name="Default", project_domain_name="Default", region_name="RegionOne",
    )  # fmt: skip
    conn.compute.get_flavor(c["flavor"])  # token, microversion and one request first

    def create(index: int) -> str:
        server = conn.compute.create_server(
            name=f"{c['prefix']}{index}",
            flavor_id=c["flavor"],
            image_id=c["image"],
            networks=[{"uuid": c["network"]}],
        )
        return str(server.id)

    counter["count_requests"]()
    with Span() as span, ThreadPoolExecutor(c["threads"]) as pool:
        ids = set(pool.map(create, range(c["n"])))
    return {**span.data(), "returned": len(ids), "requests": counter["REQUESTS"][0]}


def create_libcloud(c: dict[str, Any]) -> dict[str, Any]:
    from concurrent.futures import ThreadPoolExecutor

    from libcloud.compute.base import NodeImage, NodeSize
    from libcloud.compute.drivers.openstack import OpenStackNetwork
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    counter = _counter()
    cls = get_driver(Provider.OPENSTACK)
    options = {**_auth(c["url"].rsplit("/v3", 1)[0]), "api_version": "2.0"}
    threads = c["threads"]
    drivers = [cls(c["user"], c["password"], **options) for _ in range(threads)]
    drivers[0].ex_get_size(c["flavor"])  # one request first, as the others make
    for driver in drivers:  # each driver authenticates (Keystone) before the timed span
        driver.connection._populate_hosts_and_request_paths()
    image = NodeImage(id=c["image"], name=None, driver=drivers[0])
    size = NodeSize(c["flavor"], "m1.tiny", 512, 1, 0, 0.0, drivers[0])
    network = OpenStackNetwork(c["network"], _openstack_sim.NETWORK, None, drivers[0])

    def create(index: int) -> str:
        node = drivers[index % threads].create_node(
            name=f"{c['prefix']}{index}", size=size, image=image, networks=[network]
        )
        return str(node.id)

    counter["count_requests"]()
    with Span() as span, ThreadPoolExecutor(threads) as pool:
        ids = set(pool.map(create, range(c["n"])))
    return {**span.data(), "returned": len(ids), "requests": counter["REQUESTS"][0]}


def create_child(how: str, config: str, prefix: str, profile: bool = False) -> None:
    c = {**json.loads(config), "prefix": prefix}
    if how == "ours":
        out = asyncio.run(create_ours(c, profile))
    elif how == "sdk":
        out = create_sdk(c)
    else:
        out = create_libcloud(c)
    out["create_cpu"] = out["span_cpu"]
    print(json.dumps(out))


CREATORS = {
    "omnicloud async create_node (gather)": "ours",
    "openstacksdk create_server (threads)": "sdk",
    "Libcloud create_node (threads)": "libcloud",
}
CREATE_BASE = "openstacksdk create_server (threads)"


# ---------------------------------------------------------------------------------- Swift
def swift_ours(c: dict[str, Any], op: str, name: str, path: str, profile: bool) -> dict[str, Any]:
    from omnicloud.storage.drivers.swift import OpenStackSwiftStorageDriver
    from omnicloud.storage.errors import ContainerDoesNotExistError

    driver = OpenStackSwiftStorageDriver(
        c["user"], c["key"], ex_force_auth_url=c["auth"], ex_force_auth_version="1.0",
        segment_size=SEGMENT_MIB * MIB,
    )  # fmt: skip
    with driver:
        with Span(profile) as span:
            try:
                container = driver.get_container(c["container"])
            except ContainerDoesNotExistError:  # the first, untimed upload
                container = driver.create_container(c["container"])
            if op == "upload":
                obj = driver.upload_object(path, container, name)
                size = int(obj.size)
            else:
                obj = driver.get_object(c["container"], name)
                driver.download_object(obj, path, overwrite_existing=True)
                size = os.path.getsize(path)
    return {**span.data(), "bytes": size}  # after close: the driver's threads have ended


def swift_client(c: dict[str, Any], op: str, name: str, path: str, segment: int) -> dict[str, Any]:
    from swiftclient.service import (  # type: ignore[import-untyped]
        SwiftService,
        SwiftUploadObject,
    )

    options = {"auth": c["auth"], "user": c["user"], "key": c["key"], "auth_version": "1.0"}
    with SwiftService(options=options) as service, Span() as span:
        if op == "upload":
            local = {"segment_size": segment * MIB} if segment else {}
            answers = list(
                service.upload(c["container"], [SwiftUploadObject(path, object_name=name)], local)
            )
        else:
            answers = list(service.download(c["container"], [name], {"out_file": path}))
    failed = [a for a in answers if not a.get("success")]
    if failed:
        raise RuntimeError(f"swiftclient {op} failed: {str(failed[0])[:500]}")
    out = {**span.data(), "bytes": os.path.getsize(path)}
    if op == "upload":
        out["segments"] = sum(a.get("action") == "upload_segment" for a in answers)
    return out


def swift_child(how: str, op: str, config: str, name: str, path: str, profile: bool) -> None:
    c = json.loads(config)
    if name.endswith("*"):  # a fresh name per upload run: nothing is overwritten
        name = name[:-1] + secrets.token_hex(4)
    if how == "ours":
        out = swift_ours(c, op, name, path, profile)
    else:
        out = swift_client(c, op, name, path, int(how.split("-", 1)[1]))
    out["mib_s"] = out["bytes"] / MIB / out["elapsed"]
    if op == "download":
        Path(path).unlink(missing_ok=True)
    print(json.dumps(out))


SWIFT_UPLOADERS = {
    "omnicloud upload_object (SLO, 16 MiB segments, 4 at once)": ("ours", "up-omnicloud-*"),
    "swiftclient upload (defaults: one PUT)": ("client-0", "up-swiftclient-*"),
    "swiftclient upload (segment_size 16 MiB, 10 threads)": (
        f"client-{SEGMENT_MIB}",
        "up-swiftclient-16-*",
    ),
}
#: Uploaded once before the timed runs: by swiftclient in one PUT, by omnicloud as an SLO.
PLAIN_OBJECT, SLO_OBJECT = "source-one-put", "source-slo"
SWIFT_DOWNLOADERS = {
    "omnicloud download_object (one-PUT object)": ("ours", PLAIN_OBJECT),
    "swiftclient download (one-PUT object)": ("client-0", PLAIN_OBJECT),
    "omnicloud download_object (SLO object)": ("ours", SLO_OBJECT),
    "swiftclient download (SLO object)": ("client-0", SLO_OBJECT),
}


def make_source(path: Path, size_mib: int) -> None:
    """``size_mib`` MiB of four random 1 MiB blocks in rotation."""
    blocks = [os.urandom(MIB) for _ in range(4)]
    with open(path, "wb") as out:
        for index in range(size_mib):
            out.write(blocks[index % 4])


# ---------------------------------------------------------------------------------- parent
def listings(sim: _openstack_sim.Sim, args: Any) -> list[Series]:
    common = [sim.auth_url, sim.user, sim.password, WARM_FILTER, str(args.page_size)]
    argv = {
        name: [PYTHON, "-c", LIST_CHILD.format(setup=setup), *common, str(_listings(name, args))]
        for name, setup in LIST_CLIENTS.items()
    }
    return compare(argv, args.repeat, warmup=0, label="openstack list", timeout=900)


def _listings(name: str, args: Any) -> int:
    """Timed listings per process: openstacksdk's take half a minute each, so fewer."""
    return int(args.sdk_listings if name == LIST_BASE else args.listings)


def list_profiles(sim: _openstack_sim.Sim, args: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    common = [sim.auth_url, sim.user, sim.password, WARM_FILTER, str(args.page_size)]
    for name in LIST_PROFILED:
        code = PROFILE_LIST_CHILD.format(setup=LIST_CLIENTS[name], root=str(Path.cwd()))
        try:
            found[name] = run_once([PYTHON, "-c", code, *common], timeout=600).data
        except Exception as error:
            found[name] = {"error": str(error)[-500:]}
    return found


def creations(
    sim: _openstack_sim.Sim, seed: dict[str, Any], args: Any
) -> tuple[list[Series], dict[str, list[dict[str, Any]]], dict[str, Any]]:
    config = json.dumps(
        {
            "url": sim.auth_url, "user": sim.user, "password": sim.password, "n": args.creations,
            "threads": args.threads, "flavor": seed["flavor"], "image": seed["image"],
            "network": seed["network"],
        }
    )  # fmt: skip
    checks: dict[str, list[dict[str, Any]]] = {}

    @contextlib.contextmanager
    def fresh_prefix(name: str) -> Iterator[Sequence[str]]:
        prefix = f"c{secrets.token_hex(3)}-"
        yield [prefix]
        checks.setdefault(name, []).append({"prefix": prefix, "created": sim.count_servers(prefix)})

    argv = {name: [*ME, "--create-child", how, config] for name, how in CREATORS.items()}
    rows = compare(
        argv, args.repeat, warmup=0, context=fresh_prefix, label="openstack create", timeout=900
    )
    try:
        profile = run_once([*ME, "--create-child", "ours", config, "cprof-", "profile"]).data
    except Exception as error:
        profile = {"error": str(error)[-500:]}
    return rows, checks, profile


def swift_runs(args: Any) -> tuple[list[Series], list[Series], dict[str, Any], dict[str, Any]]:
    profiles: dict[str, Any] = {}
    with _servers.swift() as server, tempfile.TemporaryDirectory(prefix="os-bench-") as tmp:
        config = json.dumps(
            {"auth": f"{server.endpoint}/auth/v1.0", "user": server.key, "key": server.secret,
             "container": "bench"}
        )  # fmt: skip
        source = Path(tmp, "source.bin")
        make_source(source, args.size_mib)
        log(f"swift: ready at {server.endpoint}; {args.size_mib} MiB source written")
        # The objects the downloads read (and the containers), untimed.
        run_once([*ME, "--swift-child", "ours", "upload", config, SLO_OBJECT, str(source)])
        run_once([*ME, "--swift-child", "client-0", "upload", config, PLAIN_OBJECT, str(source)])
        up_argv = {
            name: [*ME, "--swift-child", how, "upload", config, obj, str(source)]
            for name, (how, obj) in SWIFT_UPLOADERS.items()
        }
        uploads = compare(up_argv, args.swift_repeat, warmup=0, label="swift upload", timeout=900)
        target = str(Path(tmp, "download.bin"))
        down_argv = {
            name: [*ME, "--swift-child", how, "download", config, obj, target]
            for name, (how, obj) in SWIFT_DOWNLOADERS.items()
        }
        downloads = compare(
            down_argv, args.swift_repeat, warmup=0, label="swift download", timeout=900
        )
        for op, obj, path in (
            ("upload", "cprof-*", str(source)),
            ("download", SLO_OBJECT, target),
            ("download", PLAIN_OBJECT, target),
        ):
            key = f"{op} {obj}"
            try:
                argv = [*ME, "--swift-child", "ours", op, config, obj, path, "profile"]
                profiles[key] = run_once(argv, timeout=900).data
            except Exception as error:
                profiles[key] = {"error": str(error)[-500:]}
        info = {"endpoint": server.endpoint, "size_mib": args.size_mib}
    return uploads, downloads, profiles, info


# ---------------------------------------------------------------------------------- report
def _find(rows: Sequence[Series], name: str) -> Series | None:
    return next((s for s in rows if s.name == name and s.ok), None)


def _x(value: float) -> str:
    return f"{value:.2f}x"


def _top(profile: dict[str, Any] | None, count: int = 3) -> str:
    if not profile or "top" not in profile:
        return ""
    parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in profile["top"][:count]]
    return "under cProfile its largest self-time entries are " + ", ".join(parts)


def goals(
    lists: list[Series],
    creates: list[Series],
    uploads: list[Series],
    downloads: list[Series],
    found: dict[str, Any],
    servers: int,
    creations_n: int,
) -> tuple[list[list[str]], list[str]]:
    rows: list[list[str]] = []
    why: list[str] = []
    peer = _find(lists, LIST_BASE)
    for name in LIST_PROFILED:
        goal = f"List {servers:,} servers: {name}, CPU per server ≤ {CPU_GOAL:.2f}x openstacksdk's"
        ours = _find(lists, name)
        if not ours or not peer:
            rows.append([goal, "-", MISSING])
            why.append(f"- **{goal}**: not measured in this run (a client failed).")
            continue
        us, them = ours.metric("cpu") / servers * 1e6, peer.metric("cpu") / servers * 1e6
        count = int(ours.first("count", 0))
        ok = us <= CPU_GOAL * them and count >= servers
        rows.append(
            [goal, f"CPU {us:.1f} vs {them:.1f} µs per server ({_x(us / them)}); "
             f"returned {count:,}", MET if ok else SHORT]
        )  # fmt: skip
        if not ok:
            why.append(
                f"- **{goal}**: CPU per server {_x(us / them)} of openstacksdk's; "
                + _top(found.get("list", {}).get(name))
                + "."
            )
    ours, peer = _find(creates, "omnicloud async create_node (gather)"), _find(creates, CREATE_BASE)
    goal = (
        f"{creations_n} concurrent creations: omnicloud async, CPU per server ≤ "
        f"{CPU_GOAL:.2f}x openstacksdk's (threads)"
    )
    if ours and peer:
        us = ours.metric("create_cpu") / creations_n * 1e3
        them = peer.metric("create_cpu") / creations_n * 1e3
        ok = us <= CPU_GOAL * them
        rows.append(
            [goal, f"CPU {us:.2f} vs {them:.2f} ms per server ({_x(us / them)}); wall "
             f"{ours.metric('elapsed'):.2f} vs {peer.metric('elapsed'):.2f} s",
             MET if ok else SHORT]
        )  # fmt: skip
        if not ok:
            why.append(
                f"- **{goal}**: CPU per server {_x(us / them)} of openstacksdk's (omnicloud sends "
                f"{ours.metric('requests'):.0f} requests, a POST and a GET per server, "
                f"openstacksdk {peer.metric('requests'):.0f}); " + _top(found.get("create")) + "."
            )
    else:
        rows.append([goal, "-", MISSING])
        why.append(f"- **{goal}**: not measured in this run (a client failed).")
    pairs = [
        ("Swift upload", uploads, "omnicloud upload_object (SLO, 16 MiB segments, 4 at once)",
         "swiftclient upload (defaults: one PUT)", "upload cprof-*"),
        ("Swift upload", uploads, "omnicloud upload_object (SLO, 16 MiB segments, 4 at once)",
         "swiftclient upload (segment_size 16 MiB, 10 threads)", "upload cprof-*"),
        ("Swift download (one-PUT object)", downloads, "omnicloud download_object (one-PUT object)",
         "swiftclient download (one-PUT object)", f"download {PLAIN_OBJECT}"),
        ("Swift download (SLO object)", downloads, "omnicloud download_object (SLO object)",
         "swiftclient download (SLO object)", f"download {SLO_OBJECT}"),
    ]  # fmt: skip
    for label, series, ours_name, peer_name, profile_key in pairs:
        variant = peer_name.split("(", 1)[1].rstrip(")") if "upload" in label else "same object"
        goal = f"{label}: MiB/s ≥ swiftclient's ({variant}) at peak RSS ≤ {RSS_GOAL:.2f}x its"
        ours_s, peer_s = _find(series, ours_name), _find(series, peer_name)
        if not ours_s or not peer_s:
            rows.append([goal, "-", MISSING])
            why.append(f"- **{goal}**: not measured in this run (a client failed).")
            continue
        rate, peer_rate = ours_s.metric("mib_s"), peer_s.metric("mib_s")
        rss, peer_rss = ours_s.rss_mib, peer_s.rss_mib
        fast, lean = rate >= peer_rate, rss <= RSS_GOAL * peer_rss
        rows.append(
            [goal, f"{rate:.0f} vs {peer_rate:.0f} MiB/s ({_x(rate / peer_rate)}); peak RSS "
             f"{rss:.0f} vs {peer_rss:.0f} MiB ({_x(rss / peer_rss)})",
             MET if fast and lean else SHORT]
        )  # fmt: skip
        if fast and lean:
            continue
        reasons = []
        if not fast:
            reasons.append(f"throughput {_x(rate / peer_rate)} of swiftclient's")
        if not lean:
            before, peer_before = ours_s.metric("rss_before_mib"), peer_s.metric("rss_before_mib")
            growth = ours_s.metric("peak_growth_mib")
            peer_growth = peer_s.metric("peak_growth_mib")
            text = (
                f"peak RSS {_x(rss / peer_rss)} of swiftclient's (goal ≤ {RSS_GOAL:.2f}x, i.e. "
                f"{RSS_GOAL * peer_rss:.0f} MiB): omnicloud's process held {before:.0f} MiB "
                f"before the first byte (interpreter, imports, driver; swiftclient's "
                f"{peer_before:.0f} MiB) and grew by {growth:.0f} MiB during the transfer "
                f"(swiftclient's by {peer_growth:.0f} MiB)"
            )
            if before > RSS_GOAL * peer_rss:
                text += (
                    f"; the goal cannot be met by the transfer: omnicloud's floor alone "
                    f"({before:.0f} MiB) is above half of swiftclient's peak"
                )
            reasons.append(text)
        profile = _top(found.get("swift", {}).get(profile_key))
        if profile:
            reasons.append(profile)
        why.append(f"- **{goal}**: " + "; ".join(reasons) + ".")
    return rows, why


def list_table(rows: list[Series], servers: int) -> str:
    base = _find(rows, LIST_BASE)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 8])
            continue
        per = s.metric("cpu") / servers * 1e6
        body.append(
            [
                s.name,
                f"{int(s.first('count', 0)):,}",
                f"{s.metric('requests'):.0f}",
                f"{s.metric('cpu'):.3f}",
                f"{per:.1f}",
                f"{s.metric('best_cpu') / servers * 1e6:.1f}",
                f"{s.metric('list_wall'):.2f}",
                f"{s.rss_mib:.0f}",
                ratio(per, base.metric("cpu") / servers * 1e6) if base else "-",
                ratio(s.metric("list_wall"), base.metric("list_wall")) if base else "-",
            ]
        )
    return markdown(
        [
            "client", "servers returned", "HTTP requests per listing", "CPU s per listing",
            "CPU µs per server", "best µs per server", "wall s per listing",
            "process peak RSS MiB", "CPU vs openstacksdk", "wall vs openstacksdk",
        ],
        body,
    )  # fmt: skip


def create_table(rows: list[Series], checks: dict[str, list[dict[str, Any]]], n: int) -> str:
    base = _find(rows, CREATE_BASE)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 9])
            continue
        created = [c["created"] for c in checks.get(s.name, [])]
        body.append(
            [
                s.name,
                str(len(s.samples)),
                f"{int(statistics.median(created)) if created else '-'}",
                f"{int(s.metric('returned'))}",
                f"{int(s.metric('requests'))}",
                f"{s.metric('elapsed'):.2f}",
                f"{s.metric('create_cpu'):.3f}",
                f"{s.metric('create_cpu') / n * 1e3:.2f}",
                f"{s.rss_mib:.0f}",
                ratio(s.metric("create_cpu"), base.metric("create_cpu")) if base else "-",
                ratio(s.metric("elapsed"), base.metric("elapsed")) if base else "-",
            ]
        )
    return markdown(
        [
            "client", "runs", "servers created (simulator's count)", "servers returned",
            "HTTP requests", "wall s", "client CPU s", "CPU ms per server",
            "process peak RSS MiB", "CPU vs openstacksdk", "wall vs openstacksdk",
        ],
        body,
    )  # fmt: skip


def swift_table(rows: list[Series], pairs: Sequence[tuple[str, str]]) -> str:
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 8])
            continue
        peer = next((_find(rows, p) for o, p in pairs if o == s.name), None)
        segments = s.first("segments")
        body.append(
            [
                s.name,
                str(len(s.samples)),
                f"{s.metric('mib_s'):.0f}",
                f"{s.metric('elapsed'):.2f}",
                f"{s.metric('span_cpu'):.2f}",
                f"{s.rss_mib:.0f}",
                f"{s.metric('rss_before_mib'):.0f}",
                f"{s.metric('peak_growth_mib'):.0f}",
                "-" if segments is None else str(segments),
                ratio(s.metric("mib_s"), peer.metric("mib_s")) if peer else "",
                ratio(s.rss_kib, peer.rss_kib) if peer else "",
            ]
        )
    return markdown(
        [
            "client", "runs", "MiB/s", "transfer s", "client CPU s", "process peak RSS MiB",
            "RSS before the transfer MiB", "peak growth in the transfer MiB",
            "segments (swiftclient's count)", "MiB/s vs swiftclient", "RSS vs swiftclient",
        ],
        body,
    )  # fmt: skip


def profile_lines(found: dict[str, Any], top: int = 5) -> list[str]:
    lines = []
    for name, data in found.items():
        data = data.get("profile", data) if isinstance(data, dict) else {}
        if "top" not in data:
            lines.append(f"- {name}: profile failed")
            continue
        parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:top]]
        lines.append(f"- {name}: " + ", ".join(parts))
    return lines


def _plain_series(value: Any) -> Any:
    if isinstance(value, Series):
        return {**value.summary(), "samples": [vars(s) for s in value.samples]}
    raise TypeError(f"cannot serialise {type(value).__name__}")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--create-child":
        rest = sys.argv[2:]
        create_child(rest[0], rest[1], rest[2], len(rest) > 3 and rest[3] == "profile")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--swift-child":
        rest = sys.argv[2:]
        how, op, config, name, path = rest[:5]
        swift_child(how, op, config, name, path, len(rest) > 5 and rest[5] == "profile")
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--servers", type=int, default=pick(5000, 120))
    parser.add_argument("--page-size", type=int, default=pick(1000, 50))
    parser.add_argument("--creations", type=int, default=pick(100, 10))
    parser.add_argument("--threads", type=int, default=pick(100, 10))
    parser.add_argument("--size-mib", type=int, default=pick(1024, 40))
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("--swift-repeat", type=int, default=pick(2, 1))
    parser.add_argument("--listings", type=int, default=pick(3, 1))
    parser.add_argument("--sdk-listings", type=int, default=1)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument(
        "--only", choices=("all", "swift"), default="all",
        help="swift: the Swift transfers only (no simulator runs), with their goals",
    )  # fmt: skip
    args = parser.parse_args()
    if args.only == "swift":
        swift_only(args)
        return
    begun = time.monotonic()
    load = os.getloadavg()
    password = "bench-" + secrets.token_hex(8)
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="os-sim-") as tmp:
        state = str(Path(tmp, "openstack.db"))
        seed = run_once(
            [PYTHON, "-m", "bench._openstack_sim", "seed", state, password, str(args.servers)],
            timeout=600,
        ).data
        log(f"openstack: seeded {seed}")
        with _openstack_sim.serve(state, password, args.latency) as sim:
            log(f"openstack: simulator at {sim.auth_url}; listing {args.servers} servers")
            lists = listings(sim, args)
            found["list"] = list_profiles(sim, args)
            log(f"openstack: {args.creations} concurrent creations")
            creates, checks, found["create"] = creations(sim, seed, args)
    log("openstack: Swift")
    uploads, downloads, found["swift"], swift_info = swift_runs(args)
    elapsed = time.monotonic() - begun
    payload = {
        "args": vars(args),
        "seed": seed,
        "list": lists,
        "create": creates,
        "create_checks": checks,
        "swift_upload": uploads,
        "swift_download": downloads,
        "swift": swift_info,
        "profiles": found,
        "versions": versions(*PACKAGES),
        "elapsed_s": elapsed,
    }
    save("openstack", payload)
    rows, why = goals(lists, creates, uploads, downloads, found, args.servers, args.creations)
    found_versions = ", ".join(f"{k} {v}" for k, v in versions(*PACKAGES).items())
    lines = [
        "## OpenStack (issue 26)",
        "",
        f"One OpenStack simulator (`omnicloud sim serve openstack --latency {args.latency}`, its "
        "own process, one uvicorn worker) for the listing and creation runs, the real Swift of "
        "`scripts/services/swift.sh` (tempauth, auth v1.0) for the transfers; every client in "
        f"fresh processes ({args.repeat} per client for the simulator, {args.swift_repeat} for "
        f"Swift; order rotating); tables show medians. {elapsed / 60:.1f} min in all; load "
        f"average when it began {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} (a shared machine). "
        f"Versions: {found_versions}.",
        "",
        "### Goals (issue 26: client CPU per server at most half of openstacksdk's; Swift "
        "throughput at least swiftclient's at at most half its peak RSS)",
        "",
        markdown(["goal", "measured (omnicloud vs peer)", "verdict"], rows, align="lll"),
        "",
        *why,
        "",
        f"### List {args.servers:,} servers",
        "",
        f"{args.servers:,} servers (m1.tiny, cirros, no NIC) in the `demo` project: one created "
        "through the API, the others copies of its stored document written straight into the "
        f"simulator's state before it was served ({seed.get('copy_s', 0):.1f} s). Listing is "
        "`GET /servers/detail` paged with `limit`/`marker` and `servers_links`: omnicloud "
        f"asks for pages of {args.page_size} (`page_size={args.page_size}`), openstacksdk and "
        "Libcloud send no `limit` and get the simulator's largest page (1000). Libcloud runs "
        "its `OpenStack_2_NodeDriver` (`api_version=\"2.0\"`): the default 1.1 class reads the "
        "first page only. Each process warms up with a listing filtered to ten servers "
        "(Libcloud: `list_sizes`), then times "
        f"{args.listings} listing(s) ({args.sdk_listings} for openstacksdk, whose listings take "
        "half a minute each) with `time.process_time()`; request counts are per timed listing. "
        "Per-server CPU divides by the servers the simulator holds.",
        "",
        list_table(lists, args.servers),
        *failures(lists),
        "",
        f"### {args.creations} concurrent server creations",
        "",
        f"Each run creates {args.creations} m1.tiny cirros servers with a port on the `bench` "
        "network (10.20.0.0/20), names with a prefix of its own (the simulator's count of "
        "servers with that prefix afterwards gives `created`). All three return once Nova "
        "accepted the server (202, status BUILD), not when it is ACTIVE; omnicloud and "
        "Libcloud then read it back once (`GET /servers/{id}`), openstacksdk keeps the 202's "
        f"document. omnicloud: the async driver, `asyncio.gather` of {args.creations} "
        "`create_node` calls; openstacksdk: one `openstack.connect()` shared by a "
        f"`ThreadPoolExecutor` of {args.threads} threads (keystoneauth's requests session, "
        f"default pool); Libcloud: {args.threads} threads, one driver each, each authenticated "
        "before the span. Each client sends one request (flavor lookup) first; wall and client "
        "CPU (all threads) cover the creations only. The simulator serves one request at a "
        "time and reads every server of the project for each quota check, so wall here is "
        "mostly the simulator's.",
        "",
        create_table(creates, checks, args.creations),
        *failures(creates),
        "",
        *swift_section(args, uploads, downloads),
        "Where omnicloud's CPU goes (cProfile on the CPU clock, every thread's own for the "
        "creations and transfers; share of self time; profiling inflates small calls, so read "
        "it as a ranking):",
        "",
        *profile_lines({**found.get("list", {}), "async creations": found.get("create", {}),
                        **{f"Swift {k}": v for k, v in found.get("swift", {}).items()}}),
    ]  # fmt: skip
    print("\n".join(lines))


def swift_section(args: Any, uploads: list[Series], downloads: list[Series]) -> list[str]:
    """The Swift transfer section: how it was measured, then the two tables."""
    up_pairs = [(n, "swiftclient upload (defaults: one PUT)") for n in SWIFT_UPLOADERS]
    down_pairs = [
        ("omnicloud download_object (one-PUT object)", "swiftclient download (one-PUT object)"),
        ("omnicloud download_object (SLO object)", "swiftclient download (SLO object)"),
    ]
    return [
        f"### Swift: {args.size_mib:,} MiB upload and download",
        "",
        f"A {args.size_mib:,} MiB file (four random 1 MiB blocks in rotation) from a temporary "
        "directory, uploaded to container `bench` and downloaded to a file; MiB/s over the "
        "client's whole transfer (authentication and the container HEAD included), CPU over the "
        "same span, peak RSS of the whole process. omnicloud: `OpenStackSwiftStorageDriver`, "
        f"`upload_object` (a static large object of {SEGMENT_MIB} MiB segments, 4 at once, each "
        "streamed from the file and hashed on the way, its ETag checked) and `download_object` "
        "(a one-PUT object as one stream; an SLO segment by "
        "segment, each against its manifest MD5). swiftclient: `SwiftService.upload` with its "
        "defaults (no `segment_size`: one PUT of the whole file) and with `segment_size` "
        f"{SEGMENT_MIB} MiB (its 10 segment threads; SLO when the cluster offers it), "
        "`SwiftService.download` (one GET; MD5 checked for a one-PUT object). Downloads read "
        "the object swiftclient uploaded in one PUT and the SLO omnicloud uploaded.",
        "",
        swift_table(uploads, up_pairs),
        *failures(uploads),
        "",
        swift_table(downloads, down_pairs),
        *failures(downloads),
        "",
    ]  # fmt: skip


def swift_only(args: Any) -> None:
    """``--only swift``: the Swift transfers and their goals, nothing on the simulator."""
    begun = time.monotonic()
    load = os.getloadavg()
    uploads, downloads, profiles, swift_info = swift_runs(args)
    elapsed = time.monotonic() - begun
    found = {"swift": profiles}
    save("openstack-swift", {"args": vars(args), "swift_upload": uploads,
                             "swift_download": downloads, "swift": swift_info,
                             "profiles": found, "versions": versions(*PACKAGES),
                             "elapsed_s": elapsed})  # fmt: skip
    rows, why = goals([], [], uploads, downloads, found, args.servers, args.creations)
    keep = [row for row in rows if row[0].startswith("Swift")]
    found_versions = ", ".join(f"{k} {v}" for k, v in versions(*PACKAGES).items())
    lines = [
        "### Goals (issue 26, Swift part: throughput at least swiftclient's at at most half its "
        "peak RSS)",
        "",
        f"The real Swift of `scripts/services/swift.sh` (tempauth, auth v1.0); every client in "
        f"fresh processes ({args.swift_repeat} per client; order rotating); tables show "
        f"medians. {elapsed / 60:.1f} min in all; load average when it began {load[0]:.2f}, "
        f"{load[1]:.2f}, {load[2]:.2f} (a shared machine). Versions: {found_versions}.",
        "",
        markdown(["goal", "measured (omnicloud vs peer)", "verdict"], keep, align="lll"),
        "",
        *[line for line in why if line.startswith("- **Swift")],
        "",
        *swift_section(args, uploads, downloads),
        "Where omnicloud's CPU goes (cProfile on the CPU clock, every thread's own; share of "
        "self time; profiling inflates small calls, so read it as a ranking):",
        "",
        *profile_lines({f"Swift {k}": v for k, v in profiles.items()}),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
