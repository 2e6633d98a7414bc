"""List 2,000 CloudSigma servers with their boot drive details: omnicloud vs Apache Libcloud.

The simulator runs in its own process over HTTPS (Libcloud's CloudSigma driver refuses plain
HTTP), with a throw-away CA from ``trustme``. Each client lists every server in a fresh process;
we record the HTTP requests it made and its CPU time (``time.process_time``) around the call.
Omnicloud fetches one page of servers and the page's boot drives in one more request; Libcloud
fetches all servers at once, then one drive per server.

Writes bench/results/cloudsigma.json and prints a Markdown table.
``python bench/bench_cloudsigma.py [--servers N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "cloudsigma.json"
USER, PASSWORD = "bench@cloudsigma.local", "bench-password-123"

SERVER = """
import sys
import uvicorn
from omnicloud.sim.cloudsigma import CloudSigmaState, create_app
port, count, cert, key = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
state = CloudSigmaState(username={user!r}, password={password!r})
state.seed_servers(count)
uvicorn.run(create_app(state), host="127.0.0.1", port=port, log_level="warning",
            ssl_certfile=cert, ssl_keyfile=key, access_log=False)
"""

CLIENTS = {
    "omnicloud list_nodes": """
import httpx
from omnicloud.compute.drivers.cloudsigma import CloudSigmaNodeDriver
class Counting(httpx.HTTPTransport):
    count = 0
    def handle_request(self, request):
        Counting.count += 1
        return super().handle_request(request)
transport = Counting(verify=CA)
driver = CloudSigmaNodeDriver(USER, PASSWORD, endpoint=URL, transport=transport)
run = driver.list_nodes
requests = lambda: Counting.count
""",
    "libcloud list_nodes": """
import libcloud.security
libcloud.security.CA_CERTS_PATH = CA
from libcloud.compute.drivers.cloudsigma import CloudSigma_2_0_NodeDriver
driver = CloudSigma_2_0_NodeDriver(USER, PASSWORD, host="127.0.0.1", port=PORT)
counter = [0]
original = driver.connection.request
def counted(*args, **kwargs):
    counter[0] += 1
    return original(*args, **kwargs)
driver.connection.request = counted
run = driver.list_nodes
requests = lambda: counter[0]
""",
}

CHILD = """
import json, sys, time
URL, CA, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
USER, PASSWORD = {user!r}, {password!r}
{setup}
start = time.process_time()
wall = time.perf_counter()
nodes = run()
cpu = time.process_time() - start
wall = time.perf_counter() - wall
with_image = sum(1 for n in nodes if n.image is not None or n.extra.get("boot_drive"))
print(json.dumps({{"nodes": len(nodes), "requests": requests(), "cpu": cpu, "wall": wall,
                  "with_boot_drive": with_image}}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the simulator did not start")


def _child(name: str, url: str, ca: str, port: int) -> dict[str, Any]:
    code = CHILD.format(setup=CLIENTS[name], user=USER, password=PASSWORD)
    done = subprocess.run(
        [sys.executable, "-c", code, url, ca, str(port)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name} failed: {done.stderr[-1500:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    with tempfile.TemporaryDirectory() as tmp:
        ca_path = os.path.join(tmp, "ca.pem")
        cert_path, key_path = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
        ca.cert_pem.write_to_path(ca_path)
        cert.cert_chain_pems[0].write_to_path(cert_path)
        cert.private_key_pem.write_to_path(key_path)
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVER.format(user=USER, password=PASSWORD),
                str(port),
                str(args.servers),
                cert_path,
                key_path,
            ]
        )
        try:
            _wait(port)
            url = f"https://127.0.0.1:{port}/api/2.0/"
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CLIENTS}
            for round_number in range(args.repeat):
                names = list(CLIENTS)
                if round_number % 2:
                    names.reverse()
                for name in names:
                    runs[name].append(_child(name, url, ca_path, port))
        finally:
            server.terminate()
            server.wait(10)
    summary = {
        name: {
            "nodes": samples[0]["nodes"],
            "requests": samples[0]["requests"],
            "with_boot_drive": samples[0]["with_boot_drive"],
            "cpu_s": statistics.median(s["cpu"] for s in samples),
            "wall_s": statistics.median(s["wall"] for s in samples),
        }
        for name, samples in runs.items()
    }
    payload = {"servers": args.servers, "repeat": args.repeat, "summary": summary, "runs": runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2))
    base = summary["libcloud list_nodes"]
    print(
        f"Listing {args.servers} CloudSigma servers with boot drive details (median of "
        f"{args.repeat} fresh processes)\n"
    )
    print("| client | nodes | HTTP requests | client CPU (s) | wall (s) | CPU vs Libcloud |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, row in summary.items():
        print(
            f"| {name} | {row['nodes']} | {row['requests']} | {row['cpu_s']:.2f} | "
            f"{row['wall_s']:.2f} | {row['cpu_s'] / base['cpu_s']:.2f}x |"
        )


if __name__ == "__main__":
    main()
