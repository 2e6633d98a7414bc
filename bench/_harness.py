"""Benchmark harness: run each client in a fresh process, alternate order, report medians.

Every measurement is one child process. Wall time and user+system CPU come from ``os.wait4`` for
exactly that child; peak RSS comes from GNU ``time`` (``%M``), which runs the command as its own
child. That matters on Linux: a child started with fork/vfork + exec inherits the parent's peak
RSS in ``ru_maxrss``, so a ``wait4`` figure can never be smaller than the benchmark parent itself.
Without GNU time the harness falls back to ``ru_maxrss`` and says so in the results.

A child may print one JSON object as the last line of its standard output; it is kept as the
sample's ``data`` (counts, in-process timings, rates).

``OMNICLOUD_BENCH_QUICK=1`` switches every benchmark to tiny sizes and one repetition, to check
that everything runs end to end; it never produces numbers worth publishing.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
QUICK = os.environ.get("OMNICLOUD_BENCH_QUICK", "").strip() not in ("", "0", "false", "no")


def pick(full: Any, quick: Any) -> Any:
    """``full`` normally, ``quick`` under ``OMNICLOUD_BENCH_QUICK=1``."""
    return quick if QUICK else full


def log(message: str) -> None:
    """Progress on stderr (run_all shows it; stdout is the Markdown section)."""
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _gnu_time() -> str | None:
    candidate = "/usr/bin/time"
    if not os.access(candidate, os.X_OK):
        return None
    try:
        probe = subprocess.run(
            [candidate, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return None
    return candidate if "GNU" in (probe.stdout + probe.stderr) else None


GNU_TIME = _gnu_time()
RSS_METHOD = (
    "GNU time %M (the command's own peak RSS)"
    if GNU_TIME
    else "ru_maxrss from wait4 (never below the harness parent's own peak RSS)"
)


@dataclass
class Sample:
    """One run of one command."""

    wall: float
    cpu: float
    rss_kib: int
    data: dict[str, Any] = field(default_factory=dict)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


@dataclass
class Series:
    """All runs of one client in one scenario."""

    name: str
    argv: list[str]
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def wall(self) -> float:
        return _median([s.wall for s in self.samples])

    @property
    def cpu(self) -> float:
        return _median([s.cpu for s in self.samples])

    @property
    def rss_kib(self) -> float:
        """Median over runs of each run's peak RSS."""
        return _median([s.rss_kib for s in self.samples])

    @property
    def rss_mib(self) -> float:
        return self.rss_kib / 1024

    def metric(self, key: str) -> float:
        """Median of a number the child reported."""
        values = [float(s.data[key]) for s in self.samples if key in s.data]
        return _median(values)

    def first(self, key: str, default: Any = None) -> Any:
        """A value the child reported in its first run (counts that do not vary)."""
        for sample in self.samples:
            if key in sample.data:
                return sample.data[key]
        return default

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "runs": len(self.samples)}
        if self.error:
            out["error"] = self.error
        if self.samples:
            out.update(wall_s=self.wall, cpu_s=self.cpu, peak_rss_mib=self.rss_mib)
            keys = sorted({k for s in self.samples for k, v in s.data.items() if _number(v)})
            out["child_medians"] = {k: self.metric(k) for k in keys}
        return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def run_once(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    timeout: float | None = None,
    cwd: str | Path | None = None,
) -> Sample:
    """Run ``argv`` to completion in a fresh process and measure it."""
    with tempfile.TemporaryDirectory(prefix="omnicloud-bench-") as tmp:
        rss_file = Path(tmp, "rss")
        out_file, err_file = Path(tmp, "out"), Path(tmp, "err")
        command = list(argv)
        if GNU_TIME:
            command = [GNU_TIME, "-q", "-o", str(rss_file), "-f", "%M", *command]
        with open(out_file, "wb") as out, open(err_file, "wb") as err:
            started = time.perf_counter()
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={**os.environ, **(env or {})},
                cwd=cwd or ROOT,
                start_new_session=True,
            )
            timer = None
            if timeout:
                timer = threading.Timer(timeout, _kill_group, args=(process.pid,))
                timer.start()
            try:
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                if timer:
                    timer.cancel()
            wall = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
        stdout = out_file.read_text(errors="replace")
        stderr = err_file.read_text(errors="replace")
        if process.returncode != 0:
            tail = stderr.strip()[-1500:] or stdout.strip()[-1500:]
            raise RuntimeError(f"{' '.join(argv)[:300]} exited {process.returncode}: {tail}")
        rss = usage.ru_maxrss
        if GNU_TIME:
            with contextlib.suppress(ValueError, OSError, IndexError):
                rss = int(rss_file.read_text().split()[-1])
    data: dict[str, Any] = {}
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        with contextlib.suppress(ValueError):
            data = json.loads(lines[-1])
    return Sample(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kib=rss, data=data)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


