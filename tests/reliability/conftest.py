"""Servers for the reliability tests. The session's figures (``_ledger.py``) are gathered, across
pytest-xdist workers too, and written by ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import LiveSim, live_sim, sim  # noqa: F401 - shared fixtures

__all__ = ["LiveSim"]


@pytest.fixture
def admin_keys(live_sim: LiveSim) -> Iterator[tuple[str, str]]:  # noqa: F811
    yield live_sim.state.credentials("admin")
