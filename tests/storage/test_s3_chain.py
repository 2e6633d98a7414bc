"""S3 on the AWS credentials chain: ``S3StorageDriver()`` without keys takes the environment,
``AWS_PROFILE``/``profile=``, ``~/.aws/credentials`` and ``~/.aws/config`` (region too), and a
``credential_process`` (run lazily, only for the profile in use); session tokens travel as
``X-Amz-Security-Token`` in headers and presigned URLs; ``AWS_ENDPOINT_URL_S3`` names the
endpoint as for boto3; an ``aws`` profile needs no keys. Secrets stay out of reprs, errors and
traces. Wire checks on the regional S3 fake of ``test_s3_regions``, sync and async."""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import omnicloud
from omnicloud.errors import ConfigurationError
from omnicloud.http import enable_trace
from omnicloud.storage._models import Container
from omnicloud.storage.drivers.s3 import AsyncS3StorageDriver, S3StorageDriver
from omnicloud.storage.errors import ContainerDoesNotExistError
from tests.storage.conftest import S3Server, unique
from tests.storage.test_s3_regions import NO_RETRY, RegionalS3
from tests.support.modes import Portal, close_in_mode, open_in_mode

SECRET = "chain-SECRET-never-shown"
TOKEN = "chain-TOKEN-never-shown-either"
AWS_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
)


@pytest.fixture(autouse=True)
def no_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def fake_s3() -> Iterator[RegionalS3]:
    server = RegionalS3()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_s3: RegionalS3) -> RegionalS3:
    for table in (fake_s3.homes, fake_s3.style, fake_s3.locations, fake_s3.objects):
        table.clear()
    fake_s3.hits.clear()
    return fake_s3


@pytest.fixture
def make(mode: str, portal: Portal) -> Iterator[Any]:
    """``make(*args, **kwargs)``: an S3 driver in this test's mode, closed afterwards."""
    made: list[Any] = []

    def build(*args: Any, **kwargs: Any) -> S3StorageDriver:
        kwargs.setdefault("http", NO_RETRY)
        driver = open_in_mode(mode, portal, S3StorageDriver, AsyncS3StorageDriver, *args, **kwargs)
        made.append(driver)
        return driver

    yield build
    for driver in made:
        close_in_mode(driver, portal)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(0o600)


