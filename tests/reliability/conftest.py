"""Servers for the reliability tests, and the session's figures (see ``_ledger.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import LiveSim, live_sim, sim  # noqa: F401 - shared fixtures
from tests.reliability._ledger import LEDGER
from tests.storage.conftest import moto_server  # noqa: F401 - shared fixture

__all__ = ["LiveSim"]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def admin_keys(live_sim: LiveSim) -> Iterator[tuple[str, str]]:  # noqa: F811
    yield live_sim.state.credentials("admin")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not LEDGER.counts:
        return
    target = Path(os.environ.get("OMNICLOUD_RELIABILITY_REPORT") or ROOT / "build/reliability.json")
    LEDGER.write(target)
    figures = ", ".join(
        f"{name} {value:g}" for name, value in sorted({**LEDGER.counts, **LEDGER.gauges}.items())
    )
    terminalreporter.write_line(f"reliability figures ({target}): {figures}")
