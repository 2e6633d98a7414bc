"""``omnicloud storage`` end to end through ``_root.run`` (exit codes and output)."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from omnicloud.cli import _root
from tests.storage.conftest import S3Server, unique


@pytest.fixture(autouse=True)
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = ("omnicloud.cli.storage_cmd", "storage", "Object storage.")
    monkeypatch.setitem(_root.SUBCOMMANDS, "storage", entry)
    monkeypatch.setitem(_root.cli.lazy_commands, "storage", entry)  # type: ignore[attr-defined]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = _root.run(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_local_cli_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "store").mkdir()  # a given --root must exist
    base = ["storage", "--provider", "local", "--root", str(tmp_path / "store")]
    assert run([*base, "mb", "box"], capsys)[0] == 0
    source = tmp_path / "report.txt"
    source.write_bytes(b"line\n" * 1000)
    code, out, err = run(
        [*base, "put", str(source), "box/docs/report.txt", "--meta", "owner=alice"], capsys
    )
    assert (code, out) == (0, "")
    code, out, _ = run([*base, "ls"], capsys)
    assert out.split() == ["box"]
    code, out, _ = run([*base, "ls", "box"], capsys)
    assert "DIR" in out and "docs/" in out
    code, out, _ = run([*base, "ls", "-r", "box/docs/"], capsys)
    assert "5000" in out and "docs/report.txt" in out
    code, out, _ = run([*base, "stat", "--json", "box/docs/report.txt"], capsys)
    record = json.loads(out)
    assert record["hash"] == hashlib.md5(source.read_bytes()).hexdigest()
    assert record["content_type"] == "text/plain"
    assert record["meta_data"] == {"owner": "alice"}
    target = tmp_path / "copy.txt"
    assert run([*base, "get", "box/docs/report.txt", str(target)], capsys)[0] == 0
    assert target.read_bytes() == source.read_bytes()
    code, _, err = run([*base, "get", "box/docs/report.txt", str(target)], capsys)
    assert code == 2 and "exists" in err
    assert run([*base, "get", "-f", "box/docs/report.txt", str(target)], capsys)[0] == 0
    code, _, err = run([*base, "rb", "box"], capsys)
    assert code == 1 and "not empty" in err
    assert run([*base, "rm", "box/docs/report.txt"], capsys)[0] == 0
    code, _, err = run([*base, "stat", "box/docs/report.txt"], capsys)
    assert code == 1 and "does not exist" in err
    assert run([*base, "rb", "box"], capsys)[0] == 0


def test_stdin_and_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (tmp_path / "store").mkdir()
    base = ["storage", "--root", str(tmp_path / "store")]
    assert _root.run([*base, "mb", "pipe"]) == 0
    payload = bytes(range(256)) * 5000
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    assert _root.run([*base, "put", "-", "pipe/blob"]) == 0
    capsysbinary.readouterr()
    assert _root.run([*base, "get", "pipe/blob", "-"]) == 0
    assert capsysbinary.readouterr().out == payload


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "store").mkdir()
    base = ["storage", "--root", str(tmp_path / "store")]
    code, _, err = run([*base, "put", str(tmp_path / "missing"), "box/x"], capsys)
    assert code == 2
    code, _, err = run([*base, "get", "just-a-container", "-"], capsys)
    assert code == 2 and "CONTAINER/NAME" in err
    code, _, err = run([*base, "mb", "../up"], capsys)
    assert code == 2
    code, _, err = run(["storage", "--provider", "s3", "--access-key", "AKID", "ls"], capsys)
    assert code == 2 and "both an access key and a secret key" in err


def test_s3_cli_without_keys_uses_the_aws_chain(
    moto_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    base = ["storage", "--provider", "s3", "--endpoint", moto_server.endpoint]
    code, _, err = run([*base, "ls"], capsys)  # no keys anywhere: one line, nothing sent
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    shared = tmp_path / "credentials"
    shared.write_text(
        f"[bench]\naws_access_key_id = {moto_server.key}\n"
        f"aws_secret_access_key = {moto_server.secret}\n"
    )
    shared.chmod(0o600)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
    monkeypatch.setenv("AWS_PROFILE", "bench")
    bucket = unique()
    assert run([*base, "mb", bucket], capsys)[0] == 0
    code, out, _ = run([*base, "ls"], capsys)
    assert code == 0 and bucket in out
    assert moto_server.secret not in out
    assert run([*base, "rb", bucket], capsys)[0] == 0


def test_s3_cli(
    moto_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server.secret)
    base = ["storage", "--provider", "s3", "--endpoint", moto_server.endpoint]
    bucket = unique()
    assert run([*base, "mb", bucket], capsys)[0] == 0
    source = tmp_path / "data.bin"
    source.write_bytes(b"\x00\x01" * 4_000_000)
    assert run([*base, "--part-size", "5", "put", str(source), f"{bucket}/d.bin"], capsys)[0] == 0
    code, out, _ = run([*base, "stat", f"{bucket}/d.bin"], capsys)
    assert "size: 8000000" in out and "hash: " in out and "-2" in out
    target = tmp_path / "back.bin"
    assert run([*base, "get", f"{bucket}/d.bin", str(target)], capsys)[0] == 0
    assert target.read_bytes() == source.read_bytes()
    assert run([*base, "rm", f"{bucket}/d.bin"], capsys)[0] == 0
    assert run([*base, "rb", bucket], capsys)[0] == 0
    code, _, _err = run([*base, "rb", bucket], capsys)
    assert code == 1


@pytest.mark.parametrize("choice", ["crc32", "md5"])
def test_s3_cli_part_checksum(
    moto_server: S3Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    choice: str,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto_server.key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto_server.secret)
    base = ["storage", "--provider", "s3", "--endpoint", moto_server.endpoint]
    bucket = unique()
    assert run([*base, "mb", bucket], capsys)[0] == 0
    source = tmp_path / "data.bin"
    source.write_bytes(b"\x02\x03" * 3_000_000)
    put = [*base, "--part-size", "5", "--part-checksum", choice, "put", str(source), f"{bucket}/c"]
    assert run(put, capsys)[0] == 0
    client: Any = moto_server.boto3()
    head = client.head_object(Bucket=bucket, Key="c", ChecksumMode="ENABLED")
    assert ("ChecksumCRC32" in head) == (choice == "crc32")
    client.delete_object(Bucket=bucket, Key="c")
    client.delete_bucket(Bucket=bucket)
    code, _, err = run([*base, "--part-checksum", "sha1", "ls"], capsys)
    assert code == 2 and "--part-checksum" in err


def test_profile_storage_by_default_and_conflicting_choices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "note.txt"
    source.write_text("kept in the local cloud's storage\n")
    assert run(["storage", "mb", "profiled"], capsys)[0] == 0
    assert run(["storage", "put", str(source), "profiled/note.txt"], capsys)[0] == 0
    # the default cloud is the built-in `local`, whose storage lives in the data directory
    stored = tmp_path / "data" / "storage" / "profiled"
    assert stored.is_dir() and any(stored.rglob("note.txt*"))
    code, out, _ = run(["--cloud", "local", "storage", "ls", "profiled"], capsys)
    assert code == 0 and "note.txt" in out
    code, _, err = run(["--cloud", "local", "storage", "--provider", "local", "ls"], capsys)
    assert code == 2 and "either --cloud" in err
    code, _, err = run(["--cloud", "local-sigma", "storage", "ls"], capsys)
    assert code == 2 and "storage" in err
