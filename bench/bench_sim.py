"""Benchmark the CloudStack simulator itself: start-up, list throughput, deploy submissions.

Not a comparison: it shows how fast the server behind the compute benchmarks answers, so their
client figures can be read against it. The simulator runs in this process (in a thread), driven
by a plain httpx client.

Run: ``.venv/bin/python -m bench.bench_sim [--vms 10000] [--deploys 500]``. Prints a Markdown
section and writes ``bench/results/sim.json``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import httpx

from bench._harness import log, markdown, pick, save
from omnicloud.cloudstack._signing import expires_after, sign
from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
from omnicloud.sim.server import serve_in_thread


def _params(key: str, secret: str, **params: Any) -> dict[str, str]:
    flat = {name: str(value) for name, value in params.items()}
    flat.update(response="json", apiKey=key, signatureVersion="3", expires=expires_after(600))
    flat["signature"] = sign(flat, secret)
    return flat


def bench_startup(rounds: int = 5) -> dict[str, float]:
    """Seconds from nothing to a server accepting requests (state seeding included)."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        state = CloudStackState()
        with serve_in_thread(create_app(state)) as running:
            httpx.get(f"{running.url}/sim/health").raise_for_status()
            timings.append(time.perf_counter() - started)
        state.close()
    return {"median_s": statistics.median(timings), "min_s": min(timings)}


def bench_serve_process(rounds: int = 5) -> dict[str, float]:
    """Seconds from ``omnicloud sim serve cloudstack`` starting to its first signed answer.

    What users wait for: interpreter start-up, imports, state seeding and uvicorn, in a fresh
    process, measured until ``listZones`` with the printed keys succeeds.
    """
    import re
    import socket
    import subprocess
    import sys

    timings = []
    for _ in range(rounds):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "omnicloud", "sim", "serve", "cloudstack", "--port", str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            banner: dict[str, str] = {}
            assert process.stdout is not None
            while len(banner) < 2:
                line = process.stdout.readline()
                if not line:
                    raise RuntimeError("omnicloud sim serve exited before printing its keys")
                if match := re.match(r"(API key|Secret key):\s+(\S+)", line):
                    banner[match.group(1)] = match.group(2)
            url = f"http://127.0.0.1:{port}/client/api"
            params = _params(banner["API key"], banner["Secret key"], command="listZones")
            while True:
                try:
                    httpx.get(url, params=params, timeout=5).raise_for_status()
                    break
                except httpx.TransportError:
                    time.sleep(0.01)
            timings.append(time.perf_counter() - started)
        finally:
            process.terminate()
            process.wait(10)
    return {"median_s": statistics.median(timings), "min_s": min(timings)}


def bench_list(http: httpx.Client, url: str, key: str, secret: str, vms: int) -> dict[str, float]:
    """listVirtualMachines pages of 500 over all VMs (listall), per page and in total."""
    pages = (vms + 499) // 500
    timings = []
    started = time.perf_counter()
    for page in range(1, pages + 1):
        t0 = time.perf_counter()
        response = http.get(
            url, params=_params(key, secret, command="listVirtualMachines", page=page, pagesize=500)
        )
        response.raise_for_status()
        timings.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    return {
        "pages": pages,
        "page_median_ms": statistics.median(timings) * 1000,
        "page_max_ms": max(timings) * 1000,
        "all_pages_s": total,
        "vms_per_s": vms / total,
    }


def bench_deploy(http: httpx.Client, url: str, key: str, secret: str, n: int) -> dict[str, float]:
    """deployVirtualMachine submissions per second (the answer carries the jobid)."""
    zones = http.get(url, params=_params(key, secret, command="listZones")).json()
    zone = zones["listzonesresponse"]["zone"][1]["id"]
    templates = http.get(
        url, params=_params(key, secret, command="listTemplates", templatefilter="featured")
    ).json()["listtemplatesresponse"]["template"]
    offering = http.get(url, params=_params(key, secret, command="listServiceOfferings")).json()[
        "listserviceofferingsresponse"
    ]["serviceoffering"][0]["id"]
    started = time.perf_counter()
    for _ in range(n):
        response = http.get(
            url,
            params=_params(
                key,
                secret,
                command="deployVirtualMachine",
                zoneid=zone,
                templateid=templates[0]["id"],
                serviceofferingid=offering,
            ),
        )
        response.raise_for_status()
    total = time.perf_counter() - started
    return {"submissions": n, "total_s": total, "per_s": n / total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=pick(10_000, 600))
    parser.add_argument("--deploys", type=int, default=pick(500, 20))
    args = parser.parse_args()

    log("simulator: start-up")
    startup = bench_startup(pick(5, 1))
    log("simulator: omnicloud sim serve cloudstack, process start-up")
    served = bench_serve_process(pick(5, 1))
    state = CloudStackState()
    t0 = time.perf_counter()
    state.bulk_create_vms(args.vms)
    seed_s = time.perf_counter() - t0
    key, secret = state.credentials("admin")
    config = SimConfig(job_latency=0.05)
    log(f"simulator: listing {args.vms} VMs, {args.deploys} deploy submissions")
    with serve_in_thread(create_app(state, config=config)) as running, httpx.Client() as http:
        url = f"{running.url}/client/api"
        listing = bench_list(http, url, key, secret, args.vms)
        deploys = bench_deploy(http, url, key, secret, args.deploys)
    state.close()

    save(
        "sim",
        {
            "startup": startup,
            "serve_process": served,
            "bulk_create_vms": {"vms": args.vms, "seconds": seed_s},
            "list_virtual_machines": listing,
            "deploy_submissions": deploys,
        },
    )
    rows = [
        ("start-up (state + server ready)", f"{startup['median_s'] * 1000:.0f} ms median"),
        (
            "`omnicloud sim serve cloudstack` to its first signed answer (fresh process)",
            f"{served['median_s'] * 1000:.0f} ms median",
        ),
        (f"bulk_create_vms({args.vms:,})", f"{seed_s:.2f} s"),
        ("listVirtualMachines, page of 500", f"{listing['page_median_ms']:.1f} ms median"),
        (
            f"all {listing['pages']} pages",
            f"{listing['all_pages_s']:.2f} s ({listing['vms_per_s']:,.0f} VMs/s)",
        ),
        ("deployVirtualMachine submissions", f"{deploys['per_s']:,.0f} per second"),
    ]
    print(
        "\n".join(
            [
                "## CloudStack simulator",
                "",
                "The server behind the compute benchmarks, driven by a plain httpx client in the "
                "same process (so client and server share one interpreter): how fast it answers.",
                "",
                markdown(["measure", "result"], rows),
            ]
        )
    )


if __name__ == "__main__":
    main()
