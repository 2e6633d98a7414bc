"""The library has no process-wide side effects: by reading src/ and by running it.

The scan (AST, every module under ``src/omnicloud``) refuses: assigning to or deleting from
``sys.modules``; ``warnings.filterwarnings``/``simplefilter``/``resetwarnings`` outside a ``with
warnings.catch_warnings()`` block; ``gc.disable``/``gc.freeze``/``gc.unfreeze``/``gc.set_threshold``
outside the one opt-in (``omnicloud._gc.long_lived``, a no-op unless the application opted in);
private attributes of httpx, aiohttp, httpcore, urllib3 and yarl (their private modules, and the
attributes omnicloud used to reach into). A fresh interpreter then imports omnicloud and lists
nodes on the simulator over every transport, and nothing of the process changes.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "omnicloud"

LIBRARIES = {"httpx", "aiohttp", "httpcore", "urllib3", "yarl"}
# private attributes of those libraries' objects that omnicloud once used
PRIVATE_ATTRIBUTES = {"_uri_reference", "_retry_connection", "_conns", "_acquired", "_main"}
WARNINGS_FILTERS = {"filterwarnings", "simplefilter", "resetwarnings"}
GC_STATE = {"disable", "freeze", "unfreeze", "set_threshold"}
# (module, function) pairs allowed to change the collector: the documented opt-in
GC_OPT_IN = {("_gc.py", "long_lived")}


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_sys_modules(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute) and node.attr == "modules" and _is_name(node.value, "sys")
    )


class _Scan(ast.NodeVisitor):
    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        self.problems: list[str] = []
        self.catching = 0  # depth of `with warnings.catch_warnings()` blocks
        self.functions: list[str] = []

    def report(self, node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        self.problems.append(f"{self.path.relative_to(self.root)}:{line}: {what}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_With(self, node: ast.With) -> None:
        scoped = any(
            isinstance(item.context_expr, ast.Call)
            and isinstance(item.context_expr.func, ast.Attribute)
            and item.context_expr.func.attr == "catch_warnings"
            for item in node.items
        )
        self.catching += scoped
        self.generic_visit(node)
        self.catching -= scoped

    def _modules_target(self, target: ast.AST, node: ast.AST) -> None:
        if isinstance(target, ast.Subscript) and _is_sys_modules(target.value):
            self.report(node, "changes sys.modules")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._modules_target(target, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._modules_target(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._modules_target(target, node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            mutators = {"__setitem__", "__delitem__", "setdefault", "update", "pop", "popitem"}
            if _is_sys_modules(owner) and func.attr in mutators:
                self.report(node, f"changes sys.modules ({func.attr})")
            if _is_name(owner, "warnings") and func.attr in WARNINGS_FILTERS and not self.catching:
                self.report(node, f"warnings.{func.attr} outside warnings.catch_warnings()")
            if _is_name(owner, "gc") and func.attr in GC_STATE:
                where = (self.path.name, self.functions[-1] if self.functions else "")
                if where not in GC_OPT_IN:
                    self.report(node, f"gc.{func.attr} outside the opt-in")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = node.attr
        private = name.startswith("_") and not name.startswith("__")
        if private and name in PRIVATE_ATTRIBUTES:
            self.report(node, f"private attribute {name} of an HTTP library object")
        elif private and isinstance(node.value, ast.Name) and node.value.id in LIBRARIES:
            self.report(node, f"private {node.value.id}.{name}")
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        parts = (node.module or "").split(".")
        if parts[0] in LIBRARIES and any(part.startswith("_") for part in parts[1:]):
            self.report(node, f"imports the private module {node.module}")
        if parts[0] in LIBRARIES:
            for alias in node.names:
                if alias.name.startswith("_"):
                    self.report(node, f"imports the private {node.module}.{alias.name}")
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            if parts[0] in LIBRARIES and any(part.startswith("_") for part in parts[1:]):
                self.report(node, f"imports the private module {alias.name}")
        self.generic_visit(node)


def scan(root: Path) -> list[str]:
    """Every process-wide side effect or private library attribute found under ``root``."""
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        checker = _Scan(path, root)
        checker.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        problems.extend(checker.problems)
    return problems


def test_src_has_no_process_wide_side_effects() -> None:
    assert scan(SRC) == []


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


BAD = {
    "sys.modules assignment": "import sys\nsys.modules['x'] = None\n",
    "sys.modules deletion": "import sys\ndel sys.modules['x']\n",
    "sys.modules setdefault": "import sys\nsys.modules.setdefault('x', sys)\n",
    "global filter": "import warnings\nwarnings.filterwarnings('ignore')\n",
    "filter in a function": "import warnings\ndef f():\n    warnings.simplefilter('ignore')\n",
    "gc.disable": "import gc\ndef f():\n    gc.disable()\n",
    "gc.freeze": "import gc\ngc.freeze()\n",
    "private httpx attribute": "def f(url):\n    url._uri_reference = 1\n",
    "private aiohttp attribute": "def f(s):\n    s._retry_connection = False\n",
    "private connector state": "def f(c):\n    return len(c._conns) + len(c._acquired)\n",
    "private module attribute": "import httpx\nhttpx._main\n",
    "private module import": "from httpx._urlparse import urlparse\n",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_scan_finds_each_kind(sample: Path, name: str) -> None:
    (sample / "bad.py").write_text(BAD[name])
    assert scan(sample), name


def test_the_scan_allows_scoped_filters_and_other_private_names(sample: Path) -> None:
    (sample / "ok.py").write_text(
        "import gc, sys, warnings\n"
        "def f(self):\n"
        "    with warnings.catch_warnings():\n"
        "        warnings.simplefilter('ignore')\n"
        "    self._own = sys.modules.get('x')\n"
        "    return gc.isenabled()\n"
    )
    assert scan(sample) == []


CHILD = textwrap.dedent(
    """
    import gc, json, sys, threading, types, warnings
    import anyio, httpx, urllib3, aiohttp  # what these do on import is theirs, not omnicloud's

    filters = list(warnings.filters)
    modules = dict(sys.modules)
    frozen = gc.get_freeze_count()
    WATCHED = {
        ("gc", name) for name in ("disable", "enable", "freeze", "unfreeze", "set_threshold")
    } | {("warnings", name) for name in ("filterwarnings", "simplefilter", "resetwarnings")}
    calls = []

    def profile(frame, event, arg):
        if event == "c_call":
            key = (getattr(arg, "__module__", None), getattr(arg, "__name__", None))
            if key in WATCHED:
                calls.append(".".join(key))
        elif event == "call":
            code = frame.f_code
            if code.co_filename.endswith("warnings.py") and ("warnings", code.co_name) in WATCHED:
                calls.append("warnings." + code.co_name)

    sys.setprofile(profile)
    threading.setprofile(profile)

    import omnicloud
    from omnicloud.compute.drivers.cloudstack import (
        AsyncCloudStackNodeDriver, CloudStackNodeDriver,
    )
    from omnicloud.http import HttpConfig
    from omnicloud.http._urllib3 import Urllib3Transport
    from omnicloud.sim.cloudstack import CloudStackState, SimConfig, create_app
    from omnicloud.sim.server import serve_in_thread
    from omnicloud.sim.transport import AsyncInProcessTransport, InProcessTransport

    state = CloudStackState()
    state.bulk_create_vms(1200)  # several pages, each large enough for the page tuning
    key, secret = state.credentials("admin")
    app = create_app(state, config=SimConfig())
    counts = []
    with CloudStackNodeDriver(key, secret, url="http://sim/client/api",
                              transport=InProcessTransport(app)) as driver:
        counts.append(len(driver.list_nodes()))

    async def in_process(transport):
        async with AsyncCloudStackNodeDriver(key, secret, url="http://sim/client/api",
                                             transport=transport) as driver:
            counts.append(len(await driver.list_nodes()))

    anyio.run(in_process, AsyncInProcessTransport(app))
    anyio.run(in_process, httpx.ASGITransport(app=app))  # through the httpx adapter
    with serve_in_thread(app) as server:  # urllib3 and aiohttp, over the network
        url = server.url + "/client/api"
        with CloudStackNodeDriver(key, secret, url=url) as driver:
            counts.append(len(driver.list_nodes()))

        async def networked():
            async with AsyncCloudStackNodeDriver(key, secret, url=url) as driver:
                counts.append(len(await driver.list_nodes()))

        anyio.run(networked)
    Urllib3Transport(HttpConfig(insecure=True)).close()
    sys.setprofile(None)
    threading.setprofile(None)

    replaced = sorted(name for name, module in modules.items()
                      if name in sys.modules and sys.modules[name] is not module)
    odd = sorted(
        name for name, module in sys.modules.items()
        if name not in modules and (
            not isinstance(module, types.ModuleType)  # None: "not installed", or a fake
            or (name.split(".")[0] in {"httpx", "httpcore", "aiohttp", "urllib3", "sniffio",
                                       "anyio", "omnicloud"}
                and module.__spec__ is None and not hasattr(module, "__file__"))
        )
    )
    print(json.dumps({
        "counts": counts,
        "filters_unchanged": list(warnings.filters) == filters,
        "gc_enabled": gc.isenabled(),
        "freeze_count_unchanged": gc.get_freeze_count() == frozen,
        "calls": sorted(set(calls)),
        "replaced_modules": replaced,
        "stand_in_modules": odd,
    }))
    """
)


def test_importing_and_listing_changes_nothing_in_the_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["counts"][0] >= 1200 and len(set(seen["counts"])) == 1, seen
    assert seen == {
        "counts": seen["counts"],
        "filters_unchanged": True,
        "gc_enabled": True,
        "freeze_count_unchanged": True,
        "calls": [],
        "replaced_modules": [],
        "stand_in_modules": [],
    }


def test_importing_omnicloud_before_httpx_leaves_httpx_whole(tmp_path: Path) -> None:
    code = (
        "import sys, omnicloud, omnicloud.cloudstack, httpx\n"
        "main = sys.modules.get('httpx._main')\n"
        "print(main is None or main.__spec__ is not None)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "True"
