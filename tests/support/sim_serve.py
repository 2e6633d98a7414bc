"""``omnicloud sim serve NAME`` as users run it: start it, read the banner, stop it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager


@contextmanager
def sim_serving(
    name: str, *args: str, keys: Collection[str], stop: int = signal.SIGTERM
) -> Iterator[dict[str, str]]:
    """Run ``python -m omnicloud sim serve NAME ARGS`` and yield its banner once every line
    labelled with one of ``keys`` (``Label: value``) is out, as ``{label: value}``; then send it
    ``stop`` (a process that has not ended 60 s later is killed and the test fails)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "omnicloud", "sim", "serve", name, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        banner: dict[str, str] = {}
        deadline = time.monotonic() + 60  # generous: the machine may be busy
        assert process.stdout is not None
        while len(banner) < len(keys) and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            key, sep, value = line.partition(":")
            if sep and key in keys:
                banner[key] = value.strip()
        assert set(banner) == set(keys), f"no banner: {banner}"
        yield banner
    finally:
        process.send_signal(stop)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
