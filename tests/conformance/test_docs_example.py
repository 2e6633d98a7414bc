"""docs/providers.md shows a conformance test module as it really is (so the two cannot drift)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_worked_example_matches_the_file() -> None:
    doc = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    marker = "it runs as tests/conformance/test_cloudsigma_compute.py) -->\n```python\n"
    shown = doc.split(marker, 1)[1].split("```", 1)[0]
    source = (ROOT / "tests" / "conformance" / "test_cloudsigma_compute.py").read_text("utf-8")
    assert shown.strip() and shown in source
