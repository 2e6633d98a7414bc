"""The simulators' house rules, read from the source with ``ast`` (nothing is imported).

- No import cycles under ``omnicloud.sim``: every import counts, at module level, inside
  functions (a function-level import does not hide a cycle) and under ``if TYPE_CHECKING:``
  (the types go one way too: command code names the CloudStack state through the ``World``
  protocol instead of importing it).
- From the rest of omnicloud, simulators import only the shared protocol pieces and the error
  type the CLI reports (:data:`ALLOWED`).
- The core (``omnicloud.sim.core``) never imports a particular simulator, and simulators never
  import each other.
- CloudStack's command table is explicit: declaring a command registers nothing, and every
  command a module declares is in its ``DECLARED`` list.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

import omnicloud.sim

SIM_ROOT = Path(omnicloud.sim.__file__).parent
SRC_ROOT = SIM_ROOT.parent.parent

# What a simulator may import from omnicloud outside omnicloud.sim, and why.
ALLOWED = {
    # the wire protocol's signing, shared with the client so both sign alike
    "omnicloud.cloudstack._signing": "CloudStack request signatures",
    "omnicloud.aws._sigv4": "AWS SigV4, for simulators of AWS-style APIs",
    # the one error the CLI turns into one line and exit status 2 (bad state file or port)
    "omnicloud.errors": "ConfigurationError for an unusable state file or port",
}
# ``omnicloud.sim.transport`` is the httpx side of the in-process bridge (clients drive an app
# through it), not simulator code: it may use the HTTP layer's transport types.
BRIDGES = {"omnicloud.sim.transport": ("omnicloud.http.",)}
SIMULATORS = sorted(
    path.name
    for path in SIM_ROOT.iterdir()
    if (path / "__init__.py").exists() and path.name != "core"
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(SIM_ROOT.rglob("*.py"))}


def _imports(name: str) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import statement of module ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    yield from _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> Iterator[tuple[str, int]]:
    tree = ast.parse(source)

    def walk(node: ast.AST) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[tuple[str, int]]:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                yield (submodule if submodule in MODULES else module), node.lineno
        yield from walk(node)

    yield from walk(tree)


GRAPH = {name: sorted({target for target, _ in _imports(name)}) for name in MODULES}


def _cycles(graph: dict[str, list[str]] = GRAPH) -> list[list[str]]:
    """Strongly connected components of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_the_modules_are_found() -> None:
    assert "omnicloud.sim.core.store" in MODULES
    assert "omnicloud.sim.cloudstack._table" in MODULES
    assert {"cloudsigma", "cloudstack"} <= set(SIMULATORS)


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_the_checker_sees_function_level_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import a\n"
        "if TYPE_CHECKING:\n"
        "    from . import typing_only\n"
        "def f():\n"
        "    from .b import thing\n"
        "    import omnicloud.errors\n"
    )
    found = {target for target, _ in _imports_in(source, "omnicloud.sim.x")}
    assert found == {"typing", "omnicloud.sim.x", "omnicloud.sim.x.b", "omnicloud.errors"}
    # ``from . import typing_only`` names a module that does not exist: it reads as the package
    assert _cycles({"p.a": ["p.b"], "p.b": ["p.c"], "p.c": ["p.a"], "p.d": ["p.a"]}) == [
        ["p.a", "p.b", "p.c"]
    ]
    assert _cycles({"p.a": ["p.b"], "p.b": []}) == []


def _outside_imports() -> list[tuple[str, str, int]]:
    found = []
    for name in MODULES:
        for target, line in _imports(name):
            if target.split(".")[0] != "omnicloud" or target.startswith("omnicloud.sim"):
                continue
            if target in ALLOWED:
                continue
            if any(target.startswith(prefix) for prefix in BRIDGES.get(name, ())):
                continue
            found.append((name, target, line))
    return found


def test_simulators_import_only_the_shared_protocol_pieces() -> None:
    assert _outside_imports() == []


def test_the_core_never_imports_a_simulator() -> None:
    core = [name for name in MODULES if name.startswith("omnicloud.sim.core")]
    assert core
    offending = [
        (name, target, line)
        for name in core
        for target, line in _imports(name)
        if any(target.startswith(f"omnicloud.sim.{sim}") for sim in SIMULATORS)
    ]
    assert offending == []


@pytest.mark.parametrize("simulator", SIMULATORS)
def test_simulators_never_import_each_other(simulator: str) -> None:
    own = f"omnicloud.sim.{simulator}"
    others = [f"omnicloud.sim.{other}" for other in SIMULATORS if other != simulator]
    offending = [
        (name, target, line)
        for name in MODULES
        if name == own or name.startswith(own + ".")
        for target, line in _imports(name)
        if any(target == other or target.startswith(other + ".") for other in others)
    ]
    assert offending == []


def test_the_cloudstack_command_table_is_explicit() -> None:
    from omnicloud.sim.cloudstack import _registry
    from omnicloud.sim.cloudstack._table import COMMANDS

    assert not hasattr(_registry, "COMMANDS"), "declaring must not register anything"
    package = SIM_ROOT / "cloudstack" / "commands"
    listed = 0
    for path in sorted(package.glob("[!_]*.py")):
        module = importlib.import_module(f"omnicloud.sim.cloudstack.commands.{path.stem}")
        declared = {
            (item.declared() if isinstance(item, _registry.Declaration) else item).name
            for item in module.DECLARED
        }
        defined = {
            value.name for value in vars(module).values() if isinstance(value, _registry.Command)
        } | {
            value.declared().name
            for value in vars(module).values()
            if isinstance(value, _registry.Declaration)
        }
        assert defined <= declared, f"{path.stem}: declared but not in DECLARED"
        assert declared <= set(COMMANDS), f"{path.stem}: not in the table"
        listed += len(declared)
    assert listed == len(COMMANDS)


def test_the_commands_package_imports_nothing() -> None:
    from omnicloud.sim.cloudstack import commands

    assert GRAPH[commands.__name__] == []
