"""AWS on one moto server (issue 25): EC2 listing and concurrent creation, Route53 listing.

Everything runs against the same ``moto_server`` (``bench._servers.moto``), started once:

1. Describe ``--instances`` instances (2,000, one per reservation, each with two tags), paged:
   omnicloud's EC2 driver ``list_nodes()`` sync and async (``page_size`` 1000, the driver's
   default: ``MaxResults=1000``), boto3's ``describe_instances`` paginator with
   ``PageSize=1000`` (the same pages), and Libcloud's EC2 driver ``list_nodes()``, which sends
   no ``MaxResults`` and never pages (moto then answers its default 100 reservations) and parses
   with its exact EC2 namespace. Each run is a fresh process that lists once to warm up, then
   ``--listings`` times; client CPU is ``time.process_time()`` around each listing (median).
   One more, untimed listing counts the HTTP requests the client writes to its sockets.
2. ``--creations`` (100) concurrent ``RunInstances``: omnicloud's async driver
   (``asyncio.gather`` of ``create_node``, up to 100 connections), boto3 on a
   ``ThreadPoolExecutor`` of ``--threads`` (100) threads sharing one client
   (``max_pool_connections`` = threads), Libcloud on as many threads, one driver per thread (a
   Libcloud connection is not thread-safe). Each run creates in a region of its own (warmed
   first), and the instances found there afterwards are counted with boto3.
3. ``--records`` (1,000) A records in one hosted zone: omnicloud's Route53 driver
   ``list_records`` (sync) vs boto3's ``list_resource_record_sets`` paginator; both ask for
   pages of 300 record sets (Route53's largest).

Then one cProfile run (CPU clock) of each omnicloud and boto3 listing.

    .venv/bin/python -m bench.bench_aws [--instances 2000] [--creations 100] [--records 1000]

Writes ``bench/results/aws.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
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

ME = [PYTHON, "-m", "bench.bench_aws"]
AMI = "ami-12c6146b"  # one of moto's built-in images, in every region
SIZE = "t2.micro"
LIST_REGION = "eu-west-1"
#: One region per creation run (warmed first), so no run creates next to another's instances.
CREATE_REGIONS = (
    "us-east-2", "us-west-1", "us-west-2", "eu-west-2", "eu-west-3", "eu-central-1",
    "eu-north-1", "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-1",
    "ap-southeast-2", "ca-central-1", "sa-east-1", "ap-northeast-3", "eu-south-1",
    "af-south-1", "ap-east-1",
)  # fmt: skip
ZONE_NAME = "bench-aws.example.com"

# ---------------------------------------------------------------------------------- children
#: Counts the HTTP requests a client writes: every socket write that starts a request line
#: (urllib3, requests and aiohttp all write a request's head in one call).
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

EC2_CLIENTS = {
    "omnicloud list_nodes (sync)": """
from omnicloud import Provider, get_driver
driver = get_driver(Provider.EC2)(KEY, SECRET, region=REGION, endpoint=URL, page_size=PAGE)
run = lambda: driver.list_nodes()
""",
    "omnicloud list_nodes (async)": """
import asyncio
from omnicloud import Provider
from omnicloud.aio import get_driver
loop = asyncio.new_event_loop()
driver = get_driver(Provider.EC2)(KEY, SECRET, region=REGION, endpoint=URL, page_size=PAGE)
run = lambda: loop.run_until_complete(driver.list_nodes())
""",
    "boto3 describe_instances paginator": """
import boto3
client = boto3.client("ec2", endpoint_url=URL, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
pager = client.get_paginator("describe_instances")
run = lambda: [i for page in pager.paginate(PaginationConfig={"PageSize": PAGE})
               for r in page["Reservations"] for i in r["Instances"]]
""",
    "Libcloud list_nodes": """
from urllib.parse import urlsplit
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider
where = urlsplit(URL)
driver = get_driver(Provider.EC2)(KEY, SECRET, region=REGION, host=where.hostname,
                                  port=where.port, secure=False, signature_version="4")
run = lambda: driver.list_nodes()
""",
}
EC2_BASE = "boto3 describe_instances paginator"

R53_CLIENTS = {
    "omnicloud list_records (sync)": """
from omnicloud import DriverType, get_driver
driver = get_driver(DriverType.DNS, "route53")(KEY, SECRET, endpoint=URL)
zone = driver.get_zone(TARGET)
run = lambda: driver.list_records(zone)
""",
    "boto3 list_resource_record_sets paginator": """
import boto3
client = boto3.client("route53", endpoint_url=URL, region_name=REGION, aws_access_key_id=KEY,
                      aws_secret_access_key=SECRET)
pager = client.get_paginator("list_resource_record_sets")
run = lambda: [s for page in pager.paginate(HostedZoneId=TARGET, PaginationConfig={"PageSize": 300})
               for s in page["ResourceRecordSets"]]
""",
}
R53_BASE = "boto3 list_resource_record_sets paginator"

LIST_CHILD = (
    """
import gc, json, sys, time
URL, KEY, SECRET, REGION, TARGET = sys.argv[1:6]
PAGE, LISTINGS = int(sys.argv[6]), int(sys.argv[7])
"""
    + COUNTER
    + """
{setup}
items = run()  # warm-up: imports, connection, first pages
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
                  "list_wall": walls[len(walls) // 2], "count": count,
                  "requests": REQUESTS[0]}}))
