"""Reliability figures counted on pytest-xdist workers reach the controller's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COUNTING = """
import pytest
from tests.reliability._ledger import LEDGER

@pytest.mark.parametrize("n", range(4))
def test_counts(n):
    LEDGER.add("harness: tests counted")
    LEDGER.gauge("harness: largest n", n)
"""


def test_figures_from_every_worker_are_written(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = pytester.path / "figures.json"
    monkeypatch.setenv("OMNICLOUD_RELIABILITY_REPORT", str(report))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(
        "from tests.conftest import (\n"
        "    pytest_sessionfinish, pytest_terminal_summary, pytest_testnodedown\n"
        ")\n"
    )
    pytester.makepyfile(test_counting=COUNTING)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=4)
    figures = json.loads(report.read_text())
    assert figures == {
        "counts": {"harness: tests counted": 4},
        "gauges": {"harness: largest n": 3},
    }
