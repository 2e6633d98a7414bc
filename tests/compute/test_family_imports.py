"""No module of one API family imports a private module of another family."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "omnicloud"
FAMILIES = ("compute", "storage", "loadbalancer", "cli")


def _family(parts: tuple[str, ...]) -> str | None:
    return parts[0] if parts and parts[0] in FAMILIES else None


def _violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC)
        own = _family(relative.parts)
        if own is None:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = tuple(name.split("."))
                if parts[:1] != ("omnicloud",):
                    continue
                other = _family(parts[1:])
                if other is None or other == own:
                    continue
                if any(part.startswith("_") for part in parts[2:]):
                    found.add((relative.as_posix(), ".".join(p for p in parts)))
    return found


def test_no_family_imports_another_familys_private_modules() -> None:
    found = _violations()
    # an imported name "module._x" counts only when it is a module; reduce to module paths
    modules = {
        (where, name)
        for where, name in found
        if (SRC.parent / Path(*name.split("."))).with_suffix(".py").exists()
        or (SRC.parent / Path(*name.split("."))).is_dir()
    }
    assert modules == set()


def test_moved_names_stay_importable_from_their_old_modules() -> None:
    """The shared pieces moved out of compute keep their old import paths (same objects)."""
    from omnicloud import errors
    from omnicloud.cloudstack import _driver_base
    from omnicloud.compute import NotSupportedError
    from omnicloud.compute import _driver as compute_driver
    from omnicloud.compute.drivers.cloudstack import _base
    from omnicloud.storage import _names, check_name_encoding

    assert compute_driver.NotSupportedError is NotSupportedError is errors.NotSupportedError
    assert _base.CloudStackConnection is _driver_base.CloudStackConnection
    assert _base.names_no_entity is _driver_base.names_no_entity
    assert _base.success is _driver_base.success
    assert check_name_encoding("x") == _names.check_utf8("x") == b"x"