"""
)

PROFILE_CHILD = """
import cProfile, json, pstats, sys, time
URL, KEY, SECRET, REGION, TARGET = sys.argv[1:6]
PAGE = int(sys.argv[6])
{setup}
run()  # warm-up
profiler = cProfile.Profile(time.process_time)  # CPU, not time spent waiting for the server
profiler.enable()
items = run()
profiler.disable()
stats = pstats.Stats(profiler)
total = sum(row[2] for row in stats.stats.values()) or 1.0
top = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:10]
cumulative = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])[:25]
def name(file, line, func):
    return f"{{func}} ({{file.rsplit('/', 2)[-1] if '/' in file else file}}:{{line}})"
print(json.dumps({{"count": len(items), "total_cpu": total, "top": [
    {{"function": name(*key), "self_share": round(row[2] / total, 3)}} for key, row in top],
    "cumulative": [{{"function": name(*key), "cum_share": round(row[3] / total, 3)}}
                   for key, row in cumulative]}}))
"""
PROFILED = {
    "omnicloud list_nodes (sync)": ("ec2", EC2_CLIENTS),
    EC2_BASE: ("ec2", EC2_CLIENTS),
    "omnicloud list_records (sync)": ("r53", R53_CLIENTS),
    R53_BASE: ("r53", R53_CLIENTS),
}

SEED = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import boto3
from botocore.config import Config
URL, KEY, SECRET, REGION, AMI, SIZE, ZONE = sys.argv[1:8]
INSTANCES, RECORDS = int(sys.argv[8]), int(sys.argv[9])
auth = dict(endpoint_url=URL, aws_access_key_id=KEY, aws_secret_access_key=SECRET,
            config=Config(max_pool_connections=8, retries={"max_attempts": 10}))
ec2 = boto3.client("ec2", region_name=REGION, **auth)
def one(index):
    tags = [{"Key": "Name", "Value": f"web-{index:05d}"}, {"Key": "env", "Value": "bench"}]
    ec2.run_instances(ImageId=AMI, InstanceType=SIZE, MinCount=1, MaxCount=1,
                      TagSpecifications=[{"ResourceType": "instance", "Tags": tags}])
started = time.perf_counter()
with ThreadPoolExecutor(4) as pool:
    list(pool.map(one, range(INSTANCES)))
seeded = time.perf_counter() - started
listed = sum(len(r["Instances"]) for p in ec2.get_paginator("describe_instances").paginate(
    PaginationConfig={"PageSize": 1000}) for r in p["Reservations"])
r53 = boto3.client("route53", region_name="us-east-1", **auth)
zone = r53.create_hosted_zone(Name=ZONE, CallerReference=str(time.time()))["HostedZone"]["Id"]
changes = [{"Action": "CREATE", "ResourceRecordSet": {
    "Name": f"host{i:05d}.{ZONE}.", "Type": "A", "TTL": 300,
    "ResourceRecords": [{"Value": f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}"}]}}
    for i in range(RECORDS)]
for at in range(0, len(changes), 1000):
    batch = {"Changes": changes[at:at + 1000]}
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch=batch)
sets = sum(len(p["ResourceRecordSets"]) for p in r53.get_paginator(
    "list_resource_record_sets").paginate(HostedZoneId=zone))
print(json.dumps({"zone": zone.rsplit("/", 1)[-1], "instances": listed, "record_sets": sets,
                  "seed_s": seeded}))
"""

COUNT_INSTANCES = """
import json, sys
import boto3
URL, KEY, SECRET, REGION = sys.argv[1:5]
ec2 = boto3.client("ec2", endpoint_url=URL, region_name=REGION, aws_access_key_id=KEY,
                   aws_secret_access_key=SECRET)
pages = ec2.get_paginator("describe_instances").paginate(PaginationConfig={"PageSize": 1000})
print(json.dumps({"instances": sum(len(r["Instances"]) for p in pages for r in p["Reservations"])}))
"""


