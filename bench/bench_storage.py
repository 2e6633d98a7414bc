"""Storage: 1 GiB S3 upload and download, omnicloud vs boto3 vs Libcloud, on moto, ministack and
Swift s3api; listing 50,000 objects; the local driver's write speed vs ``cp``.

Every measurement is one fresh child process (wall, CPU, peak RSS from the harness); clients
alternate order from round to round. Inside the child, ``transfer_s`` runs from the first request
to the last byte, so MiB/s leave out interpreter start-up and imports. Data is generated on the
fly (four random 1 MiB blocks in rotation), so producing it costs the client almost nothing, and
every download reads one object written once by boto3 before the timed runs.

    .venv/bin/python -m bench.bench_storage [--size-mib 1024] [--repeat 2] [--objects 50000]
        [--servers moto,ministack,swift] [--list-servers moto,ministack]

Listing needs 50,000 objects in a bucket first: moto's are put straight into its in-process
backend (``python -m bench.bench_storage --moto-seeded``), ministack's through signed PUTs on
a few keep-alive connections. Swift is left out of the listing by default: its proxy stores
objects one by one, slowly enough that seeding alone would take most of the time budget.

Writes ``bench/results/storage.json`` and prints a Markdown section.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
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
    versions,
)

MIB = 1024 * 1024
BUCKET = "bench"
LIST_BUCKET = "listing"
SOURCE = "source.bin"
UPLOADERS = ("omnicloud", "boto3", "libcloud")
DOWNLOADERS = ("omnicloud", "boto3", "boto3-stream", "libcloud")
LISTERS = ("omnicloud", "omnicloud-iterate", "boto3", "libcloud")
LABELS = {
    "omnicloud": "omnicloud",
    "omnicloud-iterate": "omnicloud iterate (lazy)",
    "boto3": "boto3",
    "boto3-stream": "boto3 get_object stream",
    "libcloud": "Libcloud",
}
UPLOAD_HOW = {
    "omnicloud": "upload_object_via_stream (multipart, {ours_part} MiB parts, {ours_conc} at once)",
    "boto3": "upload_fileobj (s3transfer: {boto_part} MiB parts, {boto_conc} threads)",
    "libcloud": "upload_object_via_stream (multipart, {lc_part} MiB parts, one at a time)",
}
DOWNLOAD_HOW = {
    "omnicloud": "download_object_as_stream (ranged GETs of 5 MiB, {ours_conc} in flight, "
    "or one stream; 1 MiB chunks)",
    "boto3": "download_fileobj (s3transfer: ranged GETs, {boto_conc} threads)",
    "boto3-stream": "get_object()['Body'].iter_chunks (one GET)",
    "libcloud": "download_object_as_stream (one GET, 1 MiB chunks)",
}


def defaults_child() -> dict[str, float]:
    """The clients' transfer defaults, read from the installed packages."""
    import inspect

    import libcloud.storage.drivers.s3 as libcloud_s3
    from boto3.s3.transfer import TransferConfig

    from omnicloud.storage.drivers.s3 import S3StorageDriver

    ours = inspect.signature(S3StorageDriver.__init__).parameters
    boto = TransferConfig()
    return {
        "ours_part": ours["part_size"].default / MIB,
        "ours_conc": ours["concurrency"].default,
        "boto_part": boto.multipart_chunksize / MIB,
        "boto_conc": boto.max_concurrency,
        "lc_part": libcloud_s3.CHUNK_SIZE / MIB,
    }


def transfer_defaults() -> dict[str, Any]:
    try:
        done = subprocess.run(
            [*ME, "--defaults"], capture_output=True, text=True, timeout=120, check=True
        )
        found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    except Exception:
        found = dict.fromkeys(("ours_part", "ours_conc", "boto_part", "boto_conc", "lc_part"), "?")
    return {k: f"{v:g}" if isinstance(v, float) else v for k, v in found.items()}


# ---------------------------------------------------------------------------------- children
def blocks(total: int) -> Iterator[bytes]:
    pool = [os.urandom(MIB) for _ in range(4)]
    whole, rest = divmod(total, MIB)
    for index in range(whole):
        yield pool[index % 4]
    if rest:
        yield pool[0][:rest]


