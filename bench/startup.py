"""Start-up cost: omnicloud vs the cs package (imports and ``--help``), fresh processes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench._harness import PYTHON, compare, machine, save, table, versions

BIN = Path(PYTHON).parent


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    cs_script = shutil.which("cs", path=str(BIN)) or "cs"
    groups = {
        "import": {
            "omnicloud (import omnicloud.cloudstack)": [
                PYTHON,
                "-c",
                "import omnicloud.cloudstack",
            ],
            "cs (import cs)": [PYTHON, "-c", "import cs"],
        },
        "import + client": {
            "omnicloud": [
                PYTHON,
                "-c",
                "from omnicloud.cloudstack import CloudStack; "
                "CloudStack('http://127.0.0.1/client/api', 'k', 's')",
            ],
            "cs": [
                PYTHON,
                "-c",
                "from cs import CloudStack; "
                "CloudStack(endpoint='http://127.0.0.1/client/api', key='k', secret='s')",
            ],
        },
        "cli --help": {
            "omnicloud cs --help": [str(BIN / "omnicloud"), "cs", "--help"],
            "omnicloud --help": [str(BIN / "omnicloud"), "--help"],
            "cs --help": [cs_script, "--help"],
        },
    }
    report = [f"## Start-up (fresh process, median of {repeat})", ""]
    raw = {
        "machine": machine(),
        "versions": versions("omnicloud", "cs", "requests", "aiohttp", "httpx", "click"),
        "groups": {},
    }
    for title, scenarios in groups.items():
        series = compare(scenarios, repeat=repeat)
        baseline = series[-1].name
        raw["groups"][title] = series
        report += [f"### {title}", "", table(series, baseline), ""]
    path = save("startup", raw)
    text = "\n".join(report)
    print(text)
    print(f"\nraw results: {path}")
    Path(__file__).resolve().parent.joinpath("results", "startup.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
