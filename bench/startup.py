"""Start-up: ``import omnicloud`` + a driver lookup vs Libcloud, ``cs`` and boto3; a ready client;
``omnicloud --help`` and ``omnicloud cs --help`` vs ``cs --help``. Fresh process per run.

    .venv/bin/python -m bench.startup [--repeat 15]

The largest imports of the omnicloud rows (``python -X importtime``) are recorded too, so the report
can say where the time goes. Writes ``bench/results/startup.json``; prints a Markdown section.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess

from bench._harness import BIN, PYTHON, compare, failures, log, pick, save, table, versions

OMNICLOUD_LOOKUP = "import omnicloud; omnicloud.get_driver('cloudstack')"
CS_SCRIPT = shutil.which("cs", path=str(BIN)) or str(BIN / "cs")
OMNICLOUD_SCRIPT = str(BIN / "omnicloud")
URL = "http://127.0.0.1:8080/client/api"


def py(code: str) -> list[str]:
    return [PYTHON, "-c", code]


#: A ready S3 driver plus the HTTP modules its first request loads (httpx, urllib3): the least
#: memory any transfer can take.
STACK_ROW = "omnicloud: get_driver('storage', 's3')(...) + the HTTP stack a request loads"

GROUPS: dict[str, tuple[str, dict[str, list[str]]]] = {
    "import": (
        "cs: import cs",
        {
            "python (empty interpreter)": py("pass"),
            "omnicloud: import omnicloud": py("import omnicloud"),
            "omnicloud: import + get_driver('cloudstack')": py(OMNICLOUD_LOOKUP),
            "Libcloud: get_driver('cloudstack')": py(
                "from libcloud.compute.providers import get_driver; get_driver('cloudstack')"
            ),
            "boto3: import boto3": py("import boto3"),
            "cs: import cs, aiohttp hidden": py(
                "import sys; sys.modules['aiohttp'] = None; import cs"
            ),
            "cs: import cs": py("import cs"),
        },
    ),
    "cloudstack client": (
        "cs: CloudStack(...)",
        {
            "omnicloud: get_driver('cloudstack')(...)": py(
                f"import omnicloud; omnicloud.get_driver('cloudstack')('k', 's', url={URL!r})"
            ),
            "omnicloud: cloudstack.CloudStack(...)": py(
                f"from omnicloud.cloudstack import CloudStack; CloudStack({URL!r}, 'k', 's')"
            ),
            "Libcloud: get_driver('cloudstack')(...)": py(
                "from libcloud.compute.providers import get_driver; "
                f"get_driver('cloudstack')('k', 's', url={URL!r}, secure=False)"
            ),
            "cs: CloudStack(...)": py(
                f"from cs import CloudStack; CloudStack(endpoint={URL!r}, key='k', secret='s')"
            ),
        },
    ),
    "s3 client": (
        "boto3: client('s3')",
        {
            "omnicloud: get_driver('storage', 's3')(...)": py(
                "import omnicloud; omnicloud.get_driver('storage', 's3')"
                "('k', 's', endpoint='http://127.0.0.1:9000')"
            ),
            STACK_ROW: py(
                "import omnicloud; omnicloud.get_driver('storage', 's3')"
                "('k', 's', endpoint='http://127.0.0.1:9000'); import omnicloud.http._urllib3"
            ),
            "Libcloud: S3 driver": py(
                "from libcloud.storage.providers import get_driver; "
                "get_driver('s3')('k', 's', host='127.0.0.1', port=9000, secure=False)"
            ),
            "boto3: client('s3')": py(
                "import boto3; boto3.client('s3', endpoint_url='http://127.0.0.1:9000', "
                "aws_access_key_id='k', aws_secret_access_key='s', region_name='us-east-1')"
            ),
        },
    ),
    "cli": (
        "cs --help",
        {
            "omnicloud --help": [OMNICLOUD_SCRIPT, "--help"],
            "omnicloud cs --help": [OMNICLOUD_SCRIPT, "cs", "--help"],
            "cs --help": [CS_SCRIPT, "--help"],
        },
    ),
}
TITLES = {
    "import": "Import and driver lookup",
    "cloudstack client": "A ready CloudStack client (import + construct, no request)",
    "s3 client": "A ready S3 client (import + construct, no request)",
    "cli": "CLI help",
}


def importtime(argv: list[str], top: int = 6) -> dict[str, list[dict[str, float | str]]]:
    """Where import time goes in one ``-X importtime`` run: self time summed by top-level
    package, and the single modules with the largest self time."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", *argv], capture_output=True, text=True, timeout=120
    )
    totals: dict[str, float] = {}
    modules: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        try:
            head, _cumulative, name = line.split("|", 2)
            self_ms = int(head.split(":", 1)[1]) / 1000
        except ValueError:
            continue
        module = name.strip()
        package = module.split(".", 1)[0]
        totals[package] = totals.get(package, 0.0) + self_ms
        modules.append((module, self_ms))
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:top]
    modules.sort(key=lambda item: -item[1])
    return {
        "packages": [{"name": name, "ms": round(ms, 1)} for name, ms in ranked],
        "modules": [{"name": name, "ms": round(ms, 1)} for name, ms in modules[:top]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=pick(15, 2))
    args = parser.parse_args()
    spawn = compare({"/bin/true": ["/bin/true"]}, repeat=max(args.repeat, 5), label="spawn")[0]
    found = versions(
        "omnicloud", "cs", "aiohttp", "apache-libcloud", "boto3", "botocore", "httpx", "click"
    )
    aiohttp = (
        "aiohttp is installed (the bench extra), so a plain `import cs` also imports "
        "`cs.AIOCloudStack` and aiohttp; the 'aiohttp hidden' row shows cs as it starts "
        "without it."
        if found["aiohttp"] != "not installed"
        else "aiohttp is not installed, so both cs rows start without it."
    )
    report = [
        "## Start-up",
        "",
        f"Fresh process per run, median of {args.repeat} runs after one warm-up, order rotating. "
        "Every figure includes the interpreter's own start-up (the `python` row) and the cost "
        f"of spawning a measured process ({spawn.wall * 1000:.1f} ms wall for `/bin/true`). "
        + aiohttp,
        "",
    ]
    raw: dict[str, object] = {"repeat": args.repeat, "versions": found, "spawn": spawn}
    groups: dict[str, object] = {}
    baselines: dict[str, str] = {}
    for key, (baseline, scenarios) in GROUPS.items():
        log(f"start-up: {TITLES[key]}")
        series = compare(scenarios, repeat=args.repeat, label=f"start-up {key}", timeout=120)
        groups[key] = series
        baselines[key] = baseline
        report += [f"### {TITLES[key]}", "", table(series, baseline), *failures(series), ""]
    raw["groups"], raw["baselines"] = groups, baselines
    imports = {
        "omnicloud import + get_driver": importtime(["-c", OMNICLOUD_LOOKUP]),
        "omnicloud cs --help": importtime([OMNICLOUD_SCRIPT, "cs", "--help"]),
        "cs --help": importtime([CS_SCRIPT, "--help"]),
    }
    raw["importtime"] = imports
    save("startup", raw)
    report += [
        "Where the time goes (one `python -X importtime` run each; self time of the largest "
        "single imports, then summed by top-level package):",
        "",
    ]
    for name, data in imports.items():
        modules = ", ".join(f"`{m['name']}` {m['ms']:.0f} ms" for m in data["modules"][:4])
        packages = ", ".join(f"{p['name']} {p['ms']:.0f} ms" for p in data["packages"][:4])
        report.append(f"- {name}: {modules}; by package: {packages}")
    print("\n".join(report))


if __name__ == "__main__":
    main()