class Reader:
    """A file-like view of :func:`blocks` for boto3."""

    def __init__(self, total: int) -> None:
        self._it = blocks(total)
        self._rest = b""

    def read(self, size: int = -1) -> bytes:
        out = [self._rest]
        have = len(self._rest)
        while size < 0 or have < size:
            chunk = next(self._it, b"")
            if not chunk:
                break
            out.append(chunk)
            have += len(chunk)
        data = b"".join(out)
        if size >= 0:
            data, self._rest = data[:size], data[size:]
        else:
            self._rest = b""
        return data


class Sink:
    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return len(data)


def boto3_client(endpoint: str, key: str, secret: str, region: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name=region,
        config=Config(s3={"addressing_style": "path"}),
    )


def ours(endpoint: str, key: str, secret: str, region: str) -> Any:
    from omnicloud.storage.drivers.s3 import S3StorageDriver

    return S3StorageDriver(key, secret, endpoint=endpoint, region=region)


def libcloud(endpoint: str, key: str, secret: str, region: str) -> Any:
    from libcloud.storage.drivers.s3 import S3StorageDriver as LibcloudS3

    host, port = endpoint.rsplit("//", 1)[1].split(":")
    return LibcloudS3(key, secret, host=host, port=int(port), secure=False, region=region)


def child(
    client: str,
    op: str,
    server: list[str],
    bucket: str,
    name: str,
    size: int,
    profiler: Any = None,
) -> dict:
    """One transfer or listing; returns what the parent tabulates. ``profiler`` (cProfile), if
    given, runs around the timed part only."""

    def begin() -> tuple[float, float]:
        if profiler is not None:
            profiler.enable()
        return time.perf_counter(), time.process_time()

    def end() -> tuple[float, float]:
        now = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.disable()
        return now

    out: dict[str, Any] = {}
    if op == "upload":
        if client == "omnicloud":
            driver = ours(*server)
            container = driver.get_container(bucket)
            started, cpu0 = begin()
            driver.upload_object_via_stream(blocks(size), container, name)
            stop, cpu = end()
            stored = driver.get_object(bucket, name).size
        elif client == "boto3":
            s3 = boto3_client(*server)
            started, cpu0 = begin()
            s3.upload_fileobj(Reader(size), bucket, name)
            stop, cpu = end()
            stored = s3.head_object(Bucket=bucket, Key=name)["ContentLength"]
        else:
            lc = libcloud(*server)
            container = lc.get_container(bucket)
            started, cpu0 = begin()
            lc.upload_object_via_stream(blocks(size), container, name)
            stop, cpu = end()
            stored = lc.get_object(bucket, name).size
        if stored != size:
            raise SystemExit(f"{client} stored {stored} bytes, expected {size}")
        out.update(bytes=size)
    elif op == "download":
        got = 0
        if client == "omnicloud":
            driver = ours(*server)
            obj = driver.get_object(bucket, name)
            started, cpu0 = begin()
            for chunk in driver.download_object_as_stream(obj, MIB):
                got += len(chunk)
        elif client == "boto3":
            s3 = boto3_client(*server)
            sink = Sink()
            started, cpu0 = begin()
            s3.download_fileobj(bucket, name, sink)
            got = sink.count
        elif client == "boto3-stream":
            s3 = boto3_client(*server)
            started, cpu0 = begin()
            for chunk in s3.get_object(Bucket=bucket, Key=name)["Body"].iter_chunks(MIB):
                got += len(chunk)
        else:
            lc = libcloud(*server)
            obj = lc.get_object(bucket, name)
            started, cpu0 = begin()
            for chunk in lc.download_object_as_stream(obj, chunk_size=MIB):
                got += len(chunk)
        stop, cpu = end()
        if got != size:
            raise SystemExit(f"{client} received {got} bytes, expected {size}")
        out.update(bytes=got)
    else:  # list
        count = 0
        if client in ("omnicloud", "omnicloud-iterate"):
            driver = ours(*server)
            container = driver.get_container(bucket)
            started, cpu0 = begin()
            if client == "omnicloud":
                count = len(driver.list_container_objects(container))
            else:
                count = sum(1 for _ in driver.iterate_container_objects(container))
        elif client == "boto3":
            s3 = boto3_client(*server)
            started, cpu0 = begin()
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                count += len(page.get("Contents", []))
        else:
            lc = libcloud(*server)
            container = lc.get_container(bucket)
            started, cpu0 = begin()
            count = len(lc.list_container_objects(container))
        stop, cpu = end()
        if count != size:
            raise SystemExit(f"{client} listed {count} objects, expected {size}")
        out.update(count=count)
    out.update(transfer_s=stop - started, op_cpu_s=cpu - cpu0)
    return out


