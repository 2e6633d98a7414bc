"""A plain ``pip install`` of the source tree (no extras) runs the zero-config default.

One fresh virtual environment per session: the repository is copied to a temporary directory
first (without .venv and .git), so the install cannot dirty the checkout, and the copy is checked
for the build/ and *.egg-info directories that in-tree builds leave behind. pip uses this
machine's configured package sources; a missing dependency fails the install (and the test).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Captured at import, before the autouse fixture empties HOME: pip keeps its cache there.
PIP_ENV = dict(os.environ)
SKIP = shutil.ignore_patterns(
    ".venv", ".git", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis"
)
INSTALL_TIMEOUT = 900


@dataclass(frozen=True)
class FreshInstall:
    """A copy of the repository and a venv with it installed (no extras)."""

    source: Path
    venv: Path

    def bin(self, name: str) -> Path:
        return self.venv / ("Scripts" if sys.platform == "win32" else "bin") / name


def _tree_files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


def _pip_install(python: Path, *args: str) -> None:
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", *args]
    done = subprocess.run(
        command, env=PIP_ENV, capture_output=True, text=True, timeout=INSTALL_TIMEOUT
    )
    assert done.returncode == 0, (
        f"pip install failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )


def _new_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / ("Scripts" if sys.platform == "win32" else "bin") / "python"


@pytest.fixture(scope="session")
def fresh_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshInstall]:
    base = tmp_path_factory.mktemp("fresh-install")
    source = base / "omnicloud-src"
    shutil.copytree(REPO, source, ignore=SKIP)
    before = _tree_files(source)
    python = _new_venv(base / "venv")
    _pip_install(python, str(source))
    installed = FreshInstall(source=source, venv=base / "venv")
    new = sorted(_tree_files(source) - before)
    assert not new, f"pip install wrote into the source tree: {new[:10]}"
    yield installed


def _empty_home_env(base: Path) -> dict[str, str]:
    root = base / "empty-user"
    home = root / "home"
    home.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CLOUDSTACK_", "OMNICLOUD_", "PYTHON"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(root / "xdg-config"),
        XDG_DATA_HOME=str(root / "xdg-data"),
        XDG_CACHE_HOME=str(root / "xdg-cache"),
        XDG_STATE_HOME=str(root / "xdg-state"),
        NO_COLOR="1",
    )
    return env


def test_plain_install_runs_the_demo_with_an_empty_home(
    fresh_install: FreshInstall, tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(fresh_install.bin("omnicloud")), "demo"],
        env=_empty_home_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "Everything the demo created has been removed." in done.stdout


def test_plain_install_lists_nodes_of_the_local_cloud(
    fresh_install: FreshInstall, tmp_path: Path
) -> None:
    done = subprocess.run(
        [str(fresh_install.bin("omnicloud")), "--cloud", "local", "nodes", "list"],
        env=_empty_home_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ModuleNotFoundError" not in done.stderr


def test_installed_package_is_not_the_checkout(fresh_install: FreshInstall) -> None:
    done = subprocess.run(
        [str(fresh_install.bin("python")), "-c", "import omnicloud; print(omnicloud.__file__)"],
        env=_empty_home_env(fresh_install.venv.parent / "probe"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert fresh_install.venv in Path(done.stdout.strip()).parents


def test_the_licence_is_an_spdx_expression(fresh_install: FreshInstall) -> None:
    code = "import importlib.metadata as m; print(m.metadata('omnicloud')['License-Expression'])"
    done = subprocess.run(
        [str(fresh_install.bin("python")), "-c", code], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Apache-2.0"


def test_editable_install_keeps_the_source_tree_clean(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    base = tmp_path_factory.mktemp("editable-install")
    source = base / "omnicloud-src"
    shutil.copytree(REPO, source, ignore=SKIP)
    before = _tree_files(source)
    python = _new_venv(base / "venv")
    _pip_install(python, "--no-deps", "-e", str(source))
    assert sorted(_tree_files(source) - before) == []
    done = subprocess.run(
        [str(python), "-c", "import omnicloud, sys; print(omnicloud.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == source / "src" / "omnicloud" / "__init__.py"


@pytest.mark.parametrize(
    ("missing", "argv"),
    [
        ("starlette", ["demo"]),
        ("cryptography", ["--cloud", "local", "nodes", "list"]),
    ],
)
def test_a_missing_dependency_is_one_line_not_a_traceback(
    tmp_path: Path, missing: str, argv: list[str]
) -> None:
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"  # makes 'import <missing>' fail
        "from omnicloud.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_empty_home_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"Error: omnicloud's dependency {missing!r} is not installed; reinstall omnicloud "
        "(pip install --force-reinstall omnicloud)"
    ]


def test_a_missing_optional_package_names_its_extra() -> None:
    from omnicloud.cli import missing_module_message

    error = ModuleNotFoundError("No module named 'pygments'", name="pygments.lexers")
    assert missing_module_message(error) == (
        "this needs the optional package 'pygments': pip install 'omnicloud[rich]'"
    )
    assert missing_module_message(ModuleNotFoundError("x", name="omnicloud.nope")) is None
