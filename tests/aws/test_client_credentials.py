"""Clients take the credentials chain: a profile's credential_process runs at the first request
(in a worker thread for async clients), moto verifies the signature made with what it printed,
and the debug trace never shows the secret."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from omnicloud.aws import EC2Client
from omnicloud.http import enable_trace
from tests.aws.conftest import ClientFactory, Moto
from tests.aws.test_credentials import process_script, runs, write


def test_profile_with_credential_process_signs_requests(
    moto_auth: Moto, ec2_factory: ClientFactory, clean_env: Path, tmp_path: Path
) -> None:
    document = {"Version": 1, "AccessKeyId": moto_auth.key, "SecretAccessKey": moto_auth.secret}
    command = process_script(tmp_path / "p", document)
    write(
        clean_env / ".aws" / "config",
        f"[profile moto]\ncredential_process = {command}\nregion = eu-west-1\n",
    )
    client = ec2_factory(profile="moto", endpoint=moto_auth.endpoint)
    assert runs(tmp_path / "p") == []
    assert client.region == "eu-west-1"
    zones = client.list("DescribeAvailabilityZones", "availabilityZoneInfo")
    assert {z["regionName"] for z in zones} == {"eu-west-1"}
    client.call("DescribeRegions")
    assert len(runs(tmp_path / "p")) == 1


def test_environment_credentials_and_region(
    moto: Moto, ec2_factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto.secret)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
    client = ec2_factory(endpoint=moto.endpoint)
    assert client.region == "ap-northeast-2"
    zones = client.list("DescribeAvailabilityZones", "availabilityZoneInfo")
    assert {z["regionName"] for z in zones} == {"ap-northeast-2"}


def test_default_region_and_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value")
    with EC2Client() as client:
        assert client.region == "us-east-1"
        assert client.endpoint == "https://ec2.us-east-1.amazonaws.com/"
        assert "env-secret-value" not in repr(client)
        assert "environment" in repr(client)
    with EC2Client(region="eu-south-2") as client:
        assert client.endpoint == "https://ec2.eu-south-2.amazonaws.com/"


def test_trace_hides_process_secrets(
    moto: Moto, clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "Version": 1,
        "AccessKeyId": "AKIDTRACE",
        "SecretAccessKey": "trace-secret-value",
        "SessionToken": "trace-session-token",
    }
    command = process_script(tmp_path / "p", document)
    write(clean_env / ".aws" / "credentials", f"[default]\ncredential_process = {command}\n")
    stream = io.StringIO()
    enable_trace(stream)
    with EC2Client(endpoint=moto.endpoint) as client:
        client.call("DescribeRegions")
    text = stream.getvalue()
    assert "DescribeRegions" in text
    assert "trace-secret-value" not in text
    assert "trace-session-token" not in text
