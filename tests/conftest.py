"""Shared fixtures: one stub HTTP server and one of each S3 server per session, a clean
environment per test, the sync/async ``mode`` parametrisation with its portal, the report of
servers that could not start, and the reliability figures gathered across pytest-xdist workers."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability._ledger import LEDGER
from tests.support.modes import MODES, Portal
from tests.support.s3servers import (  # noqa: F401 - session fixtures, registered once here
    ministack_server,
    moto_server,
    swift_server,
)
from tests.support.servers import ServerUnavailableError
from tests.support.stub_server import Reply, StubServer


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """``"sync"`` then ``"async"``: see ``tests/support/modes.py``."""
    mode: str = request.param
    return mode


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    """One event loop in a thread for the session, to call async drivers from sync tests."""
    from anyio.from_thread import start_blocking_portal

    with start_blocking_portal() as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test whose server could not start gets the one-line reason, not a traceback."""
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(ServerUnavailableError):
        report.longrepr = f"{item.nodeid}: {call.excinfo.value}"
        report.server_unavailable = True  # type: ignore[attr-defined]
    return report


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    """Count a test whose server could not start as FAILED (one per test), not as an ERROR."""
    if report.failed and getattr(report, "server_unavailable", False):
        return "failed", "F", "FAILED"
    return None


ROOT = Path(__file__).resolve().parents[1]
_LEDGER_KEY = "omnicloud_reliability_ledger"


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker: hand this worker's reliability figures to the controller."""
    output: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[_LEDGER_KEY] = LEDGER.as_dict()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the pytest-xdist controller: add a finished worker's figures to the session's."""
    figures = getattr(node, "workeroutput", {}).get(_LEDGER_KEY)
    if not figures:
        return
    LEDGER.counts.update(figures["counts"])
    for name, value in figures["gauges"].items():
        LEDGER.gauge(name, value)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the reliability figures and write them (``build/reliability.json`` by default)."""
    if not LEDGER.counts or hasattr(terminalreporter.config, "workeroutput"):
        return
    target = Path(os.environ.get("OMNICLOUD_RELIABILITY_REPORT") or ROOT / "build/reliability.json")
    LEDGER.write(target)
    figures = ", ".join(
        f"{name} {value:g}" for name, value in sorted({**LEDGER.counts, **LEDGER.gauges}.items())
    )
    terminalreporter.write_line(f"reliability figures ({target}): {figures}")


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
    """No CLOUDSTACK_*/OMNICLOUD_*/OS_* settings leak in; HOME and the working directory are
    empty."""
    import os

    for name in list(os.environ):
        if name.startswith(("CLOUDSTACK_", "OMNICLOUD_", "OS_")):
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