Context = Callable[[str], AbstractContextManager[Sequence[str]]]


def compare(
    scenarios: Mapping[str, Sequence[str]],
    repeat: int = 9,
    env: Mapping[str, str] | None = None,
    *,
    warmup: int = 1,
    context: Context | None = None,
    timeout: float | None = None,
    label: str = "",
) -> list[Series]:
    """Run each named command ``repeat`` times, rotating which goes first.

    ``warmup`` untimed runs per client come first (pyc files, page cache). ``context(name)``, if
    given, is entered around every run and yields extra arguments (a fresh server per run, say).
    A client that fails is recorded with its error and skipped from then on; the others go on.
    """
    series = [Series(name, list(argv)) for name, argv in scenarios.items()]

    def one(item: Series) -> Sample | None:
        if item.error:
            return None
        try:
            if context is None:
                return run_once(item.argv, env, timeout=timeout)
            with context(item.name) as extra:
                return run_once([*item.argv, *extra], env, timeout=timeout)
        except Exception as error:
            item.error = str(error)[-1500:]
            log(f"{label} {item.name}: FAILED {item.error[-300:]}")
            return None

    for _ in range(warmup):
        for item in series:
            one(item)
    for round_number in range(repeat):
        shift = round_number % len(series)
        for item in series[shift:] + series[:shift]:
            sample = one(item)
            if sample is not None:
                item.samples.append(sample)
        log(f"{label} round {round_number + 1}/{repeat} done")
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


ALL_PACKAGES = (
    "omnicloud",
    "httpx",
    "httpcore",
    "anyio",
    "orjson",
    "msgspec",
    "cs",
    "aiohttp",
    "requests",
    "apache-libcloud",
    "boto3",
    "botocore",
    "s3transfer",
    "moto",
    "uvicorn",
    "starlette",
)


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def machine() -> dict[str, Any]:
    """The machine the numbers come from."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "load_average": [round(x, 2) for x in load] if load else None,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "rss_method": RSS_METHOD,
        "quick": QUICK,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Series):
        return {**value.summary(), "argv": value.argv, "samples": value.samples}
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def save(name: str, payload: dict[str, Any]) -> Path:
    """Write raw results to ``bench/results/NAME.json`` (with machine, run id and quick flag)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    document = {
        "benchmark": name,
        "run_id": os.environ.get("OMNICLOUD_BENCH_RUN_ID"),
        "quick": QUICK,
        "machine": machine(),
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=_plain) + "\n")
    return path


def load(name: str) -> dict[str, Any] | None:
    """``bench/results/NAME.json`` if it belongs to this run (same ``OMNICLOUD_BENCH_RUN_ID``)."""
    path = RESULTS / f"{name}.json"
    try:
        document: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    run_id = os.environ.get("OMNICLOUD_BENCH_RUN_ID")
    if run_id and document.get("run_id") != run_id:
        return None
    return document


# ---------------------------------------------------------------------------------- formatting
def ratio(ours: float, theirs: float) -> str:
    """``ours / theirs`` as ``0.42x`` (``-`` when undefined)."""
    if not theirs or ours != ours or theirs != theirs:
        return "-"
    return f"{ours / theirs:.2f}x"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """A Markdown table; ``align`` holds one ``l`` or ``r`` per column (default: first left)."""
    align = align or "l" + "r" * (len(headers) - 1)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def table(rows: Sequence[Series], baseline: str) -> str:
    """Wall, CPU and peak RSS medians, each also as a ratio to ``baseline``."""
    base = next((s for s in rows if s.name == baseline and s.ok), None)
    body = []
    for s in rows:
        if not s.ok:
            body.append([s.name, "failed", "", "", "", "", ""])
            continue
        body.append(
            [
                s.name,
                f"{s.wall * 1000:.1f}",
                f"{s.cpu * 1000:.1f}",
                f"{s.rss_mib:.1f}",
                ratio(s.wall, base.wall) if base else "-",
                ratio(s.cpu, base.cpu) if base else "-",
                ratio(s.rss_kib, base.rss_kib) if base else "-",
            ]
        )
    return markdown(
        [
            "client",
            "wall (ms)",
            "CPU (ms)",
            "peak RSS (MiB)",
            f"wall vs {baseline}",
            f"CPU vs {baseline}",
            f"RSS vs {baseline}",
        ],
        body,
    )


def failures(rows: Sequence[Series]) -> list[str]:
    """Markdown lines naming the clients that failed, with the tail of their error."""
    out = []
    for s in rows:
        if s.error:
            tail = " ".join(s.error.split())[-400:]
            out.append(f"- **{s.name} failed**: `{tail}`")
    return out
