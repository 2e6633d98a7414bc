"""``omnicloud cs``: output, exit codes, polling, discovery, redaction (server on 127.0.0.1)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from omnicloud.cli import main
from tests.support.fake_cloudstack import KEY, SECRET, FakeCloudStack, error, ok, paged
from tests.support.stub_server import Reply, Seen, StubServer

VMS = [{"id": f"vm-{i}", "name": f"n{i}"} for i in range(700)]


@pytest.fixture
def configured(stub: StubServer, monkeypatch: pytest.MonkeyPatch) -> StubServer:
    monkeypatch.setenv("CLOUDSTACK_ENDPOINT", f"{stub.url}/client/api")
    monkeypatch.setenv("CLOUDSTACK_KEY", KEY)
    monkeypatch.setenv("CLOUDSTACK_SECRET", SECRET)
    return stub


def test_prints_sorted_json(configured: StubServer, capsys: pytest.CaptureFixture[str]) -> None:
    configured.handle(
        FakeCloudStack(
            listZones=lambda s: ok("listZones", {"zone": [{"name": "z", "id": "1"}], "count": 1})
        )
    )
    assert main(["cs", "listZones", "available=true"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == json.dumps({"count": 1, "zone": [{"id": "1", "name": "z"}]}, indent=2, sort_keys=True)
        + "\n"
    )
    assert configured.requests[0].params["available"] == "true"


def test_empty_result_prints_braces(
    configured: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    assert main(["cs", "listZones"]) == 0
    assert capsys.readouterr().out.strip() == "{}"


def test_repeated_keys_keep_order(
    configured: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.handle(FakeCloudStack(listVirtualMachines=lambda s: ok("listVirtualMachines", {})))
    assert main(["cs", "listVirtualMachines", "ids=c", "ids=a", "ids=b", "ids=a"]) == 0
    assert configured.requests[0].params["ids"] == "c,a,b"


def test_fetch_list(configured: StubServer, capsys: pytest.CaptureFixture[str]) -> None:
    configured.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )
    assert main(["cs", "listVirtualMachines", "fetch_list=true"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 700
    configured.handle(
        FakeCloudStack(listVirtualMachines=paged("listVirtualMachines", "virtualmachine", VMS))
    )
    assert main(["cs", "listVirtualMachines", "fetch_list=false"]) == 0
    assert len(configured.requests) == 1
    assert main(["cs", "listVirtualMachines", "fetch_list=maybe"]) == 2


def jobs_handler() -> FakeCloudStack:
    def query(seen: Seen) -> Reply:
        return ok(
            "queryAsyncJobResult",
            {
                "jobid": "j",
                "jobstatus": 1,
                "jobresultcode": 0,
                "jobresult": {"virtualmachine": {"id": "vm"}},
            },
        )

    return FakeCloudStack(
        deployVirtualMachine=lambda s: ok("deployVirtualMachine", {"jobid": "j", "id": "vm"}),
        queryAsyncJobResult=query,
    )


def test_waits_for_jobs_unless_async(
    configured: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.handle(jobs_handler())
    assert main(["cs", "deployVirtualMachine", "zoneid=z"]) == 0
    assert json.loads(capsys.readouterr().out) == {"virtualmachine": {"id": "vm"}}
    configured.handle(jobs_handler())
    assert main(["cs", "--async", "deployVirtualMachine", "zoneid=z"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "vm", "jobid": "j"}
    assert [s.params["command"] for s in configured.requests] == ["deployVirtualMachine"]


def test_post_flag(configured: StubServer, capsys: pytest.CaptureFixture[str]) -> None:
    configured.handle(jobs_handler())
    assert main(["cs", "--post", "--async", "deployVirtualMachine", "zoneid=z"]) == 0
    assert configured.requests[0].method == "POST"


def test_api_error_is_json_on_stderr_exit_1(
    configured: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.handle(
        FakeCloudStack(createVolume=lambda s: error("createVolume", 431, "Unable to find zone"))
    )
    assert main(["cs", "createVolume", "zoneid=x"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    first, _, rest = captured.err.partition("\n")
    assert first.startswith("Error: createVolume: HTTP 431") and "Unable to find zone" in first
    assert json.loads(rest)["errortext"] == "Unable to find zone"


def test_usage_errors_exit_2(configured: StubServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cs", "listZones", "novalue"]) == 2
    assert "expected key=value" in capsys.readouterr().err
    assert main(["cs", "--bogus", "listZones"]) == 2
    assert main(["cs", "list-zones"]) == 2
    assert configured.requests == []


def test_missing_config_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cs", "listZones"]) == 2
    assert "CLOUDSTACK_ENDPOINT" in capsys.readouterr().err


def test_region_from_ini(
    stub: StubServer, capsys: pytest.CaptureFixture[str], clean_env: Path
) -> None:
    (clean_env / ".cloudstack.ini").write_text(
        f"[lab]\nendpoint = {stub.url}/client/api\nkey = {KEY}\nsecret = {SECRET}\n"
        "header_x-team = ops\n"
    )
    stub.handle(FakeCloudStack(listZones=lambda s: ok("listZones", {})))
    assert main(["cs", "listZones", "--region", "lab"]) == 0
    assert stub.requests[0].headers.get("x-team") == "ops"
    assert main(["cs", "listZones", "--region", "nope"]) == 2
    assert "region 'nope' not found" in capsys.readouterr().err


APIS = {
    "count": 2,
    "api": [
        {
            "name": "deployVirtualMachine",
            "description": "Creates and automatically starts a VM.",
            "isasync": True,
            "params": [
                {"name": "zoneid", "type": "uuid", "required": True, "description": "zone"},
                {
                    "name": "serviceofferingid",
                    "type": "uuid",
                    "required": True,
                    "description": "offering",
                },
                {"name": "name", "type": "string", "required": False, "description": "host name"},
            ],
        },
        {"name": "listZones", "description": "Lists zones", "isasync": False, "params": []},
    ],
}


def test_sync_then_help_and_required_check(
    configured: StubServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.handle(FakeCloudStack(listApis=lambda s: ok("listApis", APIS)))
    assert main(["cs", "sync"]) == 0
    assert "Discovered 2 APIs" in capsys.readouterr().out
    assert main(["cs", "deployVirtualMachine", "--help"]) == 0
    page = capsys.readouterr().out
    assert (
        "Creates and automatically starts" in page and "* zoneid" in page and "Asynchronous" in page
    )
    configured.handle(FakeCloudStack())
    assert main(["cs", "deployVirtualMachine", "zoneid=z"]) == 2
    assert "missing required parameter(s): serviceofferingid" in capsys.readouterr().err
    assert main(["cs", "deployVirtualMachin", "zoneid=z"]) == 2
    assert "Did you mean: deployVirtualMachine" in capsys.readouterr().err
    assert configured.requests == []


def test_trace_never_shows_secrets(
    configured: StubServer, capfd: pytest.CaptureFixture[str]
) -> None:
    configured.handle(jobs_handler())
    code = subprocess.run(
        [sys.executable, "-m", "omnicloud", "cs", "--trace", "deployVirtualMachine", "zoneid=z"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert code.returncode == 0, code.stderr
    assert "> GET" in code.stderr and "queryAsyncJobResult" in code.stderr
    signatures = {s.params["signature"] for s in configured.requests}
    for secret in (KEY, SECRET, *signatures):
        assert secret not in code.stderr and secret not in code.stdout


def test_console_script_exit_codes(configured: StubServer) -> None:
    configured.handle(FakeCloudStack(listHosts=lambda s: error("listHosts", 531, "denied", 4365)))
    result = subprocess.run(
        [sys.executable, "-m", "omnicloud", "cs", "listHosts"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "denied" in result.stderr and "Traceback" not in result.stderr


def _zones_handler() -> FakeCloudStack:
    zones = {"count": 1, "zone": [{"id": "1", "name": "z", "securitygroupsenabled": True}]}
    return FakeCloudStack(listZones=lambda s: ok("listZones", zones))


def _run_on_pty(argv: list[str]) -> tuple[int, str]:
    """Run ``argv`` with its stdout on a pseudo-terminal; (exit code, what the terminal got)."""
    import os
    import pty

    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(argv, stdout=slave, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    assert process.stderr is not None
    process.stderr.read()
    process.stderr.close()
    return process.wait(timeout=60), b"".join(chunks).decode()


def test_json_is_highlighted_only_on_a_terminal(
    configured: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    configured.handle(_zones_handler())
    command = [sys.executable, "-m", "omnicloud", "cs", "listZones"]
    code, on_tty = _run_on_pty(command)
    assert code == 0
    assert "\x1b[" in on_tty  # ANSI colour codes
    plain_from_tty = json.loads(re.sub(r"\x1b\[[0-9;]*m", "", on_tty))
    piped = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0
    assert "\x1b" not in piped.stdout
    assert json.loads(piped.stdout) == plain_from_tty
    assert piped.stdout == json.dumps(plain_from_tty, indent=2, sort_keys=True) + "\n"


def test_no_color_turns_highlighting_off_on_a_terminal(
    configured: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    configured.handle(_zones_handler())
    code, on_tty = _run_on_pty([sys.executable, "-m", "omnicloud", "cs", "listZones"])
    assert code == 0 and "\x1b" not in on_tty
    assert json.loads(on_tty)["zone"][0]["name"] == "z"


def test_highlighting_follows_isatty_in_process(
    configured: StubServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    configured.handle(_zones_handler())
    assert main(["cs", "listZones"]) == 0
    assert "\x1b" not in capsys.readouterr().out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["cs", "listZones"]) == 0
    assert "\x1b[" in capsys.readouterr().out


def _apis_by_region(seen: Seen) -> Reply:
    region = seen.headers.get("x-region", "")
    listing = [{"name": "listZones", "description": "Lists zones", "params": []}]
    if region == "lab":
        listing.append(
            {
                "name": "labOnlyCommand",
                "description": "Only the lab has this",
                "params": [{"name": "id", "type": "uuid", "required": True, "description": "x"}],
            }
        )
    return ok("listApis", {"count": len(listing), "api": listing})


def test_sync_caches_apis_per_region(
    stub: StubServer, capsys: pytest.CaptureFixture[str], clean_env: Path
) -> None:
    from omnicloud.cloudstack._discovery import cache_path, load_apis

    (clean_env / ".cloudstack.ini").write_text(
        "".join(
            f"[{name}]\nendpoint = {stub.url}/client/api\nkey = {KEY}\nsecret = {SECRET}\n"
            f"header_x-region = {name}\n"
            for name in ("lab", "prod")
        )
    )
    stub.handle(FakeCloudStack(listApis=_apis_by_region))
    assert main(["cs", "sync", "--region", "lab"]) == 0
    assert "Discovered 2 APIs for region 'lab'" in capsys.readouterr().out
    assert main(["cs", "sync", "--region", "prod"]) == 0
    assert "Discovered 1 APIs for region 'prod'" in capsys.readouterr().out
    assert [s.headers.get("x-region") for s in stub.requests] == ["lab", "prod"]
    assert cache_path("lab") != cache_path("prod")
    assert cache_path("lab").is_file() and cache_path("prod").is_file()
    assert set(load_apis("lab") or {}) == {"listZones", "labOnlyCommand"}
    assert set(load_apis("prod") or {}) == {"listZones"}

    # each region's help and checks use its own cache
    assert main(["cs", "labOnlyCommand", "--help", "--region", "lab"]) == 0
    assert "Only the lab has this" in capsys.readouterr().out
    assert main(["cs", "labOnlyCommand", "--help", "--region", "prod"]) == 2
    assert "unknown API command 'labOnlyCommand'" in capsys.readouterr().err
    stub.handle(FakeCloudStack())
    assert main(["cs", "labOnlyCommand", "--region", "lab"]) == 2
    assert "missing required parameter(s): id" in capsys.readouterr().err
    assert stub.requests == []  # nothing sent for either check
    # a region never synced has no cache: help says so instead of guessing
    assert main(["cs", "listZones", "--help"]) == 0
    assert "No API descriptions cached for region" in capsys.readouterr().out


def test_an_option_missing_its_value_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from omnicloud.cli import main

    assert main(["cs", "--region"]) == 2  # argparse would raise SystemExit from library code
    err = capsys.readouterr().err
    assert "--region: expected one argument" in err and "Traceback" not in err


def test_sync_on_a_profile_caches_that_clouds_apis(capsys: pytest.CaptureFixture[str]) -> None:
    """`--cloud NAME cs sync` asks that cloud (here the built-in simulator), not cs's config."""
    assert main(["--cloud", "local", "cs", "sync"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Discovered [1-9]\d* APIs for cloud 'local'", out), out
    assert main(["--cloud", "local", "cs", "deployVirtualMachine", "--help"]) == 0
    assert "* zoneid" in capsys.readouterr().out
    assert main(["--cloud", "local", "cs", "deployVirtualMachine", "zoneid=z"]) == 2
    assert "missing required parameter(s)" in capsys.readouterr().err
    # cs's own configuration has no APIs cached: the profile's cache is its own
    assert main(["cs", "deployVirtualMachine", "--help"]) == 0
    assert "No API descriptions cached for region" in capsys.readouterr().out
