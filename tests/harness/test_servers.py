"""The test-server start rules: retried on fresh ports, then one clear failure per test."""

from __future__ import annotations

import socket

import pytest

from tests.support.servers import ServerUnavailableError, free_port, start_server

BROKEN_SERVER = """
import pytest
from tests.support.servers import start_server

STARTS = []

def start(attempt):
    STARTS.append(attempt)
    raise TimeoutError("did not answer within 20 s")

@pytest.fixture(scope="session")
def server():
    yield start_server("moto", start, pause=0)

@pytest.mark.parametrize("n", range(3))
def test_needs_server(server, n):
    pass

def test_without_server():
    assert STARTS == [1, 2, 3]  # the attempts ran once for the session, not once per test
"""


def test_a_server_that_never_starts_fails_each_test_once_with_the_reason(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        "from tests.conftest import pytest_report_teststatus, pytest_runtest_makereport\n"
    )
    pytester.makepyfile(test_broken=BROKEN_SERVER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3, passed=1, errors=0)
    result.stdout.fnmatch_lines(
        ["*test server 'moto' did not start after 3 attempts (attempt 1: TimeoutError: did not*"]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_start_server_retries_until_an_attempt_works() -> None:
    seen: list[int] = []

    def start(attempt: int) -> str:
        seen.append(attempt)
        if attempt < 3:
            raise OSError("address already in use")
        return "up"

    assert start_server("flaky", start, pause=0) == "up"
    assert seen == [1, 2, 3]


def test_start_server_names_every_failed_attempt() -> None:
    def start(attempt: int) -> str:
        raise RuntimeError(f"exit {attempt}")

    with pytest.raises(ServerUnavailableError) as caught:
        start_server("sshd", start, attempts=2, pause=0)
    assert str(caught.value) == (
        "test server 'sshd' did not start after 2 attempts "
        "(attempt 1: RuntimeError: exit 1; attempt 2: RuntimeError: exit 2)"
    )


def test_free_port_block_is_bindable() -> None:
    base = free_port(block=3)
    for port in range(base, base + 3):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