PROFILE_TOP = 8


def profile_child(client: str, op: str, server: list[str], bucket: str, name: str, size: int):
    """:func:`child` under cProfile (CPU clock); the functions with the most self time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile(time.process_time)
    out = child(client, op, server, bucket, name, size, profiler)
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in entries.values()) or 1.0
    top = sorted(entries.items(), key=lambda kv: -kv[1][2])[:PROFILE_TOP]
    out["top"] = [
        {
            "function": f"{func} ({file.rsplit('/', 1)[-1]}:{line})",
            "self_share": round(row[2] / total, 3),
        }
        for (file, line, func), row in top
    ]
    return out


def setup_child(server: list[str], size: int) -> None:
    """Create the bucket and the download source (written by boto3, outside any timing)."""
    s3 = boto3_client(*server)
    with contextlib.suppress(Exception):
        s3.create_bucket(Bucket=BUCKET)
    if size:
        s3.upload_fileobj(Reader(size), BUCKET, SOURCE)


def seed_child(server: list[str], count: int, threads: int = 4) -> None:
    """``count`` one-byte objects in LIST_BUCKET via signed PUTs on keep-alive connections."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    from omnicloud.aws._sigv4 import UNSIGNED_PAYLOAD, Credentials, sign_headers

    endpoint, key, secret, region = server
    s3 = boto3_client(*server)
    with contextlib.suppress(Exception):
        s3.create_bucket(Bucket=LIST_BUCKET)
    host, port = endpoint.rsplit("//", 1)[1].split(":")
    credentials = Credentials(key, secret)

    def worker(first: int) -> int:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        done = 0
        for index in range(first, count, threads):
            path = f"/{LIST_BUCKET}/obj/{index:07d}"
            headers = sign_headers(
                "PUT",
                endpoint + path,
                {"Content-Length": "1"},
                credentials=credentials,
                region=region,
                service="s3",
                payload_hash=UNSIGNED_PAYLOAD,
                content_sha256_header=True,
            )
            connection.request("PUT", path, body=b"x", headers={"Content-Length": "1", **headers})
            answer = connection.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"PUT {path}: HTTP {answer.status}")
            done += 1
        connection.close()
        return done

    with ThreadPoolExecutor(threads) as pool:
        total = sum(pool.map(worker, range(threads)))
    assert total == count


