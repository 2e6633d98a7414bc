"""Every fenced snippet in README.md and docs/*.md runs as written.

```python blocks run in a subprocess; in ```console/```bash blocks, every ``$ omnicloud ...`` line
(and every bare ``omnicloud ...`` line of a console block) runs through bash, in order, and must
exit 0. Each markdown file gets one isolated HOME/XDG tree and working directory, shared by its
snippets, so everything runs against the built-in ``local`` clouds. An HTML comment on the line
before a fence changes how it is checked:

* ``<!-- snippet: no-run (REASON) -->``: needs a real cloud or credentials; python blocks are only
  compiled, and the reason is required;
* ``<!-- snippet: given FILE ... -->``: the block uses files the reader is assumed to have; small
  placeholders with those names are created in the working directory first.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!--\s*snippet:\s*(?P<kind>[a-z-]+)\s*(?P<arg>.*?)\s*-->$")
FENCE = re.compile(r"^```(?P<lang>[A-Za-z0-9_+-]*)\s*$")
RUN_LANGS = {"python", "console", "bash"}


@dataclass(frozen=True)
class Snippet:
    """One fenced block and what its marker says."""

    doc: str
    line: int
    lang: str
    code: str
    no_run: str | None
    given: tuple[str, ...]

    @property
    def commands(self) -> list[str]:
        """The omnicloud command lines of a console/bash block, in order."""
        found = []
        for raw in self.code.splitlines():
            text = raw.strip()
            if text.startswith("$ omnicloud "):
                found.append(text[2:])
            elif self.lang == "console" and text.startswith("omnicloud "):
                found.append(text)
        return found


def extract(path: Path) -> list[Snippet]:
    """The fenced blocks of one markdown file, with the marker right before each."""
    doc = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
    lines = path.read_text(encoding="utf-8").splitlines()
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        fence = FENCE.match(lines[index])
        if fence is None:
            marker = MARKER.match(lines[index].strip())
            if marker is not None and not (
                index + 1 < len(lines) and lines[index + 1].startswith("```")
            ):
                raise AssertionError(f"{doc}:{index + 1}: snippet marker not right before a fence")
            index += 1
            continue
        start = index
        index += 1
        while index < len(lines) and not lines[index].startswith("```"):
            index += 1
        code = "\n".join(lines[start + 1 : index]) + "\n"
        index += 1
        no_run, given = _directives(doc, start, lines[start - 1].strip() if start else "")
        snippets.append(Snippet(doc, start + 1, fence["lang"], code, no_run, given))
    return snippets


def _directives(doc: str, start: int, previous: str) -> tuple[str | None, tuple[str, ...]]:
    marker = MARKER.match(previous)
    if marker is None:
        return None, ()
    kind, arg = marker["kind"], marker["arg"]
    if kind == "no-run":
        reason = re.fullmatch(r"\((.+)\)", arg)
        assert reason, f"{doc}:{start + 1}: no-run marker needs a reason in parentheses"
        return reason[1], ()
    if kind == "given":
        assert arg, f"{doc}:{start + 1}: given marker needs file names"
        return None, tuple(arg.split())
    raise AssertionError(f"{doc}:{start + 1}: unknown snippet marker {kind!r}")


SNIPPETS = [snippet for path in DOCS for snippet in extract(path) if snippet.lang in RUN_LANGS]


def _id(snippet: Snippet) -> str:
    return f"{snippet.doc}:{snippet.line}"


@pytest.fixture(scope="session")
def doc_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One isolated tree per markdown file, created on first use."""
    return {}


def _isolated(doc_dirs: dict[str, Path], factory: pytest.TempPathFactory, doc: str) -> Path:
    if doc not in doc_dirs:
        base = factory.mktemp(doc.replace("/", "_").replace(".", "_"))
        for name in ("home", "config", "data", "cache", "state", "work"):
            (base / name).mkdir()
        doc_dirs[doc] = base
    return doc_dirs[doc]


def _environment(base: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OMNICLOUD_", "CLOUDSTACK_", "CLOUDSIGMA_", "AWS_", "XDG_"))
    }
    env.update(
        HOME=str(base / "home"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_DATA_HOME=str(base / "data"),
        XDG_CACHE_HOME=str(base / "cache"),
        XDG_STATE_HOME=str(base / "state"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        PYTHONPATH=str(ROOT / "src"),
    )
    return env


def _compile(snippet: Snippet) -> None:
    compile(
        snippet.code,
        _id(snippet),
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
        dont_inherit=True,
    )


@pytest.mark.parametrize("snippet", SNIPPETS, ids=_id)
def test_snippet_runs(
    snippet: Snippet, doc_dirs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    if snippet.lang == "python":
        _compile(snippet)
    if snippet.no_run is not None:
        return
    base = _isolated(doc_dirs, tmp_path_factory, snippet.doc)
    work = base / "work"
    for name in snippet.given:
        (work / name).write_bytes(b"placeholder for the reader's own " + name.encode() + b"\n")
    env = _environment(base)
    if snippet.lang == "python":
        done = subprocess.run(
            [sys.executable, "-c", snippet.code],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, f"{_id(snippet)} failed:\n{done.stderr[-3000:]}"
        return
    for command in snippet.commands:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (
            f"{_id(snippet)}: `{command}` exited {done.returncode}:\n{done.stderr[-3000:]}"
        )


def test_extractor_sees_the_readme_cli() -> None:
    """The checks above cover the CLI walk-through (guards the extractor itself)."""
    readme = [s for s in SNIPPETS if s.doc == "README.md" and s.no_run is None]
    commands = [command for snippet in readme for command in snippet.commands]
    assert any(command.startswith("omnicloud demo") for command in commands)
    assert "omnicloud storage put report.pdf backups/report.pdf" in commands


def test_markers_are_well_formed(tmp_path: Path) -> None:
    """A misplaced or malformed marker fails instead of being ignored."""
    path = tmp_path / "probe.md"
    for text, message in [
        ("<!-- snippet: no-run -->\n```python\npass\n```\n", "needs a reason"),
        ("<!-- snippet: no-run (x) -->\n\n```python\npass\n```\n", "not right before"),
        ("<!-- snippet: skip (x) -->\n```python\npass\n```\n", "unknown snippet marker"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(AssertionError, match=re.escape(message)):
            extract(path)
