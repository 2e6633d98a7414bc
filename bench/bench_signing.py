"""Signing throughput: CloudStack signatures per second, omnicloud vs cs (fresh processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from statistics import median

from bench._harness import PYTHON, machine, save, versions

N = 20000
PARAMS = (
    "{'apiKey': 'fnord', 'command': 'deployVirtualMachine', 'response': 'json', "
    "'zoneid': '1c5b2c9e-3b8e-4b8e-9c1e-1a2b3c4d5e6f', 'serviceofferingid': 'so-1', "
    "'templateid': 'tpl-1', 'name': 'web 01', 'displayname': 'Web ~ 01 * test', "
    "'signatureVersion': '3', 'expires': '2026-11-22T05:00:00+0000'}"
)
SNIPPETS = {
    "omnicloud": (
        "from omnicloud.cloudstack._signing import sign\n"
        "def run(p): return sign(p, 'abracadabra')\n"
    ),
    "cs": (
        "import cs.client as c\n"
        "client = c.CloudStack(endpoint='http://x', key='fnord', secret='abracadabra')\n"
        "def run(p): return client._sign(dict(p))\n"
    ),
}
TIMER = """
import time, json
p = {params}
run(p)
best = []
for _ in range(5):
    t = time.perf_counter()
    for _ in range({n}):
        run(p)
    best.append({n} / (time.perf_counter() - t))
print(json.dumps(best))
"""


def measure(name: str) -> list[float]:
    code = SNIPPETS[name] + TIMER.format(params=PARAMS, n=N)
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return [float(x) for x in json.loads(result.stdout)]


def main() -> None:
    rates = {}
    for round_number in range(3):
        for name in list(SNIPPETS) if round_number % 2 == 0 else list(SNIPPETS)[::-1]:
            rates.setdefault(name, []).extend(measure(name))
    medians = {name: median(values) for name, values in rates.items()}
    save("signing", {"machine": machine(), "versions": versions("cs"), "rates": rates})
    lines = [
        "## Signing throughput (CloudStack HMAC-SHA1, 11 parameters)",
        "",
        "| client | signatures/s (median) | vs cs |",
        "|---|---:|---:|",
    ]
    for name, rate in medians.items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / medians['cs']:.2f}x |")
    lines.append("")
    lines.append(
        "SigV4 signing throughput is measured with the storage benchmark once the S3 signer lands."
    )
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        N = int(sys.argv[1])
    main()
