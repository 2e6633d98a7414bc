"""The AWS credentials chain: arguments, environment, shared files, credential_process, region,
in the AWS CLI's order (boto3 as the oracle where it applies), and secrets kept out of sight."""

from __future__ import annotations

import json
import shlex
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from omnicloud.aws.credentials import (
    AwsSession,
    CredentialProcessError,
    ProcessCredentials,
    StaticCredentials,
    resolve_session,
)
from omnicloud.errors import ConfigurationError

SECRET = "s3cr3t-VALUE-never-shown"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    """An AWS file, private to its owner as ``aws configure`` makes it (unless ``mode``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    path.chmod(mode)
    return path


@pytest.fixture
def aws_dir(clean_env: Path) -> Path:
    return clean_env / ".aws"


def process_script(folder: Path, document: Any, *, status: int = 0, stderr: str = "") -> str:
    """A credential_process command printing ``document`` (JSON unless a str), recording each
    run in ``runs.log`` next to it."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "creds.py"
    output = document if isinstance(document, str) else json.dumps(document)
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        f"log = pathlib.Path({str(folder / 'runs.log')!r})\n"
        "log.open('a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        f"sys.stderr.write({stderr!r})\n"
        f"sys.stdout.write({output!r})\n"
        f"sys.exit({status})\n"
    )
    script.chmod(0o755)
    return shlex.quote(str(script))


def runs(folder: Path) -> list[str]:
    log = folder / "runs.log"
    return log.read_text().splitlines() if log.exists() else []


def key_of(session: AwsSession) -> str:
    return session.credentials().access_key


def boto3_view(profile: str | None = None) -> tuple[str | None, str | None]:
    import boto3

    session = boto3.Session(profile_name=profile)
    credentials = session.get_credentials()
    return (credentials.access_key if credentials else None), session.region_name


# -- precedence ---------------------------------------------------------------------------------


