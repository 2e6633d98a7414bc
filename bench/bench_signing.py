"""Signing throughput: CloudStack signatures/s vs ``cs``, AWS SigV4 signatures/s vs botocore.

Each run is a fresh process that signs one request ``N`` times, five times over, and reports the
median rate; clients alternate order from run to run. Before timing, a separate process checks
that omnicloud and the peer produce the same signature (for SigV4: the same ``Authorization``
header for the same request and clock).

    .venv/bin/python -m bench.bench_signing [--repeat 3] [-n 20000]

Writes ``bench/results/signing.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import subprocess

from bench._harness import PYTHON, Series, compare, failures, log, markdown, pick, ratio, save

CS_PARAMS = (
    "{'apiKey': 'fnord', 'command': 'deployVirtualMachine', 'response': 'json', "
    "'zoneid': '1c5b2c9e-3b8e-4b8e-9c1e-1a2b3c4d5e6f', 'serviceofferingid': 'so-1', "
    "'templateid': 'tpl-1', 'name': 'web 01', 'displayname': 'Web 01 * test', "
    "'signatureVersion': '3', 'expires': '2026-11-22T05:00:00+0000'}"
)
SIGV4_URL = (
    "https://bench.s3.us-east-1.amazonaws.com/photos/2026/object-00042.jpg"
    "?versionId=3HL4kqtJlcpXroDTDmJ%2Bm"
)
SIGV4_HEADERS = {
    "Content-Type": "image/jpeg",
    "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
    "x-amz-meta-owner": "bench user",
}
CLOUDSTACK = {
    "omnicloud": """
from omnicloud.cloudstack._signing import sign
def run(p): return sign(p, 'abracadabra')
""",
    "cs": """
import cs.client as c
client = c.CloudStack(endpoint='http://x', key='fnord', secret='abracadabra')
def run(p):
    q = dict(p)  # cs signs in place, adding 'signature'
    client._sign(q)
    return q['signature']
""",
}

SIGV4_SETUP = """
import datetime, types
URL, HEADERS = {url!r}, {headers!r}
NOW = datetime.datetime(2026, 12, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)

def botocore_request():
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials
    auth = S3SigV4Auth(BotoCredentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
                       's3', 'us-east-1')
    request = AWSRequest(method='PUT', url=URL, headers=dict(HEADERS))
    request.context['client_config'] = types.SimpleNamespace(
        s3={'payload_signing_enabled': False})
    return auth, request

def ours(now=None):
    from omnicloud.aws._sigv4 import UNSIGNED_PAYLOAD, Credentials, sign_headers
    credentials = Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
    return sign_headers('PUT', URL, HEADERS, credentials=credentials, region='us-east-1',
                        service='s3', payload_hash=UNSIGNED_PAYLOAD, content_sha256_header=True,
                        now=now)['Authorization']

def check():
    import botocore.auth
    auth, request = botocore_request()
    real = botocore.auth.get_current_datetime
    botocore.auth.get_current_datetime = lambda *a, **k: NOW.replace(tzinfo=None)
    try:
        auth.add_auth(request)
    finally:
        botocore.auth.get_current_datetime = real
    theirs = request.headers['Authorization']
    assert ours(NOW) == theirs, (ours(NOW), theirs)
"""
SIGV4 = {
    "omnicloud": """
URL, HEADERS = {url!r}, {headers!r}
from omnicloud.aws._sigv4 import UNSIGNED_PAYLOAD, Credentials, sign_headers
credentials = Credentials('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY')
def run(p):
    return sign_headers('PUT', URL, HEADERS, credentials=credentials, region='us-east-1',
                        service='s3', payload_hash=UNSIGNED_PAYLOAD, content_sha256_header=True)
""",
    "botocore": SIGV4_SETUP
    + """
auth, request = botocore_request()
def run(p):
    auth.add_auth(request)  # replaces Authorization, X-Amz-Date and X-Amz-Content-SHA256
    return request.headers['Authorization']
""",
}

CHECKS = {
    "cloudstack": """