def process_script(folder: Path, key: str, secret: str, token: str | None = None) -> str:
    """A credential_process command answering ``key``/``secret`` (valid for an hour), noting
    each run in ``folder/runs.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret, "Expiration": expires}
    if token:
        document["SessionToken"] = token
    script = folder / "creds.py"
    script.write_text(
        f"#!{sys.executable}\n"
        "import pathlib\n"
        f"pathlib.Path({str(folder / 'runs.log')!r}).open('a').write('run\\n')\n"
        f"print({json.dumps(document)!r})\n"
    )
    script.chmod(0o755)
    return shlex.quote(str(script))


def runs(folder: Path) -> int:
    log = folder / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def signed_key(fake: RegionalS3, index: int = -1) -> str:
    authorization = fake.hits[index].headers["Authorization"]
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def token_of(fake: RegionalS3, index: int = -1) -> str | None:
    headers = {k.lower(): v for k, v in fake.hits[index].headers.items()}
    return headers.get("x-amz-security-token")


def native(driver: Any) -> Any:
    return getattr(driver, "driver", driver)


# -- where credentials come from ---------------------------------------------------------------
def test_environment_keys_token_and_region(
    make: Any, fake: RegionalS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    bucket = fake.bucket("env-bucket", "eu-west-2")
    fake.objects[bucket, "o"] = b"payload"
    driver = make(endpoint=fake.url)
    assert driver.region == "eu-west-2"
    obj = driver.get_object(bucket, "o")
    assert signed_key(fake) == "AKIDENV" and token_of(fake) == TOKEN
    signed_headers = fake.hits[-1].headers["Authorization"].split("SignedHeaders=")[1]
    assert "x-amz-security-token" in signed_headers.split(",")[0].split(";")
    url = driver.get_object_presigned_url(obj, expires=300)
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Security-Token"] == [TOKEN]
    assert query["X-Amz-Credential"][0].startswith("AKIDENV/")
    assert httpx.get(url).content == b"payload"
    assert fake.hits[-1].region == "eu-west-2"
    assert SECRET not in repr(native(driver)) and TOKEN not in repr(native(driver))


def test_explicit_keys_beat_the_environment(
    make: Any, fake: RegionalS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "env-token-value")
    bucket = fake.bucket("explicit", "us-east-1")
    driver = make("AKIDARG", "arg-secret", endpoint=fake.url, token="arg-token-value")
    driver.list_container_objects(Container(bucket))
    assert signed_key(fake) == "AKIDARG" and token_of(fake) == "arg-token-value"
    plain = make("AKIDARG", "arg-secret", endpoint=fake.url)
    plain.list_container_objects(Container(bucket))
    assert token_of(fake) is None  # the environment's token never joins explicit keys


def test_shared_files_and_aws_profile(
    make: Any, fake: RegionalS3, clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        clean_env / ".aws" / "credentials",
        """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = default-secret
        [work]
        aws_access_key_id = AKIDWORK
        aws_secret_access_key = work-secret
        aws_session_token = work-session-token
        """,
    )
    write(clean_env / ".aws" / "config", "[profile work]\nregion = ap-south-1\n")
    bucket = fake.bucket("shared", "ap-south-1")
    default = make(endpoint=fake.url, region="ap-south-1")
    default.list_container_objects(Container(bucket))
    assert signed_key(fake) == "AKIDDEFAULT" and token_of(fake) is None
    monkeypatch.setenv("AWS_PROFILE", "work")
    work = make(endpoint=fake.url)
    assert work.region == "ap-south-1"  # the profile's region
    work.list_container_objects(Container(bucket))
    assert signed_key(fake) == "AKIDWORK" and token_of(fake) == "work-session-token"
    assert fake.hits[-1].region == "ap-south-1"
    chosen = make(endpoint=fake.url, profile="default", region="ap-south-1")
    chosen.list_container_objects(Container(bucket))
    assert signed_key(fake) == "AKIDDEFAULT"  # profile= beats AWS_PROFILE
    assert native(work).session.profile == "work"


def test_credential_process_runs_lazily_and_only_for_the_profile_in_use(
    make: Any, fake: RegionalS3, clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    used, other = tmp_path / "used", tmp_path / "other"
    write(
        clean_env / ".aws" / "config",
        f"""
        [profile used]
        credential_process = {process_script(used, "AKIDPROC", SECRET, TOKEN)}
        region = eu-north-1
        [profile other]
        credential_process = {process_script(other, "AKIDOTHER", "other-secret")}
        """,
    )
    monkeypatch.setenv("AWS_PROFILE", "used")
    bucket = fake.bucket("processed", "eu-north-1")
    fake.objects[bucket, "o"] = b"from process"
    stream = io.StringIO()
    enable_trace(stream)  # the conftest turns it off again
    driver = make(endpoint=fake.url)
    assert runs(used) == 0  # nothing needed credentials yet
    assert "ProcessCredentials(profile='used'" in repr(native(driver))
    obj = driver.get_object(bucket, "o")
    assert b"".join(driver.download_object_as_stream(obj)) == b"from process"
    driver.list_container_objects(Container(bucket))
    with pytest.raises(ContainerDoesNotExistError) as failure:
        driver.list_container_objects(Container("no-such-bucket"))
    url = driver.get_object_presigned_url(obj, expires=60)
    assert runs(used) == 1 and runs(other) == 0  # once, cached while valid; never the other
    assert signed_key(fake) == "AKIDPROC" and token_of(fake) == TOKEN
    assert parse_qs(urlsplit(url).query)["X-Amz-Security-Token"] == [TOKEN]
    trace = stream.getvalue()
    assert "> HEAD http://127.0.0.1" in trace and "> GET http://127.0.0.1" in trace
    for text in (trace, str(failure.value), repr(failure.value), repr(native(driver))):
        assert SECRET not in text and TOKEN not in text


def test_no_credentials_anywhere_is_a_clear_error_before_any_request(fake: RegionalS3) -> None:
    with pytest.raises(ConfigurationError, match="AWS_ACCESS_KEY_ID"):
        S3StorageDriver(endpoint=fake.url)
    with pytest.raises(ConfigurationError, match="secret key"):
        S3StorageDriver("AKIDHALF", endpoint=fake.url)
    with pytest.raises(ConfigurationError, match="'nope'"):
        S3StorageDriver(profile="nope", endpoint=fake.url)
    assert fake.hits == []


# -- endpoint from the environment ---------------------------------------------------------------
def test_endpoint_from_the_environment(
    make: Any, fake: RegionalS3, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = fake.bucket("envpoint", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # S3's own variable wins
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", fake.url)
    driver = make("AKID", "secret")
    assert driver.list_container_objects(Container(bucket)) == []
    assert len(fake.hits) == 1
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    monkeypatch.setenv("AWS_ENDPOINT_URL", fake.url)
    assert make("AKID", "secret").list_container_objects(Container(bucket)) == []
    assert len(fake.hits) == 2
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    ignored = make("AKID", "secret", region="eu-west-1")
    assert ignored.get_object_presigned_url(_object(ignored, bucket), expires=60).startswith(
        "https://envpoint.s3.eu-west-1.amazonaws.com/"
    )
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
    explicit = make("AKID", "secret", endpoint="http://127.0.0.1:1")
    assert explicit.get_object_presigned_url(_object(explicit, bucket), expires=60).startswith(
        "http://127.0.0.1:1/envpoint/k?"
    )


def _object(driver: Any, bucket: str) -> Any:
    from omnicloud.storage._models import Object

    return Object("k", 0, None, {}, {}, Container(bucket, {}, driver), driver)


# -- profiles -----------------------------------------------------------------------------------
def test_an_aws_profile_needs_no_keys_for_storage(
    moto_server: S3Server, clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``kind: aws`` naming an AWS CLI profile (``aws_profile``) gives S3 on that profile's
    credentials and region; keys in the omnicloud profile still work as before."""
    write(
        clean_env / ".aws" / "credentials",
        f"[lab]\naws_access_key_id = {moto_server.key}\naws_secret_access_key = lab-secret\n",
    )
    write(clean_env / ".aws" / "config", "[profile lab]\nregion = eu-west-3\n")
    config = tmp_path / "omnicloud.yaml"
    config.write_text(
        "cloud:\n"
        f"  lab: {{kind: aws, credentials: {{aws_profile: lab,"
        f" endpoint: '{moto_server.endpoint}'}}}}\n"
        f"  keys: {{kind: aws, credentials: {{EC2_ACCESS_ID: AKIDKEYS, EC2_SECRET_KEY: k-secret,"
        f" endpoint: '{moto_server.endpoint}'}}}}\n"
        "  env: {kind: aws, credentials: {region: ca-central-1}}\n"
    )
    config.chmod(0o600)
    monkeypatch.setenv("OMNICLOUD_CONFIG", str(config))
    name = unique("lab")
    with omnicloud.connect("lab", "storage") as driver:
        assert type(driver).__name__ == "S3StorageDriver"
        assert driver.region == "eu-west-3"
        assert driver.session.profile == "lab"
        container = driver.create_container(name)
        assert container.extra["region"] == "eu-west-3"
        assert "lab-secret" not in repr(driver)
    oracle: Any = moto_server.boto3()
    assert oracle.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-3"
    with omnicloud.connect("keys", "storage") as keyed:
        assert keyed.session.provider.origin == "explicit"
        assert keyed.ex_get_container_region(name) == "eu-west-3"
        keyed.delete_container(Container(name))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    with omnicloud.connect("env", "storage") as from_env:
        assert from_env.region == "ca-central-1"
        assert from_env.session.provider.origin == "the environment"
    for name_ in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name_)
    with pytest.raises(ConfigurationError, match="no AWS credentials"):
        omnicloud.connect("env", "storage")
    assert os.environ.get("AWS_PROFILE") is None
