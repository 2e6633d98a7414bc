"""Per-request client CPU of each transport: what one small API call costs the caller.

Every stack runs in a fresh process against the null server (``bench._servers.null_server``,
another process that answers at once, so its CPU is not counted): a CloudStack-like GET with
eleven query parameters, sent ``N`` times through ``SyncHttp.send`` one after another, or through
``AsyncHttp.send`` with 50 in flight. The child measures its own CPU (``time.process_time``)
after 200 warm-up requests and reports microseconds per request; the table shows the median of
``--repeat`` runs.

Stacks: the defaults (urllib3 for sync code, aiohttp under asyncio) and httpx where it remains
(a caller's httpx transport, proxies, HTTP/2; trio). ``--before DIR`` also runs another
checkout's ``src``, alternating with this one run by run (for a before/after comparison, e.g.
after ``git archive HEAD src | tar -x -C /tmp/before``).

    .venv/bin/python -m bench.bench_transport [-n 3000] [--repeat 3] [--before DIR]

Writes ``bench/results/transport.json`` (or ``transport-<label>.json`` with ``--label``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench._harness import QUICK, RESULTS, ROOT, log
from bench._servers import null_server

STACKS = {
    "sync, default (urllib3)": ("sync", ""),
    "sync, httpx transport": ("sync", "config.transport = httpx.HTTPTransport()"),
    "asyncio, default (aiohttp)": ("asyncio", ""),
    "asyncio, httpx transport": ("asyncio", "config.async_transport = httpx.AsyncHTTPTransport()"),
    "trio (httpx)": ("trio", ""),
}

CHILD = """
import json, sys, time
import anyio, httpx
from omnicloud.http import AsyncHttp, HttpConfig, HttpRequest, SyncHttp

url, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
config = HttpConfig(trust_env=False)
{setup}
params = [("command", "listVirtualMachines"), ("response", "json"), ("listall", "true"),
          ("page", "1"), ("pagesize", "500"), ("zoneid", "1c5b2c9e-3b8e-4b8e-9c1e-1a2b3c4d5e6f"),
          ("apiKey", "fnord-key-0123456789"), ("signatureVersion", "3"),
          ("expires", "2026-11-22T05:00:00+0000"), ("name", "web 01"),
          ("signature", "c2lnbmF0dXJlLXZhbHVlLWZvci1iZW5jaA==")]
request = HttpRequest("GET", url, params=params, operation="bench")

def sync_run():
    http = SyncHttp(config)
    for _ in range(200):
        http.send(request)
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        assert http.send(request).status == 200
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    http.close()
    return cpu, wall

async def async_run():
    http = AsyncHttp(config)
    limiter = anyio.CapacityLimiter(50)

    async def one():
        async with limiter:
            assert (await http.send(request)).status == 200

    async def burst(count):
        async with anyio.create_task_group() as group:
            for _ in range(count):
                group.start_soon(one)

    await burst(200)
    cpu, wall = time.process_time(), time.perf_counter()
    await burst(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await http.aclose()
    return cpu, wall

if mode == "sync":
    cpu, wall = sync_run()
else:
    cpu, wall = anyio.run(async_run, backend=mode)
print(json.dumps({{"cpu_us": cpu / n * 1e6, "wall_us": wall / n * 1e6}}))
"""


def run_child(src: Path, url: str, mode: str, setup: str, n: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.pop("OMNICLOUD_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(setup=setup), url, mode, str(n)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{mode} {setup!r} failed:\n{result.stderr[-2000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100 if QUICK else 3000)
    parser.add_argument("--repeat", type=int, default=1 if QUICK else 3)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--before", type=Path, help="another checkout's src, run alternately")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    sources = {"": args.src} if args.before is None else {"before": args.before, "": args.src}
    samples: dict[tuple[str, str], list[dict[str, float]]] = {
        (name, which): [] for name in STACKS for which in sources
    }
    with null_server() as url:
        for round_ in range(args.repeat):
            order = list(STACKS) if round_ % 2 == 0 else list(reversed(STACKS))
            for name in order:
                mode, setup = STACKS[name]
                whiches = list(sources) if round_ % 2 == 0 else list(reversed(sources))
                for which in whiches:
                    log(f"{name} {which}: round {round_ + 1}")
                    run = run_child(sources[which], url, mode, setup, args.n)
                    samples[(name, which)].append(run)
    rows = {
        f"{name} ({which})" if which else name: {
            "cpu_us": statistics.median(run["cpu_us"] for run in runs),
            "wall_us": statistics.median(run["wall_us"] for run in runs),
        }
        for (name, which), runs in samples.items()
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / (f"transport-{args.label}.json" if args.label else "transport.json")
    sources_text = {which or "src": str(path) for which, path in sources.items()}
    target.write_text(json.dumps({"n": args.n, "src": sources_text, "rows": rows}, indent=2))
    print(f"### Per-request client cost ({args.n} requests, median of {args.repeat})\n")
    print("| stack | CPU µs/request | wall µs/request |")
    print("|---|---:|---:|")
    for name, row in rows.items():
        print(f"| {name} | {row['cpu_us']:.0f} | {row['wall_us']:.0f} |")


if __name__ == "__main__":
    main()