def _counter() -> dict[str, Any]:
    scope: dict[str, Any] = {}
    exec(COUNTER, scope)  # the same socket counter the listing children use
    return scope


async def create_ours(url: str, key: str, secret: str, region: str, n: int) -> dict[str, Any]:
    from omnicloud import Provider
    from omnicloud.aio import get_driver

    counter = _counter()
    async with get_driver(Provider.EC2)(key, secret, region=region, endpoint=url) as driver:
        image = await driver.get_image(AMI)
        size = (await driver.list_sizes(ex_instance_types=[SIZE]))[0]
        counter["count_requests"]()
        start, cpu = time.perf_counter(), time.process_time()
        nodes = await asyncio.gather(
            *(driver.create_node(f"bench-{i}", size, image) for i in range(n))
        )
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    ids = {node.id for node in nodes}
    return {
        "elapsed": elapsed,
        "create_cpu": cpu,
        "returned": len(ids),
        "requests": counter["REQUESTS"][0],
    }


def create_boto3(url: str, key: str, secret: str, region: str, n: int, threads: int) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    import boto3
    from botocore.config import Config

    counter = _counter()
    client = boto3.client(
        "ec2",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(max_pool_connections=threads),
    )
    client.describe_images(ImageIds=[AMI])  # one request first, as the others make

    def create(index: int) -> str:
        tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": f"b-{index}"}]}]
        answer = client.run_instances(
            ImageId=AMI, InstanceType=SIZE, MinCount=1, MaxCount=1, TagSpecifications=tags
        )
        return str(answer["Instances"][0]["InstanceId"])

    counter["count_requests"]()
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        ids = set(pool.map(create, range(n)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "elapsed": elapsed,
        "create_cpu": cpu,
        "returned": len(ids),
        "requests": counter["REQUESTS"][0],
    }


def create_libcloud(url: str, key: str, secret: str, region: str, n: int, threads: int) -> dict:
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlsplit

    from libcloud.compute.base import NodeImage, NodeSize
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider

    counter = _counter()
    where = urlsplit(url)
    cls = get_driver(Provider.EC2)
    drivers = [
        cls(
            key,
            secret,
            region=region,
            host=where.hostname,
            port=where.port,
            secure=False,
            signature_version="4",
        )
        for _ in range(threads)
    ]
    drivers[0].list_images(ex_image_ids=[AMI])  # one request first, as the others make
    image = NodeImage(id=AMI, name=None, driver=drivers[0])
    size = NodeSize(SIZE, SIZE, 1024, 0, 0, 0.0, drivers[0])

    def create(index: int) -> list[str]:
        node = drivers[index % threads].create_node(name=f"lc-{index}", size=size, image=image)
        found = node if isinstance(node, list) else [node]
        return [str(n.id) for n in found]  # [] when Libcloud read nothing from the answer

    counter["count_requests"]()
    start, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        ids = {i for found in pool.map(create, range(n)) for i in found}
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "elapsed": elapsed,
        "create_cpu": cpu,
        "returned": len(ids),
        "requests": counter["REQUESTS"][0],
    }


def create_child(argv: Sequence[str]) -> None:
    how, url, key, secret, region, count, threads = argv
    n, t = int(count), int(threads)
    if how == "ours":
        out = asyncio.run(create_ours(url, key, secret, region, n))
    elif how == "boto3":
        out = create_boto3(url, key, secret, region, n, t)
    else:
        out = create_libcloud(url, key, secret, region, n, t)
    print(json.dumps(out))


CREATORS = {
    "omnicloud async create_node (gather)": "ours",
    "boto3 run_instances (threads)": "boto3",
    "Libcloud create_node (threads)": "libcloud",
}
CREATE_BASE = "boto3 run_instances (threads)"


# ---------------------------------------------------------------------------------- parent
def _list_argv(clients: dict[str, str], server: Any, region: str, target: str, page: int,
               listings: int) -> dict[str, list[str]]:  # fmt: skip
    args = [server.endpoint, server.key, server.secret, region, target, str(page), str(listings)]
    return {
        name: [PYTHON, "-c", LIST_CHILD.format(setup=setup), *args]
        for name, setup in clients.items()
    }


def count_instances(server: Any, region: str) -> int:
    sample = run_once([PYTHON, "-c", COUNT_INSTANCES, *server.args()[:3], region], timeout=300)
    return int(sample.data["instances"])


