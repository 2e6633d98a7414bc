"""AWS test servers and fixtures: the session's moto server, a second moto that checks
signatures and IAM permissions (free loopback port), a clean AWS environment per test, and EC2
clients in both modes.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from omnicloud.aws import AsyncEC2Client, EC2Client
from omnicloud.aws._regions import REGIONS
from omnicloud.http import HttpConfig, RetryPolicy
from tests.support.modes import Portal, close_in_mode, open_in_mode
from tests.support.s3servers import SELECTED, S3Server
from tests.support.servers import free_port, start_server

# The session's moto_server and ministack_server (tests/support/s3servers.py) serve EC2 too;
# EC2 suites run against ministack unless OMNICLOUD_TEST_SERVERS leaves it out.
EC2_SERVERS = [name for name in ("moto", "ministack") if name == "moto" or name in SELECTED]

#: Fast backoff for tests that provoke retries.
QUICK = RetryPolicy(max_attempts=4, backoff=0.01, backoff_cap=0.05, total_seconds=10)


@dataclass(frozen=True)
class Moto:
    """A running moto server and credentials it takes."""

    endpoint: str
    key: str = "AKIDMOTOTEST"
    secret: str = "moto-secret-key-value"

    def boto3(self, service: str = "ec2", region: str = "us-east-1") -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
        )


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS_* setting leaks in (HOME is already an empty temporary folder); boto3, used as an
    oracle, never asks the instance metadata service."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _start_moto(env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes]]:
    exe = Path(sys.executable).with_name("moto_server")
    port = free_port()
    process = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1).status_code < 500:
                return f"http://127.0.0.1:{port}", process
        time.sleep(0.1)
    _stop(process)
    raise TimeoutError(f"moto_server on port {port} did not answer within 20 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="session")
def moto(moto_server: S3Server) -> Moto:
    """The session's moto_server, accepting any credentials."""
    return Moto(moto_server.endpoint, moto_server.key, moto_server.secret)


@pytest.fixture(scope="session")
def moto_auth() -> Iterator[Moto]:
    """moto_server checking SigV4 signatures and IAM policies: after three set-up actions (a
    user, its access key, a policy allowing ec2:Describe*) every request must be signed with
    that key."""

    def start(attempt: int) -> tuple[Moto, subprocess.Popen[bytes]]:
        endpoint, process = _start_moto({"INITIAL_NO_AUTH_ACTION_COUNT": "3"})
        try:
            iam = Moto(endpoint).boto3("iam")
            iam.create_user(UserName="omnicloud")
            made = iam.create_access_key(UserName="omnicloud")["AccessKey"]
            iam.put_user_policy(
                UserName="omnicloud",
                PolicyName="describe",
                PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                '"Action": "ec2:Describe*", "Resource": "*"}]}',
            )
        except BaseException:
            _stop(process)
            raise
        return Moto(endpoint, made["AccessKeyId"], made["SecretAccessKey"]), process

    server, process = start_server("moto (auth)", start)
    try:
        yield server
    finally:
        _stop(process)


# moto 5.2 has no instance-type offerings for the newest regions (a RunInstances with a
# placement there is an HTTP 500), so tests keep to the others.
_MOTO_GAPS = {"ap-east-2", "ap-southeast-6", "ap-southeast-7", "mx-central-1"}
_regions = itertools.cycle(sorted(set(REGIONS) - _MOTO_GAPS))


def fresh_region() -> str:
    """A region no earlier test of this session used (moto keeps state per region), until
    the table is used up."""
    return next(_regions)


ClientFactory = Callable[..., Any]


@pytest.fixture
def ec2_factory(mode: str, portal: Portal) -> Iterator[ClientFactory]:
    """``make(*args, **kwargs)``: an EC2 client in this test's mode (async ones behind the
    portal); all are closed after the test."""
    made: list[Any] = []

    def make(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("http", HttpConfig(retry=QUICK))
        client = open_in_mode(mode, portal, EC2Client, AsyncEC2Client, *args, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        close_in_mode(client, portal)
