"""The main job (``omnicloud demo``) on the built-in ``local`` cloud, in-process and as a command.

Each test gets its own ``OMNICLOUD_DATA_DIR`` (the ``local`` cloud's state) and checks afterwards,
through the public API, that every step happened and that the teardown left nothing behind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import omnicloud
from omnicloud.cli import main

STEPS = (
    "omnicloud --cloud local keys create demo-",
    "omnicloud --cloud local security-groups create demo-",
    "omnicloud --cloud local security-groups authorize demo-",
    "omnicloud --cloud local nodes create demo-",
    "omnicloud --cloud local nodes list",
    "omnicloud --cloud local volumes create demo-",
    "omnicloud --cloud local snapshots create demo-",
    "omnicloud --cloud local storage put hello.txt demo-",
    "omnicloud --cloud local storage get demo-",
    "omnicloud --cloud local sizes list",
    "omnicloud --cloud local nodes destroy demo-",
    "omnicloud --cloud local keys delete demo-",
    "omnicloud --cloud local storage rb demo-",
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("OMNICLOUD_DATA_DIR", str(path))
    return path


def _run_tag(out: str) -> str:
    match = re.search(r"\(run ([0-9a-f]{6})\)", out)
    assert match, out
    return match.group(1)


def _assert_nothing_left(tag: str) -> None:
    prefix = f"demo-{tag}"
    cloud = omnicloud.connect("local")
    try:
        assert not [n for n in cloud.list_nodes() if n.name.startswith(prefix)]
        assert not [k for k in cloud.list_key_pairs() if k.name.startswith(prefix)]
        assert not [g for g in cloud.ex_list_security_groups() if g.name.startswith(prefix)]
        assert not [v for v in cloud.list_volumes() if (v.name or "").startswith(prefix)]
        assert not [s for s in cloud.list_snapshots() if (s.name or "").startswith(prefix)]
    finally:
        cloud.close()
    storage = omnicloud.connect("local", "storage")
    assert prefix not in {c.name for c in storage.list_containers()}


def _hourly_total(out: str) -> float:
    match = re.search(r"fleet: \$([0-9.,]+) per hour", out)
    assert match, out
    return float(match.group(1).replace(",", ""))


def test_demo_in_process(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--count", "4"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    tag = _run_tag(out)
    for command in STEPS:
        assert command in out, command
    assert f"nodes create demo-{tag} --count 4" in out
    # the deploy step names every node, and the table lists all of them as running
    for i in range(1, 5):
        assert f"created  demo-{tag}-{i} " in out
    table = [
        line for line in out.splitlines() if re.match(rf"\S+\s+demo-{tag}-\d+\s+running\b", line)
    ]
    assert len(table) == 4
    assert f"stored demo-{tag}/hello.txt" in out and "fetched it back: identical" in out
    assert "-> snapshot demo-" in out
    # 4 Small Instance nodes at the simulator's published price
    assert _hourly_total(out) == pytest.approx(4 * 0.0125)
    assert "Small Instance  4      $0.0125" in out
    assert "Summary: 9 steps" in out and "Everything the demo created has been removed." in out
    assert (data_dir / "local-cloudstack.db").is_file()  # it really used the local cloud's state
    _assert_nothing_left(tag)


def test_demo_with_another_size_and_keep(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--count", "2", "--size", "Large Instance", "--keep"]) == 0
    out = capsys.readouterr().out
    tag = _run_tag(out)
    assert _hourly_total(out) == pytest.approx(2 * 0.1)
    cloud = omnicloud.connect("local")
    try:
        kept = sorted(n.name for n in cloud.list_nodes() if n.name.startswith(f"demo-{tag}"))
        assert kept == [f"demo-{tag}-1", f"demo-{tag}-2"]
    finally:
        cloud.close()
    # what --keep left behind is removable with the commands the demo printed
    assert main(["--cloud", "local", "nodes", "destroy", *kept]) == 0


def test_demo_as_a_command(tmp_path: Path) -> None:
    env = {**os.environ, "OMNICLOUD_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "demo", "--count", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    tag = _run_tag(result.stdout)
    assert f"created  demo-{tag}-1 " in result.stdout
    assert f"created  demo-{tag}-2 " in result.stdout
    assert _hourly_total(result.stdout) > 0
    os.environ["OMNICLOUD_DATA_DIR"] = env["OMNICLOUD_DATA_DIR"]
    try:
        _assert_nothing_left(tag)
    finally:
        del os.environ["OMNICLOUD_DATA_DIR"]


@pytest.mark.parametrize("argv", [["--count", "0"], ["--count", "21"], ["--count", "x"]])
def test_demo_rejects_bad_count(
    data_dir: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(["demo", *argv]) == 2
    err = capsys.readouterr().err
    assert "Invalid value" in err and "Traceback" not in err


def test_bad_count_as_a_command(tmp_path: Path) -> None:
    env = {**os.environ, "OMNICLOUD_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "demo", "--count", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Invalid value" in result.stderr


def test_unknown_size_is_a_usage_error(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--size", "Gigantic"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no size 'Gigantic'"), lines


def test_provider_failure_is_one_line_and_cleans_up(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from omnicloud.errors import OmnicloudError
    from omnicloud.storage.drivers.local import LocalStorageDriver

    def broken(*args: object, **kwargs: object) -> object:
        raise OmnicloudError("the disk is full")

    monkeypatch.setattr(LocalStorageDriver, "upload_object_via_stream", broken)
    assert main(["demo", "--count", "2"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "Error: the disk is full" in captured.err.splitlines()
    assert "cleaned up 2 nodes" in captured.err
    _assert_nothing_left(_run_tag(captured.out))


def test_local_sizes_carry_prices(data_dir: Path) -> None:
    cloud = omnicloud.connect("local")
    try:
        prices = {size.name: size.price for size in cloud.list_sizes()}
    finally:
        cloud.close()
    assert prices == {
        "Small Instance": 0.0125,
        "Medium Instance": 0.025,
        "Large Instance": 0.1,
        "XLarge Instance": 0.2,
        "Custom": None,  # a customizable offering has no list price
    }
