"""Benchmark harness: run each client in a fresh process, alternate order, report medians.

Every measurement is one child process; wall time, user+system CPU and peak RSS come from
``os.wait4`` for exactly that child.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass
class Sample:
    """One run of one command."""

    wall: float
    cpu: float
    rss_kib: int


@dataclass
class Series:
    """All runs of one client in one scenario."""

    name: str
    argv: list[str]
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_kib(self) -> int:
        return max(s.rss_kib for s in self.samples)


def run_once(argv: Sequence[str], env: Mapping[str, str] | None = None) -> Sample:
    """Run ``argv`` to completion in a fresh process and measure it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr[-500:]}")
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kib=usage.ru_maxrss)


def compare(
    scenarios: Mapping[str, Sequence[str]],
    repeat: int = 9,
    env: Mapping[str, str] | None = None,
) -> list[Series]:
    """Run each named command ``repeat`` times, rotating which goes first; one warm-up each."""
    series = [Series(name, list(argv)) for name, argv in scenarios.items()]
    for item in series:
        run_once(item.argv, env)  # warm caches (pyc files, page cache)
    for round_number in range(repeat):
        shift = round_number % len(series)
        for item in series[shift:] + series[:shift]:
            item.samples.append(run_once(item.argv, env))
    return series


def versions(*packages: str) -> dict[str, str]:
    """Installed versions of ``packages`` (missing ones marked)."""
    found = {}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def machine() -> dict[str, Any]:
    """The machine the numbers come from."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write raw results to ``bench/results/NAME.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=lambda o: asdict(o)))
    return path


def table(rows: Sequence[Series], baseline: str) -> str:
    """A Markdown table with medians and the ratio to ``baseline``."""
    base = next(s for s in rows if s.name == baseline)
    lines = [
        "| client | wall (ms) | CPU (ms) | peak RSS (MiB) | wall vs " + baseline + " |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in rows:
        lines.append(
            f"| {s.name} | {s.wall * 1000:.1f} | {s.cpu * 1000:.1f} | {s.rss_kib / 1024:.1f} | "
            f"{s.wall / base.wall:.2f}x |"
        )
    return "\n".join(lines)


PYTHON = sys.executable
