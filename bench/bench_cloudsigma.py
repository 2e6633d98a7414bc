"""List 2,000 CloudSigma servers with their boot drive details: omnicloud vs Apache Libcloud.

The simulator runs in its own process over HTTPS (Libcloud's CloudSigma driver refuses plain
HTTP), with a throw-away CA from ``trustme``. Each client lists every server in a fresh process;
we record the HTTP requests it made and its CPU time (``time.process_time``) around the call.
Omnicloud fetches one page of servers and the page's boot drives in one more request; Libcloud
fetches all servers at once, then one drive per server.

Writes bench/results/cloudsigma.json and prints a Markdown section.
``.venv/bin/python -m bench.bench_cloudsigma [--servers N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile

from bench._harness import PYTHON, compare, failures, log, markdown, pick, ratio, save
from bench._servers import free_port, wait_port

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
    "Libcloud list_nodes": """
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=pick(2000, 60))
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
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
        port = free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-c",
                SERVER.format(user=USER, password=PASSWORD),
                str(port),
                str(args.servers),
                cert_path,
                key_path,
            ]
        )
        try:
            wait_port(port, timeout=300)
            url = f"https://127.0.0.1:{port}/api/2.0/"
            argv = {
                name: [
                    PYTHON,
                    "-c",
                    CHILD.format(setup=setup, user=USER, password=PASSWORD),
                    url,
                    ca_path,
                    str(port),
                ]
                for name, setup in CLIENTS.items()
            }
            log(f"cloudsigma: {args.servers} servers seeded, {args.repeat} rounds")
            rows = compare(argv, args.repeat, warmup=1, label="cloudsigma", timeout=900)
        finally:
            server.terminate()
            server.wait(10)
    save("cloudsigma", {"servers": args.servers, "repeat": args.repeat, "series": rows})
    base = next((s for s in rows if s.name == "Libcloud list_nodes" and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", "", "", "", "", "", "", ""])
            continue
        body.append(
            [
                s.name,
                s.first("nodes", "-"),
                s.first("with_boot_drive", "-"),
                s.first("requests", "-"),
                f"{s.metric('cpu'):.2f}",
                f"{s.metric('wall'):.2f}",
                f"{s.rss_mib:.0f}",
                ratio(s.metric("requests"), base.metric("requests")) if base else "-",
                ratio(s.metric("cpu"), base.metric("cpu")) if base else "-",
            ]
        )
    lines = [
        "## CloudSigma",
        "",
        f"### Listing {args.servers:,} servers with their boot drives",
        "",
        f"HTTPS simulator in its own process; {args.repeat} fresh process(es) per client after a "
        "warm-up, order rotating. Client CPU and wall are measured around the `list_nodes` call "
        "inside the child; RSS is the process's peak. omnicloud asks for a page of servers and "
        "then that page's boot drives in one request; Libcloud lists all servers, then fetches "
        "each server's drive on its own.",
        "",
        markdown(
            [
                "client",
                "nodes",
                "with boot drive",
                "HTTP requests",
                "client CPU s",
                "wall s",
                "peak RSS MiB",
                "requests vs Libcloud",
                "CPU vs Libcloud",
            ],
            body,
        ),
        *failures(rows),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
