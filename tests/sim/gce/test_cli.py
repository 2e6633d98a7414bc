"""``omnicloud sim serve gce`` as users run it: the banner, the key file it names, and a state
file that keeps the key across restarts."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
from google.cloud import compute_v1
from google.oauth2 import service_account

from tests.support.sim_serve import sim_serving

_KEYS = ("GCE endpoint", "Project", "Zone", "Key file", "State")


def serving(*args: str, stop: int = signal.SIGTERM) -> AbstractContextManager[dict[str, str]]:
    return sim_serving("gce", *args, keys=_KEYS, stop=stop)


def test_serve_prints_a_banner_with_a_working_key_file(tmp_path: Path) -> None:
    state = tmp_path / "gce.db"
    with serving("--port", "0", "--state", str(state), "--latency", "0") as first:
        assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*", first["GCE endpoint"])
        assert (first["Project"], first["Zone"]) == ("omnicloud-sim", "us-central1-a")
        assert first["State"] == str(state)
        key_file = Path(first["Key file"])
        assert key_file.parent == tmp_path and key_file.stat().st_mode & 0o777 == 0o600
        info = json.loads(key_file.read_text())
        assert info["token_uri"] == f"{first['GCE endpoint']}/token"
        credentials = service_account.Credentials.from_service_account_file(str(key_file))
        zones = compute_v1.ZonesClient(
            credentials=credentials, client_options={"api_endpoint": first["GCE endpoint"]}
        )
        assert "us-central1-a" in [z.name for z in zones.list(project=first["Project"])]
    with serving("--port", "0", "--state", str(state)) as second:
        again = json.loads(Path(second["Key file"]).read_text())
        assert again["private_key_id"] == info["private_key_id"]
        assert again["token_uri"] == f"{second['GCE endpoint']}/token"


def test_in_memory_key_file_goes_away_on_ctrl_c() -> None:
    with serving("--port", "0", "--project", "my-sim-project", stop=signal.SIGINT) as banner:
        key_file = Path(banner["Key file"])
        assert banner["State"] == "in memory" and banner["Project"] == "my-sim-project"
        health = httpx.get(f"{banner['GCE endpoint']}/sim/health", timeout=30)
        assert health.json()["project"] == "my-sim-project"  # serving before Ctrl+C
        assert json.loads(key_file.read_text())["project_id"] == "my-sim-project"
    assert not key_file.exists()


def test_bad_zone_is_one_clear_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "omnicloud", "sim", "serve", "gce", "--port", "0", "--zone", "x"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "unknown zone 'x'" in done.stderr
    assert "Traceback" not in done.stderr
