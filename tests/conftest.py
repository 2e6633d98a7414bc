"""Shared fixtures: one stub HTTP server per session, and a clean environment per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stub_server import Reply, StubServer


@pytest.fixture(scope="session")
def stub_server() -> Iterator[StubServer]:
    server = StubServer()
    yield server
    server.stop()


@pytest.fixture
def stub(stub_server: StubServer) -> StubServer:
    stub_server.handle(lambda seen: Reply(404, "no handler set"))
    return stub_server


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CLOUDSTACK_*/OMNICLOUD_* settings leak in; HOME and the working directory are empty."""
    import os

    for name in list(os.environ):
        if name.startswith(("CLOUDSTACK_", "OMNICLOUD_")):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


@pytest.fixture(autouse=True)
def reset_trace_logging() -> Iterator[None]:
    """A test that turns the HTTP trace on (``--trace``, ``enable_trace``) turns it off after.

    Without this, one CLI test run with ``--trace`` would keep the ``omnicloud.http`` logger
    at DEBUG for the rest of the session, and pytest's log capture would keep every record.
    """
    import logging

    logger = logging.getLogger("omnicloud.http")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    for handler in list(logger.handlers):
        if handler not in handlers:
            logger.removeHandler(handler)