def moto_seeded(port: int, count: int) -> None:
    """A moto server (same WSGI app as moto_server) whose LIST_BUCKET holds ``count`` objects."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import ThreadedMotoServer

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(LIST_BUCKET, "us-east-1")
    for index in range(count):
        backend.put_object(LIST_BUCKET, f"obj/{index:07d}", b"x")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


def local_child(source: str, root: str, verify: str) -> dict:
    from omnicloud.storage.drivers.local import LocalStorageDriver

    driver = LocalStorageDriver(root)
    container = driver.get_container("bench")
    started = time.perf_counter()
    driver.upload_object(source, container, "copy.bin", verify_hash=verify == "verify")
    return {"transfer_s": time.perf_counter() - started}


# ---------------------------------------------------------------------------------- parent
ME = [PYTHON, "-m", "bench.bench_storage"]


def _child_argv(client: str, op: str, server: _servers.S3Server, bucket: str, name: str, n: int):
    return [*ME, "--child", client, op, *server.args(), bucket, name, str(n)]


def transfers(server: _servers.S3Server, size: int, repeat: int, profile: bool) -> dict[str, Any]:
    subprocess.run([*ME, "--setup", *server.args(), str(size)], check=True, timeout=1800)
    up = {c: _child_argv(c, "upload", server, BUCKET, f"upload-{c}.bin", size) for c in UPLOADERS}
    down = {c: _child_argv(c, "download", server, BUCKET, SOURCE, size) for c in DOWNLOADERS}
    label = f"storage {server.name}"
    timeout = max(600.0, size / MIB * 3)
    out: dict[str, Any] = {
        "repeat": repeat,
        "upload": compare(up, repeat, warmup=0, label=f"{label} upload", timeout=timeout),
        "download": compare(down, repeat, warmup=0, label=f"{label} download", timeout=timeout),
    }
    if profile:
        out["profiles"] = profiles(server, size)
    return out


def profiles(server: _servers.S3Server, size: int) -> dict[str, Any]:
    """One cProfile'd omnicloud download, for the report's why."""
    found: dict[str, Any] = {}
    # downloads only: an upload's work runs in worker threads, which cProfile does not see
    for op, name, n in (("download", SOURCE, size),):
        argv = [*ME, "--profile", "omnicloud", op, *server.args(), BUCKET, name, str(n)]
        try:
            found[op] = run_once(argv, timeout=max(600.0, size / MIB * 3)).data
        except Exception as error:
            found[op] = {"error": str(error)[-500:]}
    found["server"] = server.name
    return found


@contextlib.contextmanager
def _seeded(name: str, count: int) -> Iterator[tuple[_servers.S3Server, float]]:
    """A server whose LIST_BUCKET holds ``count`` objects, and the seconds seeding took."""
    if name == "moto":
        port = _servers.free_port()
        started = time.perf_counter()
        process = subprocess.Popen(
            [*ME, "--moto-seeded", str(port), str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                raise RuntimeError("the seeded moto server did not start")
            server = _servers.S3Server(
                "moto", f"http://127.0.0.1:{port}", "AKIDMOTO", "moto-secret-key"
            )
            _servers.wait_s3(server)
            yield server, time.perf_counter() - started
        finally:
            if process.stdin:
                process.stdin.close()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        return
    with _servers.S3_SERVERS[name]() as server:
        started = time.perf_counter()
        subprocess.run([*ME, "--seed", *server.args(), str(count)], check=True, timeout=3600)
        yield server, time.perf_counter() - started


def listing(name: str, count: int, repeat: int) -> dict[str, Any]:
    with _seeded(name, count) as (server, seed_s):
        log(f"listing on {name}: {count} objects seeded in {seed_s:.0f} s")
        argv = {c: _child_argv(c, "list", server, LIST_BUCKET, "-", count) for c in LISTERS}
        rows = compare(argv, repeat, warmup=0, label=f"list {name}", timeout=1800)
    return {"server": name, "objects": count, "seed_s": seed_s, "series": rows}


def local_bench(size: int, repeat: int) -> list[Series]:
    work = Path(tempfile.mkdtemp(prefix="omnicloud-bench-", dir=os.environ.get("BENCH_DIR")))
    try:
        source = work / "source.bin"
        with open(source, "wb") as handle:
            for block in blocks(size):
                handle.write(block)
        root = work / "store"
        (root / "bench").mkdir(parents=True)
        me = [*ME, "--local", str(source), str(root)]
        argv = {
            "cp": ["cp", str(source), str(work / "cp.bin")],
            "omnicloud verify_hash=False": [*me, "fast"],
            "omnicloud verify_hash=True": [*me, "verify"],
        }
        targets = [work / "cp.bin", root / "bench" / "copy.bin"]

        @contextlib.contextmanager
        def clean(_name: str) -> Iterator[list[str]]:
            """Every run writes a new file onto a flushed page cache: no run pays for the
            write-back of the one before it."""
            for target in targets:
                target.unlink(missing_ok=True)
            os.sync()
            yield []

        return compare(argv, repeat, warmup=1, context=clean, label="local disk")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------------------------- report
def _mibps(series: Series, size: int) -> float:
    transfer = series.metric("transfer_s")
    return size / MIB / transfer if transfer == transfer and transfer > 0 else float("nan")


def transfer_table(op: str, rows: list[Series], size: int, defaults: dict[str, Any]) -> str:
    base = next((s for s in rows if s.name == "boto3" and s.ok), None)
    how = {
        name: text.format(**defaults)
        for name, text in (UPLOAD_HOW if op == "upload" else DOWNLOAD_HOW).items()
    }
    body = []
    for s in rows:
        if not s.ok:
            body.append([LABELS[s.name], how[s.name], "failed", "", "", "", "", "", ""])
            continue
        speed = _mibps(s, size)
        body.append(
            [
                LABELS[s.name],
                how[s.name],
                f"{speed:.0f}",
                f"{s.metric('transfer_s'):.2f}",
                f"{s.metric('op_cpu_s'):.2f}",
                f"{s.cpu:.2f}",
                f"{s.rss_mib:.0f}",
                ratio(speed, _mibps(base, size)) if base else "-",
                ratio(s.rss_kib, base.rss_kib) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "how",
            "MiB/s",
            "transfer s",
            "transfer CPU s",
            "process CPU s",
            "peak RSS MiB",
            "MiB/s vs boto3",
            "RSS vs boto3",
        ],
        body,
        align="llrrrrrrr",
    )


def list_table(rows: list[Series]) -> str:
    base = next((s for s in rows if s.name == "boto3" and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([LABELS[s.name], "failed", "", "", "", "", "", ""])
            continue
        count = s.first("count", 0) or 1
        body.append(
            [
                LABELS[s.name],
                s.first("count", "-"),
                f"{s.metric('transfer_s'):.2f}",
                f"{s.metric('op_cpu_s'):.2f}",
                f"{s.metric('op_cpu_s') / count * 1e6:.1f}",
                f"{s.rss_mib:.0f}",
                ratio(s.metric("op_cpu_s"), base.metric("op_cpu_s")) if base else "-",
                ratio(s.rss_kib, base.rss_kib) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "objects",
            "listing wall s",
            "listing CPU s",
            "CPU µs per object",
            "peak RSS MiB",
            "CPU vs boto3",
            "RSS vs boto3",
        ],
        body,
    )


def repeats(spec: str, servers: list[str]) -> dict[str, int]:
    """``"2"`` or ``"moto=1,ministack=2"`` -> rounds per server (unnamed servers: 1)."""
    if "=" not in spec:
        return dict.fromkeys(servers, int(spec))
    given = dict(part.split("=", 1) for part in spec.split(",") if part)
    return {name: int(given.get(name, 1)) for name in servers}


def _copy_seconds(series: Series) -> float:
    inside = series.metric("transfer_s")
    return inside if inside == inside else series.wall


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1].startswith("--") and sys.argv[1] in _MODES:
        _MODES[sys.argv[1]](sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=pick(1024, 8))
    parser.add_argument(
        "--repeat",
        default=pick("moto=1,ministack=2,swift=1", "1"),
        help="rounds of 1 GiB transfers: N, or per server as NAME=N,...",
    )
    parser.add_argument("--objects", type=int, default=pick(50_000, 300))
    parser.add_argument("--list-repeat", type=int, default=pick(2, 1))
    parser.add_argument("--local-repeat", type=int, default=pick(5, 1))
    parser.add_argument("--servers", default="moto,ministack,swift")
    parser.add_argument("--list-servers", default="ministack")
    args = parser.parse_args()
    size = args.size_mib * MIB
    servers = [n for n in args.servers.split(",") if n]
    list_servers = [n for n in args.list_servers.split(",") if n]
    rounds = repeats(args.repeat, servers)
    profile_on = "ministack" if "ministack" in servers else (servers or [""])[0]

    results: dict[str, Any] = {
        "transfers": {},
        "listings": [],
        "errors": {},
        "defaults": transfer_defaults(),
    }
    for name in servers:
        log(f"storage transfers on {name} ({args.size_mib} MiB, {rounds[name]} round(s))")
        try:
            with _servers.S3_SERVERS[name]() as server:
                results["transfers"][name] = transfers(
                    server, size, rounds[name], profile=name == profile_on
                )
        except Exception as error:
            results["errors"][name] = str(error)[-1500:]
            log(f"{name}: FAILED {error}")
    for name in list_servers:
        try:
            results["listings"].append(listing(name, args.objects, args.list_repeat))
        except Exception as error:
            results["errors"][f"list {name}"] = str(error)[-1500:]
            log(f"listing on {name}: FAILED {error}")
    log(f"local driver vs cp ({args.size_mib} MiB)")
    local = local_bench(size, args.local_repeat)

    save(
        "storage",
        {
            "size_mib": args.size_mib,
            "repeat": rounds,
            "objects": args.objects,
            "list_repeat": args.list_repeat,
            "versions": versions("omnicloud", "boto3", "botocore", "apache-libcloud", "moto"),
            "note": "transfer_s = time inside the child from first request to last byte; wall, "
            "CPU and peak RSS cover the whole child process (imports included)",
            **results,
            "local": local,
        },
    )
    print(report(args, results, local, size))


def report(args: Any, results: dict[str, Any], local: list[Series], size: int) -> str:
    counts = ", ".join(f"{n} {ops['repeat']}" for n, ops in results["transfers"].items())
    fewer = ""
    rounds = {n: ops["repeat"] for n, ops in results["transfers"].items()}
    if len(set(rounds.values())) > 1:
        most = max(rounds.values())
        slow = [n for n, r in rounds.items() if r < most]
        fewer = (
            f" {' and '.join(slow)} get fewer rounds: their 1 GiB transfers are slow (boto3's "
            "ranged download from moto especially) and more rounds would push the suite past "
            "its time budget."
        )
    lines = [
        "## Storage",
        "",
        f"{args.size_mib} MiB per transfer; fresh process per client and run, order alternating; "
        f"median of the rounds per server ({counts or 'none'}).{fewer} MiB/s use `transfer s`, "
        "the time inside the child from the first request to the last byte, and `transfer CPU "
        "s` is the child's CPU (all threads) over the same span; process CPU and peak RSS cover "
        "the whole child process (imports included; process wall is in the JSON). Downloads "
        "read one object written by boto3 beforehand (multipart: omnicloud checks it part by "
        "part against its composite CRC32 or multipart ETag).",
        "",
    ]
    for name, ops in results["transfers"].items():
        for op in ("upload", "download"):
            table = transfer_table(op, ops[op], size, results["defaults"])
            lines += [f"### {op.capitalize()} on {name}", "", table]
            lines += [*failures(ops[op]), ""]
        for op, data in ops.get("profiles", {}).items():
            if isinstance(data, dict) and data.get("top"):
                parts = ", ".join(
                    f"`{row['function']}` {row['self_share']:.0%}" for row in data["top"][:5]
                )
                lines += [f"omnicloud {op} on {name} under cProfile (CPU self time): {parts}", ""]
    for entry in results["listings"]:
        lines += [
            f"### Listing {entry['objects']:,} objects on {entry['server']}",
            "",
            f"Median of {args.list_repeat} run(s) per client; the bucket was seeded in "
            f"{entry['seed_s']:.0f} s beforehand. Listing CPU is `time.process_time()` around "
            "the listing call in the child.",
            "",
            list_table(entry["series"]),
            *failures(entry["series"]),
            "",
        ]
    left_out = [n for n in ("moto", "swift") if n not in args.list_servers.split(",")]
    if left_out:
        lines += [
            f"The listing leaves out {' and '.join(left_out)} by default, for time: moto serves "
            "each page of a 50,000-key bucket slowly whatever the client, and Swift's proxy "
            "stores objects one by one, so seeding 50,000 takes minutes. "
            "`--list-servers moto,ministack,swift` includes them.",
            "",
        ]
    for name, error in results["errors"].items():
        lines += [f"- **{name} failed**: `{' '.join(error.split())[-400:]}`"]
    base = next((s for s in local if s.name == "cp" and s.ok), None)
    body = []
    for s in local:
        if not s.ok:
            body.append([s.name, "failed", "", "", "", ""])
            continue
        copy_s = _copy_seconds(s)
        body.append(
            [
                s.name,
                f"{size / MIB / copy_s:.0f}",
                f"{copy_s:.2f}",
                f"{s.wall:.2f}",
                f"{s.cpu:.2f}",
                f"{s.rss_mib:.0f}",
                ratio(copy_s, _copy_seconds(base)) if base else "-",
            ]
        )
    lines += [
        "",
        f"### Local driver: write {args.size_mib} MiB vs `cp` (median of {args.local_repeat})",
        "",
        "`copy s` is the upload call inside the child for omnicloud and the whole process for "
        "`cp` (a small C program, so its start-up hardly counts); process columns cover the "
        "whole child. The target is deleted and the page cache flushed (`sync`) before every "
        "run; the source file stays cached.",
        "",
        markdown(
            [
                "client",
                "MiB/s",
                "copy s",
                "process wall s",
                "process CPU s",
                "peak RSS MiB",
                "copy time vs cp",
            ],
            body,
        ),
        *failures(local),
    ]
    return "\n".join(lines)


def _child_mode(argv: list[str]) -> None:
    client, op, endpoint, key, secret, region, bucket, name, size = argv
    out = child(client, op, [endpoint, key, secret, region], bucket, name, int(size))
    print(json.dumps(out))


_MODES = {
    "--child": _child_mode,
    "--setup": lambda a: setup_child(a[:4], int(a[4])),
    "--seed": lambda a: seed_child(a[:4], int(a[4])),
    "--moto-seeded": lambda a: moto_seeded(int(a[0]), int(a[1])),
    "--local": lambda a: print(json.dumps(local_child(a[0], a[1], a[2]))),
    "--defaults": lambda a: print(json.dumps(defaults_child())),
    "--profile": lambda a: print(
        json.dumps(profile_child(a[0], a[1], a[2:6], a[6], a[7], int(a[8])))
    ),
}


if __name__ == "__main__":
    main()
