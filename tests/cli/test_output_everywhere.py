"""``-o/--output`` (and ``--cloud``) honoured by every data command, before or after it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from omnicloud.cli import main

Run = Callable[..., str]
FORMATS = ["table", "json", "yaml", "csv"]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(tmp_path / "data"))

    def invoke(*argv: str, code: int = 0) -> str:
        result = main(list(argv))
        out, err = capsys.readouterr()
        assert result == code, f"exit {result}: {err}"
        return out

    return invoke


def _with_format(argv: list[str], fmt: str, where: str) -> list[str]:
    """``argv`` with ``-o fmt`` before the sub-command or after it."""
    return ["-o", fmt, *argv] if where == "before" else [*argv, "--output", fmt]


def _parse(out: str, fmt: str) -> list[dict[str, object]] | dict[str, object]:
    if fmt == "json":
        return json.loads(out)  # type: ignore[no-any-return]
    if fmt == "yaml":
        return yaml.safe_load(out)  # type: ignore[no-any-return]
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out)))
    lines = out.splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split(), strict=False)) for line in lines[1:]]


LISTS = [
    (["sizes", "list"], "ID", "id"),
    (["images", "list"], "ID", "id"),
    (["locations", "list"], "ID", "id"),
    (["nodes", "list"], "ID", "id"),
    (["volumes", "list"], "ID", "id"),
    (["keys", "list"], "NAME", "name"),
    (["security-groups", "list"], "ID", "id"),
    (["config", "list"], "DEFAULT", "name"),
]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("argv", "header", "key"), LISTS, ids=[" ".join(a) for a, _, _ in LISTS])
def test_list_commands_honour_output(
    run: Run, argv: list[str], header: str, key: str, fmt: str, where: str
) -> None:
    out = run(*_with_format(argv, fmt, where))
    assert out.strip(), "a list prints at least its header"
    parsed = _parse(out, fmt)
    assert isinstance(parsed, list)
    if fmt == "table":
        assert out.split()[0] == header
    elif fmt == "csv":
        assert out.splitlines()[0].split(",")[0].upper() == header
    for row in parsed:
        assert (key.upper() if fmt == "table" else key) in row


@pytest.mark.parametrize("fmt", FORMATS)
def test_after_overrides_before(run: Run, fmt: str) -> None:
    out = run("-o", "table", "sizes", "list", "-o", fmt)
    other = run("-o", fmt, "sizes", "list")
    assert out == other


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_lists_print_header_or_brackets(run: Run, fmt: str, where: str) -> None:
    out = run(*_with_format(["nodes", "list"], fmt, where))
    expected = {
        "json": "[]\n",
        "yaml": "[]\n",
        "csv": "id,name,state,public_ips,private_ips,size,image\n",
        "table": "ID  NAME  STATE  PUBLIC_IPS  PRIVATE_IPS  SIZE  IMAGE\n",
    }[fmt]
    assert out == expected


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_node_actions_and_show_honour_output(run: Run, fmt: str, where: str) -> None:
    run("nodes", "create", "web")
    out = run(*_with_format(["nodes", "show", "web"], fmt, where))
    if fmt == "table":
        assert out.split()[0] == "id" and "name" in out.split() and "web" in out.split()
    elif fmt == "csv":
        assert next(csv.DictReader(io.StringIO(out)))["name"] == "web"
    else:
        parsed = _parse(out, fmt)
        assert isinstance(parsed, dict) and parsed["name"] == "web"
    out = run(*_with_format(["nodes", "stop", "web"], fmt, where))
    assert "web" in out


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_storage_ls_and_stat_honour_output(run: Run, tmp_path: Path, fmt: str, where: str) -> None:
    root = tmp_path / "store"
    root.mkdir()
    base = ["storage", "--root", str(root)]
    run(*base, "mb", "box")
    run(*base, "mb", "empty")
    source = tmp_path / "a.txt"
    source.write_text("hello")
    run(*base, "put", str(source), "box/a.txt")
    containers = run(*_with_format([*base, "ls"], fmt, where))
    objects = run(*_with_format([*base, "ls", "box"], fmt, where))
    empty = run(*_with_format([*base, "ls", "empty"], fmt, where))
    info = run(*_with_format([*base, "stat", "box/a.txt"], fmt, where))
    if fmt == "table":  # the table keeps its ls-like shape
        assert containers.split() == ["box", "empty"]
        assert objects.split()[0] == "5" and objects.split()[-1] == "a.txt"
        assert empty == ""
        assert "size: 5" in info
        return
    if fmt == "csv":
        assert containers == "name\nbox\nempty\n"
        rows = list(csv.DictReader(io.StringIO(objects)))
        assert [(r["name"], r["size"]) for r in rows] == [("a.txt", "5")]
        assert empty == "name,size,last_modified,is_prefix\n"
        assert next(csv.DictReader(io.StringIO(info)))["size"] == "5"
        return
    assert _parse(containers, fmt) == [{"name": "box"}, {"name": "empty"}]
    listed = _parse(objects, fmt)
    assert isinstance(listed, list)
    assert [(r["name"], r["size"]) for r in listed] == [("a.txt", 5)]
    assert _parse(empty, fmt) == []
    stat = _parse(info, fmt)
    assert isinstance(stat, dict) and stat["size"] == 5 and stat["container"] == "box"


@pytest.mark.parametrize("where", ["before", "after", "fast-path"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_cs_honours_output(run: Run, fmt: str, where: str) -> None:
    if where == "before":
        argv = ["--cloud", "local", "-o", fmt, "cs", "listZones"]
    elif where == "after":
        argv = ["--cloud", "local", "cs", "listZones", "-o", fmt]
    else:  # ``omnicloud cs`` is parsed without click: --cloud and -o after ``cs``
        argv = ["cs", "--cloud", "local", "listZones", "--output", fmt]
    out = run(*argv)
    if fmt in {"json", "yaml"}:
        parsed = _parse(out, fmt)
        assert isinstance(parsed, dict)
        zones = parsed["zone"]
        assert isinstance(zones, list) and parsed["count"] == len(zones) > 0
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all(row["id"] and row["name"] for row in rows)
    else:
        assert "ID" in out.splitlines()[0].split()
        assert "Sandbox-Basic" in out


def test_cs_default_output_stays_json(run: Run) -> None:
    out = run("--cloud", "local", "cs", "listZones")
    assert json.loads(out)["count"] > 0


def test_cs_bad_output_is_a_usage_error(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cs", "--cloud", "local", "listZones", "-o", "xml"]) == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", FORMATS)
def test_cloud_after_the_sub_command(run: Run, fmt: str) -> None:
    out = run("sizes", "list", "--cloud", "local-sigma", "-o", fmt)
    sigma = run("--cloud", "local-sigma", "sizes", "list", "-o", fmt)
    default = run("sizes", "list", "-o", fmt)
    assert out == sigma != default


def test_ssh_keeps_its_own_dash_o(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    """``nodes ssh NODE -o Opt=val`` leaves -o to ssh: the error is the unknown node."""
    assert main(["nodes", "ssh", "missing", "-o", "StrictHostKeyChecking=no"]) == 2
    err = capsys.readouterr().err
    assert err == "Error: this cloud has no nodes\n"


def test_a_bad_format_after_the_command_is_a_usage_error(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["nodes", "list", "-o", "xml"]) == 2
    assert "'xml' is not one of" in capsys.readouterr().err


def test_keys_create_keeps_output_as_the_key_path(run: Run, tmp_path: Path) -> None:
    """``keys create --output PATH`` still names the key file; ``-o`` before it is the format."""
    path = tmp_path / "k.pem"
    out = run("-o", "json", "keys", "create", "k1", "--output", str(path))
    assert json.loads(out)["name"] == "k1" and path.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_cs_tables_print_nothing_json_stays_cs(run: Run, fmt: str) -> None:
    out = run("--cloud", "local", "cs", "listVirtualMachines", "-o", fmt)
    assert out == {"json": "{}\n", "yaml": "{}\n", "table": "", "csv": ""}[fmt]
