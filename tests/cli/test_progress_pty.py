"""Progress views and spinners go to stderr when it is a terminal; stdout keeps only the result.

The CLI runs as a subprocess whose stderr is a pseudo-terminal and whose stdout is a pipe, like
``omnicloud nodes create web --count 20 > nodes.txt`` typed at a terminal.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path


def run_with_tty_stderr(*argv: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``python -m omnicloud ARGV`` with stderr on a pty; (exit code, stdout, pty output)."""
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # read while the child writes, so a full pty buffer never blocks it
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child has closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "omnicloud", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
        )
        os.close(slave)
        stdout, _ = process.communicate(timeout=120)
        reader.join(timeout=30)
    finally:
        os.close(master)
    return process.returncode, stdout.decode(), b"".join(chunks).decode(errors="replace")


def test_count_20_progress_on_the_terminal_result_on_stdout(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OMNICLOUD_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
    }
    env.pop("NO_COLOR", None)
    code, out, terminal = run_with_tty_stderr(
        "nodes", "create", "web", "--count", "20", "--location", "Sandbox-Basic", env=env
    )
    assert code == 0, terminal
    # stdout: the plain table of the 20 nodes, nothing else
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["ID", "NAME", "STATE"]
    assert [row.split()[1] for row in rows] == [f"web-{i}" for i in range(1, 21)]
    assert "\x1b" not in out and "creating" not in out and "20/20" not in out
    # stderr (the terminal): the live progress view, drawn with terminal control sequences
    assert "creating" in terminal and "20/20" in terminal and "\x1b[" in terminal
    assert "created web-" not in terminal  # the per-node lines are for non-terminals
    assert "PUBLIC_IPS" not in terminal  # the table went to stdout only

    # waiting for a job: a spinner on the terminal, the node (now stopped) on stdout
    code, out, terminal = run_with_tty_stderr("nodes", "stop", "web-7", env=env)
    assert code == 0, terminal
    assert "stopping web-7..." in terminal and "stopped web-7 (" in terminal
    header, row = out.splitlines()
    assert row.split()[1:3] == ["web-7", "stopped"] and "\x1b" not in out
