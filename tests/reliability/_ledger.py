"""Figures the reliability tests gather while they run, for ``docs/reliability.md``.

Tests add to :data:`LEDGER`; at the end of the session ``conftest.py`` prints the totals and writes
them to ``build/reliability.json`` (or ``OMNICLOUD_RELIABILITY_REPORT``). The figures are only
counted, never asserted here: each test asserts its own outcome.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Ledger:
    """Counters by name, plus the largest value seen for gauges."""

    counts: Counter[str] = field(default_factory=Counter)
    gauges: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount

    def gauge(self, name: str, value: float) -> None:
        self.gauges[name] = max(value, self.gauges.get(name, value))

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(sorted(self.counts.items())), "gauges": dict(self.gauges)}

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n")


LEDGER = Ledger()