def test_explicit_arguments_win(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    write(
        aws_dir / "credentials",
        "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = x\n",
    )
    session = resolve_session("AKIDARG", SECRET, "tok", region="eu-west-1")
    assert key_of(session) == "AKIDARG"
    assert session.credentials().token == "tok"
    assert session.provider.origin == "explicit"
    assert session.region == "eu-west-1"


def test_environment_beats_files(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> None:
    write(
        aws_dir / "credentials",
        "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = x\n",
    )
    write(aws_dir / "config", "[default]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    session = resolve_session()
    assert key_of(session) == "AKIDENV"
    assert session.credentials().token == "envtoken"
    assert session.region == "ap-south-1"
    assert boto3_view() == ("AKIDENV", "ap-south-1")


def test_explicit_profile_skips_environment_keys(
    monkeypatch: pytest.MonkeyPatch, aws_dir: Path
) -> None:
    """As the CLI's --profile: the named profile's keys, not AWS_ACCESS_KEY_ID."""
    write(
        aws_dir / "credentials", "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = x\n"
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert key_of(resolve_session(profile="dev")) == "AKIDDEV"
    assert boto3_view("dev")[0] == "AKIDDEV"
    monkeypatch.setenv("AWS_PROFILE", "dev")  # the variable does not skip them
    assert key_of(resolve_session()) == "AKIDENV"
    assert boto3_view()[0] == "AKIDENV"


def test_credentials_file_beats_config_file(aws_dir: Path) -> None:
    write(
        aws_dir / "config",
        """
        [profile dev]
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = x
        region = eu-north-1
        [profile only-config]
        aws_access_key_id = AKIDONLYCONFIG
        aws_secret_access_key = x
        [only-credentials]
        aws_access_key_id = AKIDNOTAPROFILE
        aws_secret_access_key = x
        """,
    )
    write(
        aws_dir / "credentials",
        """
        [dev]
        aws_access_key_id = AKIDCREDS
        aws_secret_access_key = x
        [profile weird]
        aws_access_key_id = AKIDWEIRD
        aws_secret_access_key = x
        """,
    )
    dev = resolve_session(profile="dev")
    assert key_of(dev) == "AKIDCREDS"
    assert dev.region == "eu-north-1"
    assert dev.profile == "dev"
    assert boto3_view("dev") == ("AKIDCREDS", "eu-north-1")
    assert key_of(resolve_session(profile="only-config")) == "AKIDONLYCONFIG"
    assert boto3_view("only-config")[0] == "AKIDONLYCONFIG"
    # "[x]" in the config file is not profile x; "[profile x]" in the credentials file is
    # profile "profile x".
    with pytest.raises(ConfigurationError, match="'only-credentials' is in neither"):
        resolve_session(profile="only-credentials")
    assert key_of(resolve_session(profile="profile weird")) == "AKIDWEIRD"


def test_region_precedence(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> None:
    write(
        aws_dir / "credentials", "[default]\naws_access_key_id = AKID\naws_secret_access_key = x\n"
    )
    write(aws_dir / "config", "[default]\nregion = sa-east-1\n")
    assert resolve_session().region == "sa-east-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert resolve_session().region == "us-west-2"
    assert boto3_view()[1] == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert resolve_session().region == "eu-west-3"
    assert resolve_session(region="ca-central-1").region == "ca-central-1"


def test_region_absent_everywhere_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert resolve_session().region is None


def test_file_locations_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    creds = write(
        tmp_path / "elsewhere" / "c.ini",
        "[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = x\n",
    )
    config = write(tmp_path / "elsewhere" / "k.ini", "[profile ops]\nregion = me-central-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "ops")
    session = resolve_session()
    assert (key_of(session), session.region, session.profile) == ("AKIDOPS", "me-central-1", "ops")
    assert boto3_view() == ("AKIDOPS", "me-central-1")


def test_session_token_in_profile(aws_dir: Path) -> None:
    write(
        aws_dir / "credentials",
        "[default]\naws_access_key_id = AKID\naws_secret_access_key = x\naws_session_token = T\n",
    )
    assert resolve_session().credentials().token == "T"


# -- what is missing or wrong -------------------------------------------------------------------


def test_no_credentials_anywhere(aws_dir: Path) -> None:
    with pytest.raises(ConfigurationError, match="no AWS credentials found") as caught:
        resolve_session()
    assert str(aws_dir / "credentials") in str(caught.value)


def test_missing_named_profile(monkeypatch: pytest.MonkeyPatch, aws_dir: Path) -> None:
    write(aws_dir / "config", "[profile a]\nregion = eu-west-1\n[profile b]\nregion = eu-west-1\n")
    with pytest.raises(ConfigurationError, match=r"'nope' is in neither .*profiles there: a, b"):
        resolve_session(profile="nope")
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(ConfigurationError, match="'nope'"):
        resolve_session()


@pytest.mark.parametrize(
    ("key", "secret", "token", "message"),
    [
        ("AKID", None, None, "access key was given without a secret key"),
        (None, SECRET, None, "secret key was given without an access key"),
        (None, None, "tok", "session token was given without"),
    ],
)
def test_half_explicit_credentials(
    key: str | None, secret: str | None, token: str | None, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        resolve_session(key, secret, token)
    assert SECRET not in str(caught.value)


def test_half_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    with pytest.raises(ConfigurationError, match="no AWS_ACCESS_KEY_ID") as caught:
        resolve_session()
    assert SECRET not in str(caught.value)


def test_half_profile_credentials(aws_dir: Path) -> None:
    write(aws_dir / "credentials", f"[default]\naws_secret_access_key = {SECRET}\n")
    with pytest.raises(ConfigurationError, match="no aws_access_key_id") as caught:
        resolve_session()
    assert SECRET not in str(caught.value)


def test_unsupported_sources_are_refused_not_skipped(aws_dir: Path) -> None:
    write(
        aws_dir / "config",
        """
        [profile admin]
        role_arn = arn:aws:iam::123456789012:role/admin
        source_profile = default
        [profile sso]
        sso_session = corp
        """,
    )
    write(
        aws_dir / "credentials", "[default]\naws_access_key_id = AKID\naws_secret_access_key = x\n"
    )
    with pytest.raises(ConfigurationError, match="assume role"):
        resolve_session(profile="admin")
    with pytest.raises(ConfigurationError, match="IAM Identity Center"):
        resolve_session(profile="sso")


def test_broken_ini_names_the_line_not_the_content(aws_dir: Path) -> None:
    write(aws_dir / "credentials", f"aws_secret_access_key = {SECRET}\n[default]\n")
    with pytest.raises(
        ConfigurationError, match=r"credentials.*not valid INI \(line 1\)"
    ) as caught:
        resolve_session()
    assert SECRET not in str(caught.value)


# -- credential_process -------------------------------------------------------------------------


def _document(**extra: Any) -> dict[str, Any]:
    return {"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": SECRET, **extra}


def test_credential_process_runs_when_needed_and_only_for_its_profile(
    aws_dir: Path, tmp_path: Path
) -> None:
    used = tmp_path / "used"
    other = tmp_path / "other"
    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = process_script(used, _document(SessionToken="PROCTOKEN", Expiration=expires))
    write(
        aws_dir / "config",
        f"""
        [profile proc]
        credential_process = {command} --role "read only"
        region = eu-west-2
        [profile other]
        credential_process = {process_script(other, _document())}
        """,
    )
    session = resolve_session(profile="proc")
    assert runs(used) == []  # resolving does not run it
    assert isinstance(session.provider, ProcessCredentials)
    assert session.provider.current() is None
    credentials = session.credentials()
    assert (credentials.access_key, credentials.token) == ("AKIDPROC", "PROCTOKEN")
    assert credentials.secret_key == SECRET
    assert runs(used) == ["--role read only"]  # split like a shell, quotes honoured
    session.credentials()
    assert runs(used) == ["--role read only"]  # cached while valid
    assert runs(other) == []  # another profile's process never runs
    assert session.region == "eu-west-2"
    boto_key, _ = boto3_view("proc")
    assert boto_key == "AKIDPROC"


def test_credential_process_refreshes_before_expiry(aws_dir: Path, tmp_path: Path) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    command = process_script(tmp_path / "p", _document(Expiration=soon))
    write(aws_dir / "credentials", f"[default]\ncredential_process = {command}\n")
    session = resolve_session()
    session.credentials()
    session.credentials()
    assert len(runs(tmp_path / "p")) == 2  # less than the 5-minute margin left: run again


def test_credentials_file_keys_beat_credential_process(aws_dir: Path, tmp_path: Path) -> None:
    command = process_script(tmp_path / "p", _document())
    write(
        aws_dir / "credentials",
        f"[default]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = x\n"
        f"credential_process = {command}\n",
    )
    assert key_of(resolve_session()) == "AKIDSTATIC"
    assert runs(tmp_path / "p") == []


def test_credential_process_beats_config_file_keys(aws_dir: Path, tmp_path: Path) -> None:
    command = process_script(tmp_path / "p", _document())
    write(
        aws_dir / "config",
        f"[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = x\n"
        f"credential_process = {command}\n",
    )
    assert key_of(resolve_session()) == "AKIDPROC"
    assert boto3_view()[0] == "AKIDPROC"


def test_no_shell_is_involved(aws_dir: Path, tmp_path: Path) -> None:
    command = process_script(tmp_path / "p", _document())
    marker = tmp_path / "pwned"
    write(aws_dir / "credentials", f"[default]\ncredential_process = {command} ; touch {marker}\n")
    assert key_of(resolve_session()) == "AKIDPROC"
    assert not marker.exists()
    assert runs(tmp_path / "p") == [f"; touch {marker}"]


@pytest.mark.parametrize(
    ("document", "status", "stderr", "message"),
    [
        (_document(), 3, "token expired, run sso login", r"exited with status 3: token expired"),
        (f"AccessKeyId=x SecretAccessKey={SECRET}", 0, "", r"no JSON document \(\d+ bytes"),
        (_document(Version=2), 0, "", "Version 2; only Version 1"),
        ({"Version": 1, "AccessKeyId": "A", "Secret": SECRET}, 0, "", "no SecretAccessKey"),
        ([SECRET], 0, "", "JSON that is not an object"),
        (_document(Expiration="tomorrow"), 0, "", "Expiration 'tomorrow' is not an ISO"),
    ],
)
def test_credential_process_failures_are_clear_and_secret_free(
    aws_dir: Path, tmp_path: Path, document: Any, status: int, stderr: str, message: str
) -> None:
    command = process_script(tmp_path / "p", document, status=status, stderr=stderr)
    write(aws_dir / "credentials", f"[ci]\ncredential_process = {command}\n")
    session = resolve_session(profile="ci")
    with pytest.raises(CredentialProcessError, match=message) as caught:
        session.credentials()
    assert isinstance(caught.value, ConfigurationError)
    assert "profile 'ci'" in str(caught.value)
    assert SECRET not in str(caught.value)


def test_credential_process_not_found(aws_dir: Path, tmp_path: Path) -> None:
    write(aws_dir / "credentials", f"[default]\ncredential_process = {tmp_path}/missing --x\n")
    with pytest.raises(CredentialProcessError, match="not found"):
        resolve_session().credentials()


# -- secrets out of sight -----------------------------------------------------------------------


def test_secrets_absent_from_reprs(aws_dir: Path, tmp_path: Path) -> None:
    static = resolve_session("AKIDARG", SECRET, "TOKENVALUE")
    command = process_script(tmp_path / "p", _document(SessionToken="TOKENVALUE"))
    write(aws_dir / "credentials", f"[default]\ncredential_process = {command} --pw hunter2\n")
    process = resolve_session()
    process.credentials()
    for thing in (static, static.provider, static.credentials(), process, process.provider,
                  process.credentials()):  # fmt: skip
        for text in (repr(thing), str(thing)):
            assert SECRET not in text
            assert "TOKENVALUE" not in text
            assert "hunter2" not in text
    assert "AKIDARG" in repr(static.provider)
    assert isinstance(static.provider, StaticCredentials)


def test_readable_credentials_file_warns(aws_dir: Path) -> None:
    text = f"[default]\naws_access_key_id = AKID\naws_secret_access_key = {SECRET}\n"
    write(aws_dir / "credentials", text, mode=0o644)
    with pytest.warns(UserWarning, match="readable by other users") as caught:
        resolve_session()
    assert all(SECRET not in str(w.message) for w in caught)
    write(aws_dir / "credentials", text)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resolve_session()