from omnicloud.cloudstack._signing import sign
import cs.client
P = {params}
reference = cs.client.CloudStack(endpoint='http://x', key='fnord', secret='abracadabra')
theirs = dict(P)
reference._sign(theirs)  # cs signs in place
ours = sign(dict(P), 'abracadabra')
assert ours == theirs['signature'], (ours, theirs['signature'])
""",
    "sigv4": SIGV4_SETUP + "\ncheck()\n",
}

TIMER = """
import json, time
P = {params}
{setup}
run(P)
rates = []
for _ in range(5):
    t = time.perf_counter()
    for _ in range({n}):
        run(P)
    rates.append({n} / (time.perf_counter() - t))
rates.sort()
print(json.dumps({{"rate": rates[2], "best": rates[-1], "rates": rates}}))
"""


def _fill(code: str) -> str:
    return (
        code.replace("{url!r}", repr(SIGV4_URL))
        .replace("{headers!r}", repr(SIGV4_HEADERS))
        .replace("{params}", CS_PARAMS)
    )


def agree(kind: str) -> str | None:
    """None if omnicloud and the peer sign the benchmark request identically, else why not."""
    done = subprocess.run(
        [PYTHON, "-c", _fill(CHECKS[kind])], capture_output=True, text=True, timeout=120
    )
    if done.returncode == 0:
        return None
    return (done.stderr.strip().splitlines() or ["failed"])[-1][-400:]


def scenario(kind: str, snippets: dict[str, str], n: int, repeat: int) -> list[Series]:
    argv = {
        name: [PYTHON, "-c", TIMER.format(params=CS_PARAMS, setup=_fill(code), n=n)]
        for name, code in snippets.items()
    }
    return compare(argv, repeat, warmup=1, label=f"signing {kind}", timeout=600)


def section(title: str, rows: list[Series], baseline: str, note: str) -> list[str]:
    base = next((s for s in rows if s.name == baseline and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", "", "", ""])
            continue
        rate = s.metric("rate")
        body.append(
            [
                s.name,
                f"{rate:,.0f}",
                f"{1e6 / rate:.1f}",
                f"{s.rss_mib:.0f}",
                ratio(rate, base.metric("rate")) if base else "-",
            ]
        )
    return [
        f"### {title}",
        "",
        note,
        "",
        markdown(
            ["client", "signatures/s", "µs per signature", "peak RSS MiB", f"vs {baseline}"],
            body,
        ),
        *failures(rows),
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=pick(3, 1))
    parser.add_argument("-n", type=int, default=pick(20_000, 500))
    args = parser.parse_args()
    checks = {kind: agree(kind) for kind in CHECKS}
    log("signing: CloudStack")
    cloudstack = scenario("cloudstack", CLOUDSTACK, args.n, args.repeat)
    log("signing: SigV4")
    sigv4 = scenario("sigv4", SIGV4, args.n // 2, args.repeat)  # about half as fast
    save(
        "signing",
        {
            "n": {"cloudstack": args.n, "sigv4": args.n // 2},
            "repeat": args.repeat,
            "same_signature": {kind: why is None for kind, why in checks.items()},
            "check_errors": {kind: why for kind, why in checks.items() if why},
            "cloudstack": cloudstack,
            "sigv4": sigv4,
        },
    )

    def verdict(kind: str, peer: str) -> str:
        why = checks[kind]
        if why is None:
            return f"Checked first: omnicloud and {peer} produce the same signature for it."
        return f"**omnicloud and {peer} do not agree on this signature**: `{why}`."

    lines = [
        "## Signing throughput",
        "",
        f"{args.repeat} fresh process(es) per client after a warm-up, order alternating; each "
        f"times {args.n:,} CloudStack or {args.n // 2:,} SigV4 signatures five times and reports "
        "the median rate; the table shows the median over processes.",
        "",
        *section(
            "CloudStack (HMAC-SHA1 over 11 parameters)",
            cloudstack,
            "cs",
            "`omnicloud.cloudstack._signing.sign` vs `cs.CloudStack._sign` on the same "
            "parameters. " + verdict("cloudstack", "cs"),
        ),
        *section(
            "AWS SigV4 (S3 PUT with query string and four signed headers)",
            sigv4,
            "botocore",
            "`omnicloud.aws._sigv4.sign_headers` vs botocore's `S3SigV4Auth.add_auth` on a "
            "reused `AWSRequest` (the cheapest way to drive botocore's signer), unsigned payload. "
            + verdict("sigv4", "botocore"),
        ),
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
