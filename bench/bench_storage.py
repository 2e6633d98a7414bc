"""Storage benchmark: S3 upload/download against moto (omnicloud vs boto3 vs Libcloud) and the
local driver vs ``cp``, each measurement in a fresh process (wall, CPU, peak RSS via ``wait4``).

    .venv/bin/python bench/bench_storage.py [--size-mib 1024] [--repeat 1]

Writes bench/results/storage.json and prints a Markdown table. Data is generated on the fly
(a few random 1 MiB blocks in rotation), so the client spends little CPU producing it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import machine, save, versions

MIB = 1024 * 1024
KEY, SECRET = "AKIDBENCH", "bench-secret"
CLIENTS = ("omnicloud", "boto3", "libcloud")
DOWNLOADERS = ("omnicloud", "boto3", "boto3-stream", "libcloud")


# ---------------------------------------------------------------------------------- children
def blocks(total: int) -> Iterator[bytes]:
    pool = [os.urandom(MIB) for _ in range(4)]
    for index in range(total // MIB):
        yield pool[index % 4]


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
    def write(self, data: bytes) -> int:
        return len(data)


def child(client: str, op: str, endpoint: str, bucket: str, size: int) -> float:
    host, port = endpoint.rsplit("//", 1)[1].split(":")
    key = f"bench-{client}"
    if client == "omnicloud":
        from omnicloud.storage.drivers.s3 import S3StorageDriver

        driver = S3StorageDriver(KEY, SECRET, endpoint=endpoint)
        container = driver.get_container(bucket)
        started = time.perf_counter()
        if op == "upload":
            driver.upload_object_via_stream(blocks(size), container, key)
        else:
            for _ in driver.download_object_as_stream(driver.get_object(bucket, key), MIB):
                pass
        return time.perf_counter() - started
    if client.startswith("boto3"):
        s3 = boto3_client(endpoint)
        key = "bench-boto3"
        started = time.perf_counter()
        if op == "upload":
            s3.upload_fileobj(Reader(size), bucket, key)
        elif client == "boto3-stream":
            for _ in s3.get_object(Bucket=bucket, Key=key)["Body"].iter_chunks(MIB):
                pass
        else:
            s3.download_fileobj(bucket, key, Sink())
        return time.perf_counter() - started
    from libcloud.storage.drivers.s3 import S3StorageDriver as LibcloudS3

    lc = LibcloudS3(KEY, SECRET, host=host, port=int(port), secure=False, region="us-east-1")
    lc_container = lc.get_container(bucket)
    started = time.perf_counter()
    if op == "upload":
        lc.upload_object_via_stream(blocks(size), lc_container, key)
    else:
        for _ in lc.download_object_as_stream(lc.get_object(bucket, key), chunk_size=MIB):
            pass
    return time.perf_counter() - started


def boto3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
    )


def local_child(source: str, root: str, verify: str) -> float:
    from omnicloud.storage.drivers.local import LocalStorageDriver

    driver = LocalStorageDriver(root)
    container = driver.get_container("bench")
    started = time.perf_counter()
    driver.upload_object(source, container, "copy.bin", verify_hash=verify == "verify")
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------- parent
def measure(argv: list[str]) -> dict[str, Any]:
    """Run one child; ``ru_maxrss`` is the child's own peak (the parent stays small)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {err[-800:]}")
    transfer = float(out.strip().splitlines()[-1]) if out.strip() else wall
    return {
        "wall": wall,
        "transfer": transfer,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}"


def s3_bench(size: int, repeat: int) -> list[dict[str, Any]]:
    """The parent imports no client library, so forked children start small."""
    process, endpoint = start_moto()
    rows = []
    try:
        subprocess.run([sys.executable, __file__, "--setup", endpoint], check=True)
        me = [sys.executable, __file__, "--child"]
        for op, clients in (("upload", CLIENTS), ("download", DOWNLOADERS)):
            for client in clients:
                samples = []
                for _ in range(repeat):
                    argv = [*me, client, op, endpoint, "bench", str(size)]
                    samples.append(measure(argv))
                rows.append(summarise("s3 (moto)", op, client, size, samples))
    finally:
        process.terminate()
        process.wait(10)
    return rows


def local_bench(size: int, repeat: int) -> list[dict[str, Any]]:
    work = Path(tempfile.mkdtemp(prefix="omnicloud-bench-", dir=os.environ.get("BENCH_DIR")))
    rows = []
    try:
        source = work / "source.bin"
        with open(source, "wb") as handle:
            for block in blocks(size):
                handle.write(block)
        root = work / "store"
        (root / "bench").mkdir(parents=True)
        cp: list[dict[str, Any]] = []
        fast: list[dict[str, Any]] = []
        hashed: list[dict[str, Any]] = []
        me = [sys.executable, __file__, "--local", str(source), str(root)]
        for _ in range(repeat):
            target = work / "cp.bin"
            cp.append(measure(["cp", str(source), str(target)]))
            target.unlink()
            fast.append(measure([*me, "fast"]))
            (root / "bench" / "copy.bin").unlink()
            hashed.append(measure([*me, "verify"]))
            (root / "bench" / "copy.bin").unlink()
        rows.append(summarise("local disk", "write", "cp", size, cp))
        rows.append(summarise("local disk", "write", "omnicloud verify_hash=False", size, fast))
        rows.append(summarise("local disk", "write", "omnicloud verify_hash=True", size, hashed))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def summarise(
    target: str, op: str, client: str, size: int, samples: list[dict[str, Any]]
) -> dict[str, Any]:
    transfer = statistics.median(s["transfer"] for s in samples)
    return {
        "target": target,
        "op": op,
        "client": client,
        "size_mib": size // MIB,
        "transfer_s": round(transfer, 2),
        "mib_per_s": round(size / MIB / transfer, 1),
        "wall_s": round(statistics.median(s["wall"] for s in samples), 2),
        "cpu_s": round(statistics.median(s["cpu"] for s in samples), 2),
        "peak_rss_mib": round(max(s["rss_mib"] for s in samples), 1),
        "samples": samples,
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| target | op | client | MiB | transfer s | MiB/s | wall s | CPU s | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['target']} | {row['op']} | {row['client']} | {row['size_mib']} | "
            f"{row['transfer_s']} | {row['mib_per_s']} | {row['wall_s']} | {row['cpu_s']} | "
            f"{row['peak_rss_mib']} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        client, op, endpoint, bucket, size = sys.argv[2:7]
        print(child(client, op, endpoint, bucket, int(size)))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        boto3_client(sys.argv[2]).create_bucket(Bucket="bench")
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--local":
        print(local_child(sys.argv[2], sys.argv[3], sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--skip-s3", action="store_true")
    args = parser.parse_args()
    size = args.size_mib * MIB
    rows = [] if args.skip_s3 else s3_bench(size, args.repeat)
    rows += local_bench(size, max(args.repeat, 3))
    payload = {
        "machine": machine(),
        "versions": versions("omnicloud", "boto3", "botocore", "apache-libcloud", "moto", "httpx"),
        "note": "transfer = time inside the child from first request to last byte; wall/CPU/RSS "
        "cover the whole child process (imports included)",
        "rows": rows,
    }
    path = save("storage", payload)
    print(markdown(rows))
    print(f"\nraw results: {json.dumps(str(path))}")


if __name__ == "__main__":
    main()