def creations(server: Any, args: Any) -> tuple[list[Series], dict[str, list[dict[str, Any]]]]:
    regions = iter(CREATE_REGIONS)
    checks: dict[str, list[dict[str, Any]]] = {}

    @contextlib.contextmanager
    def fresh_region(name: str) -> Iterator[Sequence[str]]:
        region = next(regions)
        before = count_instances(server, region)  # also warms moto's backend for the region
        yield [region, str(args.creations), str(args.threads)]
        after = count_instances(server, region)
        checks.setdefault(name, []).append({"region": region, "created": after - before})

    argv = {
        name: [*ME, "--create-child", how, *server.args()[:3]] for name, how in CREATORS.items()
    }
    rows = compare(
        argv, args.repeat, warmup=0, context=fresh_region, label="aws create", timeout=900
    )
    return rows, checks


def profiles(server: Any, region: str, zone: str, page: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, (kind, clients) in PROFILED.items():
        code = PROFILE_CHILD.format(setup=clients[name])
        where = [region, "-"] if kind == "ec2" else ["us-east-1", zone]
        argv = [PYTHON, "-c", code, server.endpoint, server.key, server.secret, *where, str(page)]
        try:
            found[name] = run_once(argv, timeout=600).data
        except Exception as error:
            found[name] = {"error": str(error)[-500:]}
    return found


# ---------------------------------------------------------------------------------- report
def _per_item(s: Series, items: int) -> float:
    return s.metric("cpu") / items * 1e6 if items else float("nan")


def list_table(rows: list[Series], base_name: str, items: int, unit: str) -> str:
    base = next((s for s in rows if s.name == base_name and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", *[""] * 9])
            continue
        per = _per_item(s, items)
        body.append(
            [
                s.name,
                f"{int(s.first('count', 0)):,}",
                f"{s.first('requests', '-')}",
                f"{s.metric('cpu'):.3f}",
                f"{per:.1f}",
                f"{s.metric('best_cpu') / items * 1e6:.1f}",
                f"{s.metric('list_wall'):.2f}",
                f"{s.rss_mib:.0f}",
                ratio(per, _per_item(base, items)) if base else "-",
                ratio(s.metric("list_wall"), base.metric("list_wall")) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "items returned",
            "HTTP requests per listing",
            "CPU s per listing",
            f"CPU µs per {unit[:-1]}",
            f"best µs per {unit[:-1]}",
            "wall s per listing",
            "process peak RSS MiB",
            "CPU vs boto3",
            "wall vs boto3",
        ],
        body,
    )


def create_table(rows: list[Series], checks: dict[str, list[dict[str, Any]]], n: int) -> str:
    base = next((s for s in rows if s.name == CREATE_BASE and s.ok), None)
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
            "client",
            "runs",
            "instances created (moto's count)",
            "instances returned to the caller",
            "HTTP requests",
            "wall s",
            "client CPU s",
            "CPU ms per instance",
            "process peak RSS MiB",
            "CPU vs boto3",
            "wall vs boto3",
        ],
        body,
    )


def profile_lines(found: dict[str, Any], top: int = 5) -> list[str]:
    lines = []
    for name, data in found.items():
        if "top" not in data:
            lines.append(f"- {name}: profile failed")
            continue
        parts = [f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:top]]
        lines.append(f"- {name}: " + ", ".join(parts))
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--create-child":
        create_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=pick(2000, 120))
    parser.add_argument("--page-size", type=int, default=pick(1000, 50))
    parser.add_argument("--creations", type=int, default=pick(100, 10))
    parser.add_argument("--threads", type=int, default=pick(100, 10))
    parser.add_argument("--records", type=int, default=pick(1000, 100))
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("--listings", type=int, default=pick(3, 1))
    args = parser.parse_args()
    from bench._report import aws_goals

    with _servers.moto() as server:
        log(f"aws: moto ready at {server.endpoint}; seeding {args.instances} instances")
        seed = run_once(
            [
                PYTHON, "-c", SEED, *server.args()[:3], LIST_REGION, AMI, SIZE, ZONE_NAME,
                str(args.instances), str(args.records),
            ],
            timeout=3600,
        ).data  # fmt: skip
        log(f"aws: seeded {seed}")
        zone, sets, instances = seed["zone"], int(seed["record_sets"]), int(seed["instances"])
        log(f"aws: describe {instances} instances")
        ec2_rows = compare(
            _list_argv(EC2_CLIENTS, server, LIST_REGION, "-", args.page_size, args.listings),
            args.repeat,
            warmup=0,
            label="aws describe",
            timeout=1800,
        )
        log(f"aws: list {sets} record sets")
        r53_rows = compare(
            _list_argv(R53_CLIENTS, server, "us-east-1", zone, args.page_size, args.listings),
            args.repeat,
            warmup=0,
            label="aws route53",
            timeout=1800,
        )
        log(f"aws: {args.creations} concurrent creations")
        create_rows, checks = creations(server, args)
        log("aws: profiles")
        found = profiles(server, LIST_REGION, zone, args.page_size)
    payload = {
        "args": vars(args),
        "seed": seed,
        "describe": ec2_rows,
        "route53": r53_rows,
        "create": create_rows,
        "create_checks": checks,
        "profiles": found,
    }
    save("aws", payload)
    document = json.loads(json.dumps(payload, default=_plain_series))
    goals, why = aws_goals(document)
    lines = [
        "## AWS on moto (issue 25)",
        "",
        f"One `moto_server` for the whole run, every client in fresh processes ({args.repeat} "
        "per client, order rotating); tables show medians. Listing CPU is "
        f"`time.process_time()` around each of {args.listings} listings after a warm-up listing "
        "in the same process (imports and the first connection excluded); the request counts "
        "come from one more listing, untimed, counting the requests the client writes to its "
        "sockets. moto pages `DescribeInstances` by reservation (one instance each here) and "
        "answers 100 when no `MaxResults` is sent.",
        "",
        "### Goals (issue 25: wall at most boto3's, client CPU per item at most half of boto3's)",
        "",
        markdown(["goal", "measured (omnicloud vs boto3)", "verdict"], goals, align="lll"),
        "",
        *why,
        "",
        f"### Describe {instances:,} instances (paged)",
        "",
        f"{instances:,} instances in {LIST_REGION}, one per reservation, each with a `Name` and "
        f"an `env` tag (seeded by boto3 in {seed.get('seed_s', 0):.0f} s). omnicloud and boto3 "
        f"ask for pages of {args.page_size} (`MaxResults={args.page_size}`: omnicloud's driver "
        f"`page_size`, boto3's `PaginationConfig={{'PageSize': {args.page_size}}}`); Libcloud "
        "sends one `DescribeInstances` without `MaxResults` (it never pages) and, against moto, "
        "finds no instance in the answer (an XML namespace it does not expect), so it stops "
        "there. Per-instance CPU divides by "
        f"{instances:,} for every client, so Libcloud's row reads per instance the server held.",
        "",
        list_table(ec2_rows, EC2_BASE, instances, "instances"),
        *failures(ec2_rows),
        "",
        f"### {args.creations} concurrent instance creations",
        "",
        f"Each run creates {args.creations} `{SIZE}` instances of `{AMI}`, one `RunInstances` "
        "each, in a region of its own (warmed with one listing first; moto's count of the "
        "region's instances before and after gives `created`). omnicloud: the async driver, "
        f"`asyncio.gather` of {args.creations} `create_node` calls (its pool holds up to 100 "
        f"connections); boto3: one client on a `ThreadPoolExecutor` of {args.threads} threads "
        f"(`max_pool_connections={args.threads}`); Libcloud: {args.threads} threads, one driver "
        "each. Each client sends one request (image lookup) before the timed span; wall and "
        "client CPU (all threads) cover the creations only.",
        "",
        create_table(create_rows, checks, args.creations),
        *failures(create_rows),
        "",
        f"### Route53: {sets:,} record sets listed",
        "",
        f"One hosted zone with {args.records:,} A records (plus the apex SOA and NS sets). "
        "omnicloud's Route53 driver `list_records` (one `Record` per value: the NS set of four "
        "values gives four) vs boto3's `list_resource_record_sets` paginator "
        "(`PageSize=300`); both ask for pages of 300 sets (`maxitems=300`). Per-set CPU "
        f"divides by {sets:,} sets for both.",
        "",
        list_table(r53_rows, R53_BASE, sets, "sets"),
        *failures(r53_rows),
        "",
        "Where the CPU goes in one listing (cProfile on the CPU clock, share of self time; "
        "profiling inflates small calls, so read it as a ranking):",
        "",
        *profile_lines(found),
    ]
    print("\n".join(lines))


def _plain_series(value: Any) -> Any:
    if isinstance(value, Series):
        return {**value.summary(), "samples": [vars(s) for s in value.samples]}
    raise TypeError(f"cannot serialise {type(value).__name__}")


if __name__ == "__main__":
    main()
